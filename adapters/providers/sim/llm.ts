/**
 * The LLM sim: consumes the turn context, then yields a reply seeded by the seed and the turn
 * index (the number of user messages), one word per delta. It never echoes its input.
 */
import type { LlmCapabilities, LlmChunk, LlmPort } from '../../../contracts/index.ts';
import { readInput, resolveSimOptions, runSim, type SimOptions } from './engine.ts';
import { seededRandom, seededWords, type SimSeed } from './prng.ts';

/** Options of {@link createSimLlm}. */
export type SimLlmOptions = SimOptions;

/** Longest delta: the longest sim word plus a space and a full stop fit well below it. */
const MAX_DELTA_CHARS = 16;

/** The seeded reply of a turn as deltas: `count` words, capitalized, ending with a full stop. */
export function llmReply(
  seed: SimSeed,
  provider_id: string,
  turn_index: number,
  count: number,
): LlmChunk[] {
  const words = seededWords(seededRandom(seed, provider_id, 'llm', turn_index), count);
  return words.map((word, index) => {
    const first = index === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`;
    return { type: 'delta', index, text: index === count - 1 ? `${first}.` : first };
  });
}

/** Creates a seeded LLM sim (`llm-sim` unless `provider_id` is given). */
export function createSimLlm(options: SimLlmOptions): LlmPort {
  const resolved = resolveSimOptions('llm', options, {
    first_chunk_ms: 200,
    chunk_interval_ms: 25,
    chunk_count: 8,
  });
  const capabilities: LlmCapabilities = {
    provider_id: resolved.provider_id,
    modality: 'llm',
    max_concurrency: resolved.max_concurrency,
    resumable_output: resolved.resumable,
    streaming: { max_delta_chars: MAX_DELTA_CHARS },
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
          let turn_index = 0;
          for await (const message of readInput(request.input, request.signal)) {
            if (message.role === 'user') turn_index += 1;
          }
          yield* llmReply(resolved.seed, resolved.provider_id, turn_index, resolved.chunk_count);
        },
        malformed: (chunk) => ({ ...chunk, text: '' }),
      }),
  };
}
