import { describe, expect, it } from 'vitest';
import { createOutputTimeline } from './timeline.ts';

const RATE = 16_000;
const frame = (value: number) => new Int16Array(320).fill(value);

/** Where the timeline is non-silent, as [start_ms, end_ms) runs. */
function runs(pcm: Int16Array): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= pcm.length; i += 1) {
    const on = i < pcm.length && pcm[i] !== 0;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push([(start * 1000) / RATE, (i * 1000) / RATE]);
      start = -1;
    }
  }
  return out;
}

describe('createOutputTimeline', () => {
  it('places each frame at its arrival, or after the audio queued before it', () => {
    const timeline = createOutputTimeline(RATE, 0);
    expect(timeline.play('turn-1', 1000, frame(1))).toBe(1000);
    // arrives while the first still plays: queued after it
    expect(timeline.play('turn-1', 1010, frame(2))).toBe(1020);
    // arrives after a gap: plays at once
    expect(timeline.play('turn-1', 2000, frame(3))).toBe(2000);
    expect(timeline.endMs).toBe(2020);
    const pcm = timeline.render(3000);
    expect(pcm.length).toBe(48_000);
    expect(runs(pcm)).toEqual([
      [1000, 1040],
      [2000, 2020],
    ]);
  });

  it('cuts what of a turn had not played when it ended early, and keeps other turns', () => {
    const timeline = createOutputTimeline(RATE, 0);
    for (let k = 0; k < 10; k += 1) timeline.play('turn-1', 500, frame(1));
    timeline.cut('turn-1', 550);
    expect(timeline.endMs).toBe(550);
    timeline.play('turn-2', 600, frame(2));
    timeline.cut('turn-1', 700);
    expect(runs(timeline.render(1000))).toEqual([
      [500, 550],
      [600, 620],
    ]);
  });

  it('plays behind a playout delay, so arrival jitter within it leaves no gap', () => {
    const timeline = createOutputTimeline(RATE, 60);
    expect([1000, 1023, 1041, 1066].map((at) => timeline.play('turn-1', at, frame(1)))).toEqual([
      1060, 1080, 1100, 1120,
    ]);
    expect(timeline.play('turn-1', 1500, frame(1))).toBe(1560);
    expect(runs(timeline.render(2000))).toEqual([
      [1060, 1140],
      [1560, 1580],
    ]);
  });

  it('is at least as long as the input, longer when the reply runs past it', () => {
    const timeline = createOutputTimeline(RATE, 0);
    expect(timeline.render(100).length).toBe(1600);
    timeline.play('turn-1', 90, frame(1));
    expect(timeline.render(100).length).toBe(1760);
  });
});
