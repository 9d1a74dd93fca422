/**
 * Running one provider call: the chunk contract, checked at runtime on every chunk an adapter
 * yields (violations are stable rule ids, never content), and `invokeProvider`, which settles a
 * call into its normalized outcome.
 */
import { ABORTED, abortableReader, type AbortableReader } from './abortable-next.ts';
import type { ProviderModality } from '../generated/types.ts';
import {
  AdapterError,
  PROVIDER_CANCELLED,
  PROVIDER_SUCCESS,
  normalizeProviderFailure,
  outcomeOfAbort,
  toAdapterError,
} from '../errors.ts';
import type {
  ProviderCapabilities,
  ProviderCapabilitiesBase,
  ProviderOutcome,
  ProviderPort,
  ProviderRequest,
} from './provider.port.ts';

/** Rule id of a chunk contract violation (the `detail` of a `malformed_output` error). */
export type ChunkRule =
  | 'chunk_shape'
  | 'chunk_type'
  | 'chunk_index'
  | 'stt_partial_empty'
  | 'stt_after_final'
  | 'stt_missing_final'
  | 'llm_delta_empty'
  | 'llm_delta_too_long'
  | 'tts_input_index'
  | 'tts_format'
  | 'tts_frame_size';

/** Why a stream that completed is still a failure. */
interface ChunkStreamEnding {
  /** `empty_output`, `empty_audio` (no chunk at all) or `malformed_output`. */
  readonly code: 'empty_output' | 'empty_audio' | 'malformed_output';
  /** The rule broken, for `malformed_output`. */
  readonly rule?: ChunkRule;
}

/** Stateful checker of one stream's chunks. */
export interface ChunkChecker {
  /** The rule the next chunk breaks, or null when it is valid. */
  chunk(value: unknown): ChunkRule | null;
  /** Why the completed stream of `count` valid chunks fails, or null. */
  end(count: number): ChunkStreamEnding | null;
}

type Fields = Readonly<Record<string, unknown>>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Creates the checker for a stream of a provider with these capabilities. */
export function createChunkChecker(capabilities: ProviderCapabilities): ChunkChecker {
  let index = 0;
  let final = false;
  let inputIndex = 0;
  const typed = (value: unknown, types: readonly string[]): Fields | ChunkRule => {
    if (!isFields(value)) return 'chunk_shape';
    if (typeof value['type'] !== 'string' || !types.includes(value['type'])) return 'chunk_type';
    if (value['index'] !== index) return 'chunk_index';
    return value;
  };
  const rules = {
    stt: (chunk: Fields): ChunkRule | null => {
      if (final) return 'stt_after_final';
      if (typeof chunk['text'] !== 'string') return 'chunk_shape';
      if (chunk['type'] === 'partial' && chunk['text'].trim() === '') return 'stt_partial_empty';
      final = chunk['type'] === 'final';
      return null;
    },
    llm: (chunk: Fields): ChunkRule | null => {
      const text = chunk['text'];
      if (typeof text !== 'string') return 'chunk_shape';
      if (text === '') return 'llm_delta_empty';
      return capabilities.modality === 'llm' && text.length > capabilities.streaming.max_delta_chars
        ? 'llm_delta_too_long'
        : null;
    },
    tts: (chunk: Fields): ChunkRule | null => {
      if (capabilities.modality !== 'tts') return 'chunk_type';
      const profile = capabilities.streaming;
      const at = chunk['input_index'];
      if (typeof at !== 'number' || !Number.isInteger(at) || at < inputIndex) {
        return 'tts_input_index';
      }
      inputIndex = at;
      if (chunk['sample_rate_hz'] !== profile.sample_rate_hz) return 'tts_format';
      if (chunk['duration_ms'] !== profile.frame_ms) return 'tts_format';
      const pcm = chunk['pcm'];
      if (!(pcm instanceof Int16Array)) return 'tts_format';
      const samples = (profile.sample_rate_hz * profile.frame_ms) / 1000;
      return pcm.length === samples ? null : 'tts_frame_size';
    },
  } as const;
  const sttTypes =
    capabilities.modality === 'stt' && !capabilities.streaming.partials
      ? ['final']
      : ['partial', 'final'];
  const types = { stt: sttTypes, llm: ['delta'], tts: ['audio'] } as const;
  return {
    chunk(value) {
      const chunk = typed(value, types[capabilities.modality]);
      if (typeof chunk === 'string') return chunk;
      const rule = rules[capabilities.modality](chunk);
      if (rule === null) index += 1;
      return rule;
    },
    end(count) {
      if (count === 0) {
        return { code: capabilities.modality === 'tts' ? 'empty_audio' : 'empty_output' };
      }
      if (capabilities.modality === 'stt' && !final) {
        return { code: 'malformed_output', rule: 'stt_missing_final' };
      }
      return null;
    },
  };
}

