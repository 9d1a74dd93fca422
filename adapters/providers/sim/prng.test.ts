import { describe, expect, it } from 'vitest';
import { hashSeed, mulberry32, randomInt, seededRandom, seededWords, SIM_WORDS } from './prng.ts';

describe('prng', () => {
  it('hashes with FNV-1a and generates with mulberry32, as the reference values say', () => {
    expect(hashSeed('')).toBe(0x811c9dc5);
    expect(hashSeed('a')).toBe(0xe40c292c);
    const random = mulberry32(1);
    expect([random(), random()]).toEqual([0.6270739405881613, 0.002735721180215478]);
  });

  it('repeats a sequence for the same seed and context and changes it otherwise', () => {
    const draw = (random: () => number) => Array.from({ length: 8 }, () => random());
    expect(draw(seededRandom(7, 'llm-sim', 1))).toEqual(draw(seededRandom(7, 'llm-sim', 1)));
    expect(draw(seededRandom(7, 'llm-sim', 1))).not.toEqual(draw(seededRandom(8, 'llm-sim', 1)));
    expect(draw(seededRandom(7, 'llm-sim', 1))).not.toEqual(draw(seededRandom(7, 'llm-sim', 2)));
  });

  it('draws integers in range and words from the sim vocabulary only', () => {
    const random = seededRandom('s');
    const ints = Array.from({ length: 200 }, () => randomInt(random, 2, 4));
    expect(new Set(ints)).toEqual(new Set([2, 3, 4]));
    for (const word of seededWords(random, 50)) expect(SIM_WORDS).toContain(word);
  });
});
