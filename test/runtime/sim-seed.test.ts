// Issue 10, item 16: the sims' seed shows in what the transport gets, through `rspp run` and the
// Runtime: reply text, audio bytes and ControlLane timing.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withoutWallClock } from '../../tools/run/format.ts';
import { runCli } from '../cli/helpers.ts';
import { runEmbedded } from './kit.ts';

/** What the transport got from one run of the built-in script with `seed`. */
async function transportOutput(seed: number) {
  const { control, delivered, outputs } = await runEmbedded({ seed });
  const audio = createHash('sha256');
  for (const envelope of delivered) {
    if (envelope.binary !== undefined) audio.update(envelope.binary);
  }
  return {
    replies: outputs.flatMap((o) => (o.kind === 'reply' ? [o.text] : [])),
    audio: audio.digest('hex'),
    control: JSON.stringify(control.map(withoutWallClock)),
  };
}

describe('sim seed through the runtime (issue 10, item 16)', () => {
  it('gives the same replies, audio bytes and ControlLane for the same seed twice', async () => {
    for (const seed of [1, 2, 3]) {
      expect(await transportOutput(seed)).toEqual(await transportOutput(seed));
    }
  });

  it('gives other replies, audio bytes and ControlLane timing for seeds 1, 2 and 3', async () => {
    const runs = [await transportOutput(1), await transportOutput(2), await transportOutput(3)];
    for (const field of ['replies', 'audio', 'control'] as const) {
      expect(new Set(runs.map((r) => JSON.stringify(r[field]))).size, field).toBe(3);
    }
    for (const r of runs) expect(r.replies).toHaveLength(3);
  });

  it('prints another ControlLane from `rspp run --seed N` per seed, the same one twice', async () => {
    const stdout = async (seed: number) => {
      const run = await runCli(['run', '--json', '--seed', String(seed)], process.cwd());
      expect(run.code).toBe(0);
      return run.stdout;
    };
    const one = await stdout(1);
    expect(await stdout(1)).toEqual(one);
    const others = [await stdout(2), await stdout(3)];
    expect(new Set([one, ...others]).size).toBe(3);
  });
});
