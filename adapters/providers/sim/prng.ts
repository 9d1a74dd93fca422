/**
 * Deterministic randomness of the sims: FNV-1a to hash a seed and its context into 32 bits, and
 * mulberry32 as the generator. Pure functions; no global state.
 */

/** A seed: the same seed always gives the same output. */
export type SimSeed = number | string;

/** FNV-1a (32-bit) over the parts joined by `|`. */
export function hashSeed(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  const text = parts.join('|');
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a generator of floats in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A generator seeded by a seed and its context (provider, turn, chunk...). */
export function seededRandom(
  seed: SimSeed,
  ...context: readonly (string | number)[]
): () => number {
  return mulberry32(hashSeed(seed, ...context));
}

/** An integer in [min, max]. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Neutral words the sims speak and transcribe (never user content). */
export const SIM_WORDS = [
  'alpha',
  'amber',
  'bright',
  'calm',
  'cedar',
  'clear',
  'delta',
  'ember',
  'field',
  'gentle',
  'harbor',
  'island',
  'juniper',
  'kindly',
  'lantern',
  'meadow',
  'north',
  'ocean',
  'pepper',
  'quiet',
  'river',
  'silver',
  'summit',
  'timber',
  'upland',
  'velvet',
  'willow',
  'yonder',
  'zephyr',
  'orbit',
  'marble',
  'copper',
] as const;

/** `count` seeded words. */
export function seededWords(random: () => number, count: number): string[] {
  return Array.from(
    { length: count },
    () => SIM_WORDS[randomInt(random, 0, SIM_WORDS.length - 1)] ?? 'alpha',
  );
}
