/**
 * RK-26 in front of provider calls: every provider port of a runtime gets one execution pool
 * with as many slots as the provider declares (`capabilities.max_concurrency`) and a bounded
 * FIFO queue. A stream waits for a slot before the provider is called and holds it until the
 * stream ends. When the queue is full, the call fails at once as `rate_limited` (a retryable
 * overload, with backoff) instead of waiting without bound.
 */
import { AdapterError, type ProviderRequest } from '../../contracts/index.ts';
import type { AnyProviderPort } from '../../contracts/internal.ts';
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
  if (!Number.isSafeInteger(queue) || queue < 1) {
    throw new RangeError(
      `limits.provider_queue: expected an integer >= 1, received ${String(queue)}`,
    );
  }
  const pools = new Map<string, ExecutionPool>();
  const wrap = <TPort extends AnyProviderPort>(ports: readonly TPort[] | undefined) =>
    ports?.map((port) => {
      const { provider_id, max_concurrency } = port.capabilities;
      // One pool per provider: two ports under one id would share (and drain) the wrong one.
      if (pools.has(provider_id)) {
        throw new RangeError(
          `provider_id: expected ids unique across the catalogue, received ${provider_id} twice`,
        );
      }
      const pool = createExecutionPool({
        capacity: queue,
        concurrency: slotsOf(provider_id, max_concurrency),
        clock,
      });
      pools.set(provider_id, pool);
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

/** Slots of a provider that declares no limit (`Infinity`): more than a runtime ever runs. */
const UNLIMITED_SLOTS = 1_000_000;

/** Slots for a declared `max_concurrency`; anything but an integer >= 1 or `Infinity` throws. */
function slotsOf(provider_id: string, max_concurrency: number): number {
  if (max_concurrency === Number.POSITIVE_INFINITY) return UNLIMITED_SLOTS;
  if (Number.isSafeInteger(max_concurrency) && max_concurrency >= 1) return max_concurrency;
  throw new RangeError(
    `${provider_id} capabilities.max_concurrency: expected an integer >= 1 or Infinity, received ${String(max_concurrency)}`,
  );
}

/** `port` with its streams run in `pool`'s slots. */
function pooledPort<TPort extends AnyProviderPort>(port: TPort, pool: ExecutionPool): TPort {
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
 * The port's stream, opened once a slot is free and holding it until the stream has ended or
 * been closed by the provider. A hand-written iterator rather than an async generator:
 * delegating with `yield*` costs several promises per chunk, this costs one. A request that
 * aborts while it waits ends at once and gives its place in the queue back.
 */
function slotIterator(
  pool: ExecutionPool,
  port: AnyProviderPort,
  request: AnyRequest,
): AsyncIterator<unknown> {
  let inner: AsyncIterator<unknown> | null = null;
  let slot: Promise<void> | null = null;
  let queued: number | null = null;
  let release: (() => void) | null = null;
  let ended = false;
  const DONE: IteratorResult<unknown> = { done: true, value: undefined };
  const finish = (): void => {
    ended = true;
    if (queued !== null) pool.withdraw(queued);
    queued = null;
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
    try {
      inner ??= (port as ProviderPortOf<AnyRequest>).stream(request)[Symbol.asyncIterator]();
      return inner.next().then(step, fail);
    } catch (error) {
      // A port that throws synchronously must not keep its slot.
      return Promise.reject(error instanceof Error ? error : new Error(String(error))).catch(fail);
    }
  };
  const acquire = (): Promise<void> => {
    let wake = (): void => undefined;
    let started = false;
    // The port contract: an abort ends the stream at once, also while it waits for a slot.
    const onAbort = (): void => {
      finish();
      wake();
    };
    const submitted = pool.submit(() => {
      started = true;
      queued = null;
      request.signal.removeEventListener('abort', onAbort);
      wake();
      if (ended) return undefined;
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
    queued = submitted.id;
    request.signal.addEventListener('abort', onAbort, { once: true });
    return new Promise<void>((resolve) => (wake = resolve));
  };
  return {
    next() {
      if (ended) return Promise.resolve(DONE);
      if (inner !== null) return read();
      if (request.signal.aborted) {
        finish();
        return Promise.resolve(DONE);
      }
      slot ??= acquire();
      return slot.then(() => (ended || request.signal.aborted ? (finish(), DONE) : read()));
    },
    return(value?: unknown) {
      const open = inner;
      if (open?.return === undefined) {
        finish();
        return Promise.resolve(DONE);
      }
      ended = true;
      // The slot is held until the provider has really closed (its teardown may take a while).
      return Promise.resolve(open.return(value)).then(
        (result) => {
          finish();
          return result;
        },
        (error: unknown) => fail(error),
      );
    },
  };
}
