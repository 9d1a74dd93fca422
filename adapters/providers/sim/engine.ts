/**
 * The engine shared by the three sims: options and faults, abort-aware input reading, pacing on
 * the injected scheduler with seeded jitter, the concurrency limit and fault injection around a
 * modality's lazily planned chunks. Every await races the request's signal, and every yield is
 * followed by an abort check, so no chunk is produced after an abort.
 */
import { AdapterError } from '../../../contracts/index.ts';
import {
  ABORTED,
  abortableReader,
  type ProviderAttemptFields,
  type ProviderModality,
  type ProviderScheduler,
} from '../../../contracts/internal.ts';
import { seededRandom, type SimSeed } from './prng.ts';

/** A fault a sim injects into one attempt. */
export type SimFault =
  /** Never yields until aborted (the caller's deadline decides). */
  | { readonly kind: 'timeout' }
  /** Fails with HTTP 429 when the first chunk is due; `Retry-After` when given. */
  | { readonly kind: 'rate_limit'; readonly retry_after_s?: number }
  /** Yields `after_chunks` chunks, then fails with a transport error. */
  | { readonly kind: 'disconnect'; readonly after_chunks: number }
  /** Consumes its input and completes without a chunk. */
  | { readonly kind: 'zero_output' }
  /** Replaces chunk `at_chunk` (default 1) with one that breaks the chunk contract. */
  | { readonly kind: 'malformed'; readonly at_chunk?: number };

/** A fault for every attempt, or one chosen per attempt (e.g. only on `attempt === 1`). */
export type SimFaultPlan = SimFault | ((attempt: ProviderAttemptFields) => SimFault | undefined);

/** Options every sim takes. */
export interface SimOptions {
  /** Seed of every generated chunk and of the jitter of every wait. */
  readonly seed: SimSeed;
  /** Where the sim waits: real, manual or zero-latency. */
  readonly scheduler: ProviderScheduler;
  /** Declared `provider_id` (default `<modality>-sim`). */
  readonly provider_id?: string;
  /** Wait before the first chunk; the seed jitters each wait within ±20 % (0 stays 0). */
  readonly first_chunk_ms?: number;
  /** Wait between chunks, jittered like `first_chunk_ms`. */
  readonly chunk_interval_ms?: number;
  /** Chunks per stream (STT: partials + final; LLM: deltas; TTS: frames per input text chunk). */
  readonly chunk_count?: number;
  /** Declared and enforced max concurrent streams (default 4). */
  readonly max_concurrency?: number;
  /** Injected fault. */
  readonly fault?: SimFaultPlan;
  /**
   * Declares `resumable_output` (default true: a retried sim attempt repeats its chunks exactly,
   * so the runtime may resume it after delivered output by skipping what went out).
   */
  readonly resumable?: boolean;
}

/** Options with every default applied. */
export interface ResolvedSimOptions {
  readonly seed: SimSeed;
  readonly scheduler: ProviderScheduler;
  readonly provider_id: string;
  readonly first_chunk_ms: number;
  readonly chunk_interval_ms: number;
  readonly chunk_count: number;
  readonly max_concurrency: number;
  readonly fault: SimFaultPlan | undefined;
  readonly resumable: boolean;
}

/** Default timing and size of one modality. */
export interface SimDefaults {
  readonly first_chunk_ms: number;
  readonly chunk_interval_ms: number;
  readonly chunk_count: number;
}

const count = (value: number | undefined, fallback: number, min: number): number =>
  value !== undefined && Number.isInteger(value) && value >= min ? value : fallback;

/** Applies the modality's defaults to the options. */
export function resolveSimOptions(
  modality: ProviderModality,
  options: SimOptions,
  defaults: SimDefaults,
): ResolvedSimOptions {
  return {
    seed: options.seed,
    scheduler: options.scheduler,
    provider_id: options.provider_id ?? `${modality}-sim`,
    first_chunk_ms: count(options.first_chunk_ms, defaults.first_chunk_ms, 0),
    chunk_interval_ms: count(options.chunk_interval_ms, defaults.chunk_interval_ms, 0),
    chunk_count: count(options.chunk_count, defaults.chunk_count, 1),
    max_concurrency: count(options.max_concurrency, 4, 1),
    fault: options.fault,
    resumable: options.resumable ?? true,
  };
}

