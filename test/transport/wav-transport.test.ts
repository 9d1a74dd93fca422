import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import {
  CONNECTION_SIGNALS,
  createIngressStamper,
  type LocalTransportEvent,
} from '../../adapters/transport/core/index.ts';
import { buildWav, tone } from '../../adapters/transport/wav/build.ts';
import { createWavSource, decodeWav } from '../../adapters/transport/wav/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { runWavSession } from '../../tools/run/wav-session.ts';
import { openSimSession, speechPcm } from './kit.ts';

const validator = createContractValidator();

/** A session fed by a wav source over `pcm`, frame by frame on simulated time. */
function wavSession(pcm: Int16Array) {
  const session = openSimSession();
  const stamper = createIngressStamper({ session_id: 's1', source: 'wav' });
  const source = createWavSource(pcm, 16_000, { stamper });
  let k = 0;
  const fed: LocalTransportEvent[] = [];
  /** Streams frames until transport time `until_ms`. */
  const streamTo = async (until_ms: number) => {
    while (k < source.frames && source.arrivalMs(k) <= until_ms) {
      await session.time.advanceTo(source.arrivalMs(k));
      for (const event of source.step(k)) {
        fed.push(event);
        expect(session.feed(event)).toEqual({ accepted: true });
      }
      k += 1;
    }
    await session.time.advanceTo(until_ms);
  };
  return { ...session, stamper, source, fed, streamTo };
}

