// The rtc-node audio objects that work without a server, used for real: AudioFrame, AudioSource
// (capture and clear), AudioResampler; and the egress fence on a real AudioSource.
import { AudioFrame, AudioResampler, AudioSource } from '@livekit/rtc-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createAgentEgress } from './egress.ts';
import { callerFrame } from './fake.ts';
import { createFrameChunker, samplesPerFrame } from './frames.ts';

const sources: AudioSource[] = [];
/** A real source with a queue large enough that captures never wait for playout. */
function source(rate = 48_000): AudioSource {
  const s = new AudioSource(rate, 1, 60_000);
  sources.push(s);
  return s;
}
afterAll(async () => {
  for (const s of sources) await s.close();
});

describe('rtc-node audio objects', () => {
  it('sizes frames: 10 ms is 480 samples at 48 kHz and 160 at 16 kHz; 20 ms at 16 kHz is 320', () => {
    expect(samplesPerFrame(48_000, 10)).toBe(480);
    expect(samplesPerFrame(16_000, 10)).toBe(160);
    expect(samplesPerFrame(16_000, 20)).toBe(320);
    const frame = AudioFrame.create(48_000, 1, 480);
    expect(frame.data).toBeInstanceOf(Int16Array);
    expect([frame.sampleRate, frame.channels, frame.samplesPerChannel]).toEqual([48_000, 1, 480]);
  });

  it('AudioSource queues captured audio and clearQueue empties it', async () => {
    const s = source();
    for (let k = 0; k < 5; k += 1) await s.captureFrame(callerFrame(48_000, 10, true, k * 480));
    expect(s.queuedDuration).toBeGreaterThan(0);
    s.clearQueue();
    expect(s.queuedDuration).toBe(0);
  });

  it('AudioSource refuses a frame at another rate than its own', async () => {
    await expect(source().captureFrame(AudioFrame.create(16_000, 1, 160))).rejects.toThrow(
      /sample_rate/,
    );
  });

  it('AudioResampler turns 48 kHz into 16 kHz (a third of the samples once flushed), in uneven pieces', () => {
    const r = new AudioResampler(48_000, 16_000, 1);
    const out: AudioFrame[] = [];
    for (let k = 0; k < 50; k += 1) out.push(...r.push(callerFrame(48_000, 10, true, k * 480)));
    out.push(...r.flush());
    r.close();
    const total = out.reduce((n, f) => n + f.samplesPerChannel, 0);
    expect(out.every((f) => f.sampleRate === 16_000)).toBe(true);
    expect(Math.abs(total - 8000)).toBeLessThanOrEqual(16);
    // Its pieces are not frame-sized: the chunker makes them so.
    const chunker = createFrameChunker(320);
    const frames = out.flatMap((f) => chunker.push(f.data));
    expect(frames.every((f) => f.length === 320)).toBe(true);
    expect(frames.length).toBe(Math.floor(total / 320));
  });
});

describe('createAgentEgress on a real AudioSource', () => {
  /** A real source whose captures are counted, in order, by the turn the egress says. */
  function counted() {
    const real = source();
    let captures = 0;
    const port = {
      captureFrame: (frame: AudioFrame) => {
        captures += 1;
        expect(frame.samplesPerChannel).toBe(480);
        return real.captureFrame(frame);
      },
      clearQueue: () => real.clearQueue(),
      get queuedDuration() {
        return real.queuedDuration;
      },
      close: () => real.close(),
    };
    return { port, real, captures: () => captures };
  }
  const chunk = (turn_id: string, n: number, authority_epoch = 1) => ({
    event_id: `e-${turn_id}-${n}`,
    turn_id,
    authority_epoch,
    pcm: callerFrame(16_000, 20, true, n * 320).data,
    sample_rate_hz: 16_000,
  });

  it('resamples 16 kHz output to 48 kHz and captures whole 10 ms frames', async () => {
    const { port, captures } = counted();
    const egress = createAgentEgress({ source: port, authority_epoch: 1 });
    for (let n = 0; n < 10; n += 1) expect(egress.play(chunk('turn-1', n)).accepted).toBe(true);
    egress.end('turn-1');
    await egress.idle();
    // 200 ms at 48 kHz is 20 frames of 480 (the last padded).
    expect(captures()).toBeGreaterThanOrEqual(19);
    expect(captures()).toBeLessThanOrEqual(21);
  });

  it('captures no frame of a turn after it is fenced, drops what waited and clears the source', async () => {
    const { port, real, captures } = counted();
    const egress = createAgentEgress({ source: port, authority_epoch: 1 });
    for (let n = 0; n < 25; n += 1) egress.play(chunk('turn-1', n));
    const atFence = captures();
    expect(egress.fence('turn-1', 'cancel')).toBe(true);
    expect(real.queuedDuration).toBe(0);
    const late = egress.play(chunk('turn-1', 99));
    expect(late).toMatchObject({
      accepted: false,
      signal: 'playback_cancelled',
      reason: 'cancel_fence_applied',
      emitted_by: 'RK-22',
    });
    await egress.idle();
    expect(captures() - atFence).toBe(0);
    expect(egress.stats.dropped_frames).toBeGreaterThan(0);
  });

  it('fences the turns of an older epoch when the epoch moves, and refuses their output', async () => {
    const { port, captures } = counted();
    const egress = createAgentEgress({ source: port, authority_epoch: 1 });
    for (let n = 0; n < 25; n += 1) egress.play(chunk('turn-1', n));
    const atFence = captures();
    expect(egress.setEpoch(2)).toEqual(['turn-1']);
    expect(egress.play(chunk('turn-1', 30)).accepted).toBe(false);
    expect(egress.play(chunk('turn-2', 0, 1)).accepted).toBe(false);
    await egress.idle();
    expect(captures() - atFence).toBe(0);
    expect(egress.play(chunk('turn-3', 0, 2)).accepted).toBe(true);
  });
});
