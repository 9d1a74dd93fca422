/**
 * The STT sim: consumes audio frames (or console text) to the end of the utterance, then yields
 * seeded partial hypotheses (with deterministic rollbacks) and one final transcript.
 */
import type { SttCapabilities, SttChunk, SttPort } from '../../../contracts/index.ts';
import { readInput, resolveSimOptions, runSim, type SimOptions } from './engine.ts';
import { randomInt, seededRandom, seededWords } from './prng.ts';

/** Options of {@link createSimStt}. */
export interface SimSttOptions extends SimOptions {
  /** Whether partials are produced (default true). */
  readonly partials?: boolean;
  /** Whether a partial may rewrite its last word before the next one corrects it (default true). */
  readonly rollback?: boolean;
}

/** Audio frames per transcribed word (10 frames of 20 ms = 200 ms) and the word cap. */
const FRAMES_PER_WORD = 10;
const MAX_WORDS = 12;

/** Partials (prefixes of `words`) then the final, `count` chunks in all when partials are on. */
export function sttChunks(
  words: readonly string[],
  count: number,
  partials: boolean,
  rollback: boolean,
  random: () => number,
): SttChunk[] {
  const chunks: SttChunk[] = [];
  if (partials && words.length > 0) {
    for (let k = 1; k < count; k += 1) {
      const hypothesis = words.slice(0, Math.max(1, Math.ceil((words.length * k) / count)));
      if (rollback && random() < 0.5) {
        // A misheard last word that the next partial (or the final) corrects.
        hypothesis[hypothesis.length - 1] = seededWords(random, 1)[0] ?? 'alpha';
      }
      chunks.push({ type: 'partial', index: chunks.length, text: hypothesis.join(' ') });
    }
  }
  chunks.push({ type: 'final', index: chunks.length, text: words.join(' ') });
  return chunks;
}

/** Creates a seeded STT sim (`stt-sim` unless `provider_id` is given). */
export function createSimStt(options: SimSttOptions): SttPort {
  const resolved = resolveSimOptions('stt', options, {
    first_chunk_ms: 150,
    chunk_interval_ms: 50,
    chunk_count: 4,
  });
  const partials = options.partials ?? true;
  const rollback = partials && (options.rollback ?? true);
  const capabilities: SttCapabilities = {
    provider_id: resolved.provider_id,
    modality: 'stt',
    max_concurrency: resolved.max_concurrency,
    resumable_output: resolved.resumable,
    streaming: { input: ['audio', 'text'], sample_rate_hz: 16_000, partials, rollback },
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
          let frames = 0;
          const texts: string[] = [];
          for await (const item of readInput(request.input, request.signal)) {
            if (item.type === 'audio') frames += 1;
            else texts.push(item.text);
          }
          const random = seededRandom(resolved.seed, resolved.provider_id, 'stt', frames);
          const words =
            texts.length > 0
              ? texts
                  .join(' ')
                  .split(/\s+/)
                  .filter((word) => word !== '')
              : seededWords(
                  random,
                  frames === 0
                    ? 0
                    : randomInt(
                        random,
                        1,
                        Math.min(MAX_WORDS, 1 + Math.floor(frames / FRAMES_PER_WORD)),
                      ),
                );
          yield* sttChunks(words, resolved.chunk_count, partials, rollback, random);
        },
        malformed: (chunk) => ({ ...chunk, type: 'partial', text: '' }),
      }),
  };
}