describe('wav transport ingress (RK-22)', () => {
  it('feeds contract-valid records that the runtime classifies and accepts, kind by kind', async () => {
    const s = wavSession(
      speechPcm([
        [0.2, false],
        [0.6, true],
        [4, false],
      ]),
    );
    await s.streamTo(4800);
    const kinds = new Set(s.fed.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([
      'audio_frame',
      'connection',
      'speech_started',
      'transcript_final',
    ]);
    for (const event of s.fed) {
      const artifact = event.record.lane === 'ControlLane' ? 'control_signal' : 'event_record';
      expect(validator.validate(artifact, event.record)).toEqual({ valid: true });
    }
    expect(s.control()).toContain('turn_open_proposed(session_turn_intent) turn-1');
    expect(s.control()).toContain('commit turn-1');
  });

  it('has each kind refused when its record belongs to another kind (classification_mismatch)', () => {
    const s = wavSession(new Int16Array(0));
    const speech = s.stamper.speechStarted(0);
    const audio = s.stamper.audio(0, 0, {
      kind: 'audio',
      pcm: new Int16Array(320),
      sample_rate_hz: 16_000,
      duration_ms: 20,
    });
    const swapped = [
      { ...audio, record: speech.record },
      { kind: 'speech_started', record: audio.record },
      { kind: 'transcript_final', record: speech.record, text: 'x' },
      { kind: 'connection', record: speech.record },
    ] as unknown as LocalTransportEvent[];
    for (const event of swapped) {
      const result = s.feed(event);
      expect(result.accepted).toBe(false);
      if (!result.accepted) expect(result.rejection.code).toBe('classification_mismatch');
    }
  });
});

describe('wav transport connection signals (RK-23)', () => {
  it.each(CONNECTION_SIGNALS)('reports %s as an RK-23 ControlLane signal', (signal) => {
    const s = wavSession(new Int16Array(0));
    expect(s.feed(s.stamper.connection(0, signal))).toEqual({ accepted: true });
    const emitted = s.outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
    expect(emitted.map((r) => `${r.emitted_by} ${r.signal}`)).toEqual([`RK-23 ${signal}`]);
  });

  it.each(['disconnected', 'stall', 'ended'] as const)(
    'ends a speaking turn on %s: abort(transport_disconnect_or_stall), close, no frame after',
    async (signal) => {
      const s = wavSession(
        speechPcm([
          [0.6, true],
          [2, false],
        ]),
      );
      await s.streamTo(1800);
      expect(s.audioFrames()).toBeGreaterThan(0);
      const at = s.outputs.length;
      s.feed(s.stamper.connection(s.time.clock.now(), signal));
      await s.time.advanceTo(4000);
      expect(s.control()).toContain('abort(transport_disconnect_or_stall) turn-1');
      expect(s.control().at(-1)).toBe('close turn-1');
      expect(s.audioFrames(at)).toBe(0);
    },
  );
});

describe('wav transport egress fence', () => {
  it('delivers 0 frames of a turn after a cancel', async () => {
    const s = wavSession(
      speechPcm([
        [0.6, true],
        [3, false],
      ]),
    );
    await s.streamTo(1700);
    expect(s.audioFrames(0, 'turn-1')).toBeGreaterThan(0);
    const at = s.outputs.length;
    expect(s.feed(s.stamper.cancel(s.time.clock.now(), 'turn-1'))).toEqual({ accepted: true });
    await s.streamTo(3600);
    expect(s.audioFrames(at)).toBe(0);
    expect(s.control()).toContain('playback_cancelled(cancel_fence_applied) turn-1');
    expect(s.control()).toContain('abort(cancelled) turn-1');
  });

  it('delivers 0 frames from a stale epoch, refuses stale ingress, and runs on at the new epoch', async () => {
    const s = wavSession(
      speechPcm([
        [0.6, true],
        [1.4, false],
        [0.6, true],
        [3, false],
      ]),
    );
    await s.streamTo(1700);
    expect(s.audioFrames(0, 'turn-1')).toBeGreaterThan(0);
    const at = s.outputs.length;
    expect(s.runtime.setAuthority('s1', { authority_epoch: 2 })).toBe(true);
    await s.time.advanceTo(1800);
    expect(s.audioFrames(at)).toBe(0);
    expect(s.control()).toContain('abort(authority_loss) turn-1');
    const stale = s.feed(s.stamper.speechStarted(1800));
    expect(stale.accepted ? '' : stale.rejection.code).toBe('stale_epoch');
    s.stamper.setEpoch(2);
    await s.streamTo(5600);
    expect(s.control()).toContain('commit turn-2');
    const epochs = s.outputs.flatMap((o) =>
      o.kind === 'data' && o.pcm !== undefined ? [o.record.authority_epoch] : [],
    );
    expect(epochs.slice(-1)).toEqual([2]);
  });
});

describe('runWavSession', () => {
  /** Runs of milliseconds of a 16 kHz output holding any non-zero sample, as [start, end). */
  function voiced(pcm: ArrayLike<number>): [number, number][] {
    const out: [number, number][] = [];
    let start = -1;
    const ms = Math.ceil(pcm.length / 16);
    for (let m = 0; m <= ms; m += 1) {
      let on = false;
      for (let i = m * 16; m < ms && i < Math.min(pcm.length, (m + 1) * 16); i += 1)
        on ||= pcm[i] !== 0;
      if (on && start < 0) start = m;
      if (!on && start >= 0) {
        out.push([start, m]);
        start = -1;
      }
    }
    return out;
  }

  it('writes the replies where they were spoken, cut at a barge-in, silence elsewhere', async () => {
    // 44.1 kHz stereo 24-bit: the reader resamples and mixes it down.
    const parts = [
      tone(0.5, 44_100, 0, 0),
      tone(1.2, 44_100, 300, 0.3),
      tone(2, 44_100, 0, 0),
      tone(0.8, 44_100, 300, 0.3),
      tone(1, 44_100, 0, 0),
    ].flat();
    const input = decodeWav(
      buildWav({ sample_rate_hz: 44_100, bits_per_sample: 24, channels: [parts, parts] }),
    );
    const result = await runWavSession({ input });
    expect(result.refused).toEqual([]);
    expect(result.utterances).toBe(2);
    const at = (signal: string, turn: string) =>
      result.control.find((c) => c.signal === signal && c.turn_id === turn)?.runtime_timestamp_ms ??
      -1;
    const lines = result.control.map((c) => `${c.signal} ${c.turn_id ?? '-'}`);
    expect(lines).toContain('barge_in turn-1');
    expect(lines).toContain('commit turn-2');
    expect(lines.at(-1)).toBe('ended -');

    const wav = new wavefile.WaveFile(result.wav);
    expect(wav.fmt).toMatchObject({
      audioFormat: 1,
      numChannels: 1,
      sampleRate: 16_000,
      bitsPerSample: 16,
    });
    const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
    expect(samples.length).toBe(result.duration_ms * 16);
    const runs = voiced(samples);
    // turn-1 speaks from its first output (behind the 60 ms playout buffer) until the barge-in
    // cut it; turn-2 to its end.
    expect(runs[0]?.[0]).toBe(at('output_accepted', 'turn-1') + 60);
    expect(runs[0]?.[1]).toBe(at('playback_cancelled', 'turn-1'));
    expect(runs[1]?.[0]).toBe(at('output_accepted', 'turn-2') + 60);
    expect(runs.at(-1)?.[1]).toBeLessThanOrEqual(result.duration_ms);
    expect(runs.length).toBe(2);
  });
});