/** How one attempt ended. */
export interface ProviderSettlement {
  /** The outcome to send to the invocation machine as `attempt.result`. */
  readonly outcome: ProviderOutcome;
  /** Contract-valid chunks handed to `onChunk`. */
  readonly chunks: number;
  /** The adapter error behind a failure; null on success, cancel and timeout-by-abort. */
  readonly error: AdapterError | null;
}

/**
 * What a chunk consumer returns: nothing to go on reading, or a promise that settles once it can
 * take more (backpressure: the provider stream is then read more slowly, never shed).
 */
export type ChunkAck = void | PromiseLike<void>;

/**
 * Runs one attempt to its normalized outcome: forwards each contract-valid chunk to `onChunk`
 * (waiting before the next read while the promise `onChunk` returns is pending), stops at once
 * on abort (`cancelled`, or `timeout` when the abort reason is a deadline), maps a rejection
 * with {@link normalizeProviderFailure}, and turns a chunk contract violation or an empty stream
 * into an adapter error. Throws only what `onChunk` throws.
 */
export async function invokeProvider<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends ProviderCapabilities & ProviderCapabilitiesBase<TModality>,
>(
  port: ProviderPort<TModality, TInput, TChunk, TCapabilities>,
  request: ProviderRequest<TModality, TInput>,
  onChunk?: (chunk: TChunk) => ChunkAck,
): Promise<ProviderSettlement> {
  const { signal } = request;
  if (request.cancel_requested) return { outcome: PROVIDER_CANCELLED, chunks: 0, error: null };
  if (signal.aborted) return { outcome: outcomeOfAbort(signal.reason), chunks: 0, error: null };
  const provider = port.capabilities.provider_id;
  const checker = createChunkChecker(port.capabilities);
  let reader: AbortableReader<TChunk> | undefined;
  const fail = (error: AdapterError, chunks: number): ProviderSettlement => ({
    outcome: normalizeProviderFailure(error),
    chunks,
    error,
  });
  let chunks = 0;
  let iterator: AsyncIterator<TChunk> | undefined;
  let open = true;
  try {
    try {
      iterator = port.stream(request)[Symbol.asyncIterator]();
      reader = abortableReader(iterator, signal);
    } catch (failure) {
      open = false;
      return fail(toAdapterError(failure, provider), 0);
    }
    for (;;) {
      let step: IteratorResult<TChunk> | typeof ABORTED;
      try {
        step = await reader.next();
      } catch (failure) {
        open = false;
        if (signal.aborted) break;
        return fail(toAdapterError(failure, provider), chunks);
      }
      // An abort wins even over a chunk that was already on its way.
      if (step === ABORTED || signal.aborted) break;
      if (step.done === true) {
        open = false;
        const ending = checker.end(chunks);
        return ending === null
          ? { outcome: PROVIDER_SUCCESS, chunks, error: null }
          : fail(new AdapterError(ending.code, withDetail(provider, ending.rule)), chunks);
      }
      const rule = checker.chunk(step.value);
      if (rule !== null) {
        return fail(new AdapterError('malformed_output', { provider, detail: rule }), chunks);
      }
      chunks += 1;
      const ack = onChunk?.(step.value);
      if (isPending(ack)) await untilSettledOrAborted(ack, signal);
    }
    return { outcome: outcomeOfAbort(signal.reason), chunks, error: null };
  } finally {
    reader?.dispose();
    if (open && iterator !== undefined) release(iterator);
  }
}

/** Whether a consumer answered with something to wait for (anything else means "go on"). */
function isPending(ack: unknown): ack is PromiseLike<void> {
  return (
    typeof ack === 'object' && ack !== null && typeof (ack as PromiseLike<void>).then === 'function'
  );
}

/** Waits for a consumer's ack; an abort ends the wait at once (the next check then stops). */
function untilSettledOrAborted(ack: PromiseLike<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    ack.then(done, done);
  });
}

const withDetail = (provider: string, detail: string | undefined) =>
  detail === undefined ? { provider } : { provider, detail };

/** Releases the provider on an early exit; a failing `return()` changes nothing. */
function release(iterator: AsyncIterator<unknown>): void {
  try {
    Promise.resolve(iterator.return?.()).catch(() => undefined);
  } catch {
    // The attempt is already settled; a throwing return() has nothing left to affect.
  }
}
