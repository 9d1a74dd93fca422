/**
 * The TTS sim: for each input text chunk as it arrives, yields `chunk_count` PCM16 frames of
 * 20 ms at 16 kHz: a tone seeded by the seed and the text, plus seeded noise.
 */
import type { TtsCapabilities, TtsChunk, TtsPort } from '../../../contracts/index.ts';
import { readInput, resolveSimOptions, runSim, type SimOptions } from './engine.ts';
import { hashSeed, seededRandom, type SimSeed } from './prng.ts';

/** Options of {@link createSimTts}. */
export type SimTtsOptions = SimOptions;

const SAMPLE_RATE_HZ = 16_000;
const FRAME_MS = 20;
const FRAME_SAMPLES = (SAMPLE_RATE_HZ * FRAME_MS) / 1000;

/** The seeded frames of one input text chunk, numbered from `first_index`. */
export function ttsFrames(
  seed: SimSeed,
  provider_id: string,
  text: string,
  input_index: number,
  count: number,
  first_index: number,
): TtsChunk[] {
  const random = seededRandom(seed, provider_id, 'tts', input_index, hashSeed(text));
  const hz = 180 + random() * 220;
  const amplitude = 3000 + random() * 6000;
  return Array.from({ length: count }, (_, frame) => {
    const pcm = new Int16Array(FRAME_SAMPLES);
    for (let k = 0; k < FRAME_SAMPLES; k += 1) {
      const n = frame * FRAME_SAMPLES + k;
      const tone = amplitude * Math.sin((2 * Math.PI * hz * n) / SAMPLE_RATE_HZ);
      pcm[k] = Math.round(tone + (random() - 0.5) * 400);
    }
    return {
      type: 'audio',
      index: first_index + frame,
      input_index,
      pcm,
      sample_rate_hz: SAMPLE_RATE_HZ,
      duration_ms: FRAME_MS,
    };
  });
}

/** Creates a seeded TTS sim (`tts-sim` unless `provider_id` is given). */
export function createSimTts(options: SimTtsOptions): TtsPort {
  const resolved = resolveSimOptions('tts', options, {
    first_chunk_ms: 80,
    chunk_interval_ms: FRAME_MS,
    chunk_count: 3,
  });
  const capabilities: TtsCapabilities = {
    provider_id: resolved.provider_id,
    modality: 'tts',
    max_concurrency: resolved.max_concurrency,
    resumable_output: resolved.resumable,
    streaming: { encoding: 'pcm16', sample_rate_hz: SAMPLE_RATE_HZ, frame_ms: FRAME_MS },
  };
  const active = { count: 0 };
  return {
    capabilities,
    stream: (request) =>
      runSim({
        options: resolved,
        request,
        active,
        async *planned() {
          let input_index = -1;
          let index = 0;
          for await (const item of readInput(request.input, request.signal)) {
            input_index += 1;
            if (item.text.trim() === '') continue;
            const { seed, provider_id, chunk_count } = resolved;
            for (const frame of ttsFrames(
              seed,
              provider_id,
              item.text,
              input_index,
              chunk_count,
              index,
            )) {
              index += 1;
              yield frame;
            }
          }
        },
        malformed: (chunk) => ({ ...chunk, pcm: chunk.pcm.slice(0, 7) }),
      }),
  };
}
