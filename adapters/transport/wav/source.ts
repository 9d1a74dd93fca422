/**
 * The ingress side of the wav transport: a decoded file read as 20 ms frames, each with the
 * transport events due when it has been captured. RK-23: `connected` before the first frame and
 * `silence` once per quiet stretch of `silence_ms` (the session driver reports `ended`). Voice
 * activity (vad.ts) gates the audio: an utterance's frames are fed from its onset (with the loud
 * frames that started it) to its end, with `speech_started` at the onset; at its end a
 * `transcript_final` proposes the turn. A file carries no words, so the transcript is a
 * placeholder naming the utterance (`utterance <n>`), which the sim STT passes on (ADR 0040).
 */
import type { IngressStamper, LocalTransportEvent } from '../core/index.ts';
import { createEnergyVad, type VadOptions } from '../core/index.ts';

/** Duration of one frame. */
export const FRAME_MS = 20;

/** Options of {@link createWavSource}. */
export type WavSourceOptions = {
  readonly stamper: IngressStamper;
  readonly vad?: VadOptions;
  /** Quiet time after which `silence` is reported, once per quiet stretch (default 3000 ms). */
  readonly silence_ms?: number;
};

/** The frames of a file and the events each one brings. */
export type WavSource = {
  /** Frames in the file (the last one zero-padded). */
  readonly frames: number;
  /** Transport time at which frame `k` has been captured: its end. */
  arrivalMs(k: number): number;
  /** The events due once frame `k` has been captured (frames in order, each once). */
  step(k: number): LocalTransportEvent[];
  /** End of input at `at_ms`: the final transcript of an utterance still open. */
  finish(at_ms: number): LocalTransportEvent[];
  /** Utterances detected so far. */
  readonly utterances: number;
};

/** Reads `pcm` (PCM16 mono at `sample_rate_hz`) as a frame source. */
export function createWavSource(
  pcm: Int16Array,
  sample_rate_hz: number,
  options: WavSourceOptions,
): WavSource {
  const { stamper } = options;
  const size = Math.round((sample_rate_hz * FRAME_MS) / 1000);
  const frames = Math.ceil(pcm.length / size);
  const vad = createEnergyVad(options.vad);
  const silenceFrames = Math.ceil((options.silence_ms ?? 3000) / FRAME_MS);
  let utterances = 0;
  let quietFrames = 0;
  const frameAt = (k: number): Int16Array => {
    const slice = pcm.subarray(k * size, (k + 1) * size);
    if (slice.length === size) return slice;
    const padded = new Int16Array(size);
    padded.set(slice);
    return padded;
  };
  const audio = (at_ms: number, k: number) =>
    stamper.audio(at_ms, k * FRAME_MS, {
      kind: 'audio',
      pcm: frameAt(k),
      sample_rate_hz,
      duration_ms: FRAME_MS,
    });
  const arrivalMs = (k: number) => (k + 1) * FRAME_MS;
  return {
    frames,
    arrivalMs,
    get utterances() {
      return utterances;
    },
    step(k) {
      const at = arrivalMs(k);
      const events: LocalTransportEvent[] = k === 0 ? [stamper.connection(0, 'connected')] : [];
      const change = vad.push(frameAt(k));
      if (change === 'onset') {
        utterances += 1;
        events.push(stamper.speechStarted(at));
        for (let j = k - vad.loudRun + 1; j <= k; j += 1) events.push(audio(at, j));
      } else if (vad.speaking || change === 'offset') events.push(audio(at, k));
      if (change === 'offset')
        events.push(stamper.transcript(at, `utterance ${String(utterances)}`));
      quietFrames = vad.speaking || change === 'offset' ? 0 : quietFrames + 1;
      if (quietFrames === silenceFrames) events.push(stamper.connection(at, 'silence'));
      return events;
    },
    finish(at_ms) {
      if (!vad.speaking) return [];
      return [stamper.transcript(at_ms, `utterance ${String(utterances)}`)];
    },
  };
}
