import { describe, expect, it } from 'vitest';
import { createIngressStamper } from '../core/index.ts';
import { createWavSource, FRAME_MS } from './source.ts';
import { createEnergyVad, levelDbfs } from '../core/index.ts';

const RATE = 16_000;
const FRAME = 320;

/** PCM16 of `parts`: [seconds, loud?] at 16 kHz (a 300 Hz tone or digital silence). */
function pcmOf(parts: readonly (readonly [number, boolean])[]): Int16Array {
  const out: number[] = [];
  for (const [seconds, loud] of parts) {
    for (let i = 0; i < seconds * RATE; i += 1)
      out.push(loud ? Math.round(8000 * Math.sin((2 * Math.PI * 300 * out.length) / RATE)) : 0);
  }
  return Int16Array.from(out);
}

/** `kind@time` of every event of a source over the whole input. */
function timeline(pcm: Int16Array, silence_ms?: number): string[] {
  const source = createWavSource(pcm, RATE, {
    stamper: createIngressStamper({ session_id: 's', source: 'wav' }),
    ...(silence_ms === undefined ? {} : { silence_ms }),
  });
  const out: string[] = [];
  for (let k = 0; k < source.frames; k += 1) {
    for (const event of source.step(k)) {
      const at = event.record.runtime_timestamp_ms;
      if (event.kind === 'audio_frame') {
        const pts = event.record.media_time?.pts_ms ?? -1;
        if (out.at(-1)?.startsWith('audio') !== true)
          out.push(`audio@${String(at)}(pts ${String(pts)})`);
      } else if (event.kind === 'connection')
        out.push(`${String(event.record.signal)}@${String(at)}`);
      else out.push(`${event.kind}@${String(at)}`);
    }
  }
  for (const event of source.finish(source.arrivalMs(source.frames - 1)))
    out.push(`${event.kind}@${String(event.record.runtime_timestamp_ms)}(eof)`);
  return out;
}

describe('createEnergyVad', () => {
  it('starts speech after 3 loud frames and ends it after 25 quiet ones', () => {
    const vad = createEnergyVad();
    const loud = pcmOf([[0.02, true]]);
    const quiet = new Int16Array(FRAME);
    expect([vad.push(loud), vad.push(loud), vad.push(loud)]).toEqual([null, null, 'onset']);
    expect(vad.loudRun).toBe(3);
    const changes = Array.from({ length: 25 }, () => vad.push(quiet));
    expect(changes.slice(0, 24).every((c) => c === null)).toBe(true);
    expect(changes[24]).toBe('offset');
    expect(vad.speaking).toBe(false);
  });

  it('measures levels in dBFS', () => {
    expect(levelDbfs(new Int16Array(FRAME))).toBe(-Infinity);
    expect(levelDbfs(new Int16Array(FRAME).fill(16_384))).toBeCloseTo(-6.02, 1);
  });
});

describe('createWavSource', () => {
  it('reports connected, each utterance (speech_started, its audio, a transcript) and silence', () => {
    const pcm = pcmOf([
      [0.2, false],
      [0.5, true],
      [4, false],
      [0.3, true],
    ]);
    expect(timeline(pcm)).toEqual([
      'connected@0',
      // onset decided on the 3rd loud frame (200 + 60 ms), its 3 frames fed at once
      'speech_started@260',
      'audio@260(pts 200)',
      // 25 quiet frames after the last loud one (700 ms) end the utterance
      'transcript_final@1200',
      // 3 s of quiet after the end
      'silence@4200',
      'speech_started@4760',
      'audio@4760(pts 4700)',
      'transcript_final@5000(eof)',
    ]);
  });

  it('feeds no audio outside utterances and numbers every record in order', () => {
    const pcm = pcmOf([
      [1, false],
      [0.1, true],
      [1, false],
    ]);
    const source = createWavSource(pcm, RATE, {
      stamper: createIngressStamper({ session_id: 's', source: 'wav' }),
    });
    const events = Array.from({ length: source.frames }, (_, k) => source.step(k)).flat();
    const frames = events.filter((e) => e.kind === 'audio_frame');
    // 5 loud frames + 25 of hangover, the last of which ends the utterance
    expect(frames).toHaveLength(30);
    expect(frames[0]?.record.media_time?.pts_ms).toBe(1000);
    expect(events.map((e) => e.record.transport_sequence)).toEqual(events.map((_, i) => i + 1));
    expect(source.utterances).toBe(1);
    expect(FRAME_MS).toBe(20);
  });

  it('zero-pads the last partial frame', () => {
    const source = createWavSource(new Int16Array(FRAME + 10).fill(8000), RATE, {
      stamper: createIngressStamper({ session_id: 's', source: 'wav' }),
      vad: { onset_frames: 1 },
    });
    expect(source.frames).toBe(2);
    source.step(0);
    const last = source.step(1).find((e) => e.kind === 'audio_frame');
    expect(last?.kind === 'audio_frame' ? last.audio.pcm.length : 0).toBe(FRAME);
  });
});