/** Largest seeded deviation of a wait from its option, as a fraction of the option. */
const JITTER = 0.2;

/**
 * The seeded waits of one attempt: each wait of `ms > 0` becomes `ms` ±20 %, rounded to whole ms
 * (at least 1), drawn in order from the seed, provider, turn and attempt; 0 and `Infinity` stay
 * as they are, so zero-latency options stay zero.
 *
 * @remarks The session id is left out: the same script under another session id (the NATS and
 * embedded runs of `rspp run`) keeps its timing.
 */
function seededPace(
  options: ResolvedSimOptions,
  request: ProviderAttemptFields,
): (ms: number) => number {
  const { seed, provider_id } = options;
  const random = seededRandom(seed, provider_id, 'pace', request.turn_id, request.attempt);
  return (ms) =>
    ms > 0 && Number.isFinite(ms)
      ? Math.max(1, Math.round(ms * (1 - JITTER + 2 * JITTER * random())))
      : ms;
}

/** Reads `input` until it ends or `signal` aborts, whichever comes first (a stalled input too). */
export async function* readInput<TInput>(
  input: AsyncIterable<TInput>,
  signal: AbortSignal,
): AsyncGenerator<TInput, void, undefined> {
  if (signal.aborted) return;
  const iterator = input[Symbol.asyncIterator]();
  const reader = abortableReader(iterator, signal);
  let done = false;
  try {
    for (;;) {
      const step = await reader.next();
      if (step === ABORTED || signal.aborted) return;
      if (step.done === true) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    reader.dispose();
    if (!done) iterator.return?.().catch(() => undefined);
  }
}

/** What a modality gives the engine for one attempt. */
export interface SimAttempt<TChunk> {
  /** Options of the sim. */
  readonly options: ResolvedSimOptions;
  /** Request fields (for the fault plan). */
  readonly request: ProviderAttemptFields & { readonly signal: AbortSignal };
  /** Concurrency counter of the sim instance. */
  readonly active: { count: number };
  /** The well-formed chunks, planned lazily (reading input with {@link readInput}). */
  planned(): AsyncIterable<TChunk>;
  /** A version of `chunk` that breaks the chunk contract. */
  malformed(chunk: TChunk): TChunk;
}

/** Runs one sim attempt: cancel check, concurrency, fault, seeded pacing; ends silently on abort. */
export async function* runSim<TChunk>(
  attempt: SimAttempt<TChunk>,
): AsyncGenerator<TChunk, void, undefined> {
  const { options, request, active } = attempt;
  const { signal } = request;
  const { scheduler, provider_id: provider } = options;
  if (request.cancel_requested || signal.aborted) return;
  if (active.count >= options.max_concurrency) {
    throw new AdapterError('rate_limited', { provider, detail: 'max_concurrency' });
  }
  active.count += 1;
  const pace = seededPace(options, request);
  try {
    const fault = typeof options.fault === 'function' ? options.fault(request) : options.fault;
    if (fault?.kind === 'timeout') {
      await scheduler.sleep(Infinity, signal);
      return;
    }
    if (fault?.kind === 'rate_limit') {
      if (!(await scheduler.sleep(pace(options.first_chunk_ms), signal))) return;
      const after = fault.retry_after_s;
      throw new AdapterError('http_status', {
        provider,
        status: 429,
        ...(after === undefined ? {} : { retry_after_ms: after * 1000 }),
      });
    }
    const disconnect = () =>
      new AdapterError('transport_error', { provider, detail: 'stream_disconnected' });
    let index = 0;
    for await (const chunk of attempt.planned()) {
      if (signal.aborted) return;
      if (fault?.kind === 'zero_output') continue;
      const wait = index === 0 ? options.first_chunk_ms : options.chunk_interval_ms;
      if (!(await scheduler.sleep(pace(wait), signal))) return;
      if (fault?.kind === 'disconnect' && index >= fault.after_chunks) throw disconnect();
      const bad = fault?.kind === 'malformed' && index === (fault.at_chunk ?? 1);
      yield bad ? attempt.malformed(chunk) : chunk;
      if (signal.aborted) return;
      index += 1;
    }
    if (signal.aborted) return;
    if (fault?.kind === 'disconnect') {
      if (!(await scheduler.sleep(pace(options.chunk_interval_ms), signal))) return;
      throw disconnect();
    }
  } finally {
    active.count -= 1;
  }
}
