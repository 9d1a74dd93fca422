/**
 * RK-26 in front of provider calls: every provider port of a runtime gets one execution pool
 * with as many slots as the provider declares (`capabilities.max_concurrency`) and a bounded
 * FIFO queue. A stream waits for a slot before the provider is called and holds it until the
 * stream ends. When the queue is full, the call fails at once as `rate_limited` (a retryable
 * overload, with backoff) instead of waiting without bound.
 */
import { AdapterError, type AnyProviderPort, type ProviderRequest } from '../../contracts/index.ts';
import type { ProviderCatalogue } from '../nodes/types.ts';
import { createExecutionPool, type ExecutionPool, type PoolClock } from './pool.ts';

/** A runtime's provider ports behind their pools. */
export type PooledCatalogue = {
  readonly providers: ProviderCatalogue;
  /** The pool of one provider, by `provider_id`. */
  pool(provider_id: string): ExecutionPool | undefined;
  /** Refuses new calls and waits for queued and running ones to end. */
  drain(): Promise<void>;
};

/** Wraps every port of `catalogue`; `queue` bounds the calls waiting per provider. */
export function poolProviders(
  catalogue: ProviderCatalogue,
  queue: number,
  clock: PoolClock,
): PooledCatalogue {
  const pools = new Map<string, ExecutionPool>();
  const wrap = <TPort extends AnyProviderPort>(ports: readonly TPort[] | undefined) =>
    ports?.map((port) => {
      const pool = createExecutionPool({
        capacity: queue,
        concurrency: slotsOf(port.capabilities.max_concurrency),
        clock,
      });
      pools.set(port.capabilities.provider_id, pool);
      return pooledPort(port, pool);
    });
  const stt = wrap(catalogue.stt);
  const llm = wrap(catalogue.llm);
  const tts = wrap(catalogue.tts);
  return {
    providers: {
      ...(stt === undefined ? {} : { stt }),
      ...(llm === undefined ? {} : { llm }),
      ...(tts === undefined ? {} : { tts }),
    },
    pool: (provider_id) => pools.get(provider_id),
    drain: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.drain()));
    },
  };
}

/** Most slots a pool gets: a provider declaring more (or no limit) is not limited here. */
const MAX_SLOTS = 1_000_000;

/** Slots for a declared `max_concurrency`: at least 1, at most {@link MAX_SLOTS}. */
function slotsOf(max_concurrency: number): number {
  if (Number.isNaN(max_concurrency)) return 1;
  return Math.min(MAX_SLOTS, Math.max(1, Math.floor(max_concurrency)));
}

/** `port` with its streams run in `pool`'s slots. */
export function pooledPort<TPort extends AnyProviderPort>(port: TPort, pool: ExecutionPool): TPort {
  const stream = (request: ProviderRequest<TPort['capabilities']['modality'], unknown>) => ({
    [Symbol.asyncIterator]: () => slotIterator(pool, port, request),
  });
  // Only the port's two members: a spread would drop getters and methods of a class instance.
  return { capabilities: port.capabilities, stream } as TPort;
}

type AnyRequest = ProviderRequest<AnyProviderPort['capabilities']['modality'], unknown>;
/** A port seen through one request type (the union's `stream` takes no single request type). */
type ProviderPortOf<TRequest> = { stream(request: TRequest): AsyncIterable<unknown> };

/**
 * The port's stream, opened once a slot is free and holding it until the stream ends or is
 * returned. A hand-written iterator rather than an async generator: delegating with `yield*`
 * costs several promises per chunk, this costs one. A call aborted while it waits is never
 * made; its slot is handed back as soon as the pool reaches it.
 */
function slotIterator(
  pool: ExecutionPool,
  port: AnyProviderPort,
  request: AnyRequest,
): AsyncIterator<unknown> {
  let inner: AsyncIterator<unknown> | null = null;
  let slot: Promise<void> | null = null;
  let release: (() => void) | null = null;
  let ended = false;
  const finish = (): void => {
    ended = true;
    release?.();
    release = null;
  };
  const step = (result: IteratorResult<unknown>): IteratorResult<unknown> => {
    if (result.done === true) finish();
    return result;
  };
  const fail = (error: unknown): never => {
    finish();
    throw error;
  };
  const read = (): Promise<IteratorResult<unknown>> => {
    inner ??= (port as ProviderPortOf<AnyRequest>).stream(request)[Symbol.asyncIterator]();
    return inner.next().then(step, fail);
  };
  const acquire = (): Promise<void> => {
    let wake = (): void => undefined;
    let started = false;
    // The port contract: an abort ends the stream at once, also while it waits for a slot.
    const onAbort = (): void => wake();
    const submitted = pool.submit(() => {
      started = true;
      request.signal.removeEventListener('abort', onAbort);
      wake();
      // A consumer that left while this call waited: the slot goes back at once.
      if (ended || request.signal.aborted) return undefined;
      return new Promise<void>((resolve) => (release = resolve));
    });
    if (!submitted.accepted) {
      ended = true;
      return Promise.reject(
        new AdapterError(submitted.reason === 'full' ? 'rate_limited' : 'invoke_failed', {
          provider: port.capabilities.provider_id,
          detail: `execution_pool_${submitted.reason}`,
        }),
      );
    }
    if (started) return Promise.resolve();
    request.signal.addEventListener('abort', onAbort, { once: true });
    return new Promise<void>((resolve) => (wake = resolve));
  };
  return {
    next() {
      if (ended) return Promise.resolve({ done: true, value: undefined });
      if (inner !== null) return read();
      slot ??= acquire();
      return slot.then(() => {
        if (ended || request.signal.aborted) {
          finish();
          return { done: true, value: undefined };
        }
        return read();
      });
    },
    return(value?: unknown) {
      const open = inner;
      finish();
      return open?.return !== undefined
        ? open.return(value)
        : Promise.resolve({ done: true, value: undefined });
    },
  };
}
