/**
 * The caller's audio into pipeline frames: each LiveKit frame (any rate, any channel count) is
 * mixed to mono, resampled with `AudioResampler` to the pipeline's 16 kHz and cut into 20 ms
 * frames; energy voice activity detection turns them into ingress events as the wav transport
 * does (`speech_started` at the onset, the utterance's frames with the onset's pre-roll, and at
 * its end a `transcript_final` placeholder, since a room carries no words for the sim STT).
 */
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import {
  createEnergyVad,
  type IngressStamper,
  type LocalTransportEvent,
  type VadOptions,
} from '../core/index.ts';
import { createFrameChunker, samplesPerFrame } from './frames.ts';

/** The pipeline's audio: 16 kHz mono PCM16 in 20 ms frames. */
export const PIPELINE_RATE_HZ = 16_000;
const FRAME_MS = 20;

/** Turns the caller's frames into ingress events. */
export type CallerAudio = {
  /** One LiveKit frame in; the ingress events it completes out. */
  push(frame: AudioFrame, at_ms: number): LocalTransportEvent[];
  /** Whether an utterance is under way. */
  readonly speaking: boolean;
  /** Utterances so far. */
  readonly utterances: number;
  close(): void;
};

/** Creates the caller-audio path of one session. */
export function createCallerAudio(stamper: IngressStamper, vadOptions?: VadOptions): CallerAudio {
  const size = samplesPerFrame(PIPELINE_RATE_HZ, FRAME_MS);
  const chunker = createFrameChunker(size);
  const vad = createEnergyVad(vadOptions);
  let resampler: AudioResampler | null = null;
  let frames = 0;
  let utterances = 0;
  const preroll: Int16Array[] = [];
  const audio = (at_ms: number, pcm: Int16Array, index: number) =>
    stamper.audio(at_ms, index * FRAME_MS, {
      kind: 'audio',
      pcm,
      sample_rate_hz: PIPELINE_RATE_HZ,
      duration_ms: FRAME_MS,
    });
  const step = (pcm: Int16Array, at_ms: number): LocalTransportEvent[] => {
    const index = frames;
    frames += 1;
    const change = vad.push(pcm);
    preroll.push(pcm);
    if (preroll.length > vad.loudRun + 1) preroll.splice(0, preroll.length - vad.loudRun - 1);
    if (change === 'onset') {
      const lead = preroll.slice(-vad.loudRun);
      preroll.length = 0;
      return [
        stamper.speechStarted(at_ms),
        ...lead.map((p, k) => audio(at_ms, p, index - lead.length + 1 + k)),
      ];
    }
    if (change === 'offset') {
      utterances += 1;
      return [audio(at_ms, pcm, index), stamper.transcript(at_ms, `utterance ${utterances}`)];
    }
    return vad.speaking ? [audio(at_ms, pcm, index)] : [];
  };
  return {
    get speaking() {
      return vad.speaking;
    },
    get utterances() {
      return utterances;
    },
    push(frame, at_ms) {
      const mono = mix(frame);
      let parts: Int16Array[] = [mono];
      if (frame.sampleRate !== PIPELINE_RATE_HZ) {
        if (resampler === null || resampler.inputRate !== frame.sampleRate) {
          resampler?.close();
          resampler = new AudioResampler(frame.sampleRate, PIPELINE_RATE_HZ, 1);
        }
        parts = resampler
          .push(new AudioFrame(mono, frame.sampleRate, 1, mono.length))
          .map((f) => f.data);
      }
      return parts.flatMap((part) => chunker.push(part)).flatMap((pcm) => step(pcm, at_ms));
    },
    close() {
      resampler?.close();
      resampler = null;
    },
  };
}

/** The frame's samples averaged to one channel. */
function mix(frame: AudioFrame): Int16Array {
  const { channels, samplesPerChannel, data } = frame;
  if (channels === 1) return data.subarray(0, samplesPerChannel);
  const out = new Int16Array(samplesPerChannel);
  for (let i = 0; i < samplesPerChannel; i += 1) {
    let sum = 0;
    for (let c = 0; c < channels; c += 1) sum += data[i * channels + c] ?? 0;
    out[i] = Math.round(sum / channels);
  }
  return out;
}
