import { describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type LlmChunk,
  type LlmInput,
  type LlmPort,
  type ProviderSettlement,
} from '../../contracts/index.ts';
import { poolProviders } from './pooled-ports.ts';

/** An LLM port whose every stream waits until the test lets it end; it counts streams at once. */
function gatedLlm(max_concurrency: number) {
  const gates: (() => void)[] = [];
  const stats = { running: 0, peak: 0, opened: [] as string[] };
  const port: LlmPort = {
    capabilities: {
      provider_id: 'llm-gated',
      modality: 'llm',
      max_concurrency,
      streaming: { max_delta_chars: 100 },
    },
    async *stream(request) {
      stats.running += 1;
      stats.peak = Math.max(stats.peak, stats.running);
      stats.opened.push(request.provider_invocation_id);
      try {
        await new Promise<void>((resolve) => gates.push(resolve));
        yield { type: 'delta', index: 0, text: 'hi' };
      } finally {
        stats.running -= 1;
      }
    },
  };
  return { port, stats, release: () => gates.shift()?.() };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function call(port: LlmPort, id: string, signal = new AbortController().signal) {
  const input: AsyncIterable<LlmInput> = (async function* () {})();
  return invokeProvider(port, {
    provider_invocation_id: id,
    provider_id: port.capabilities.provider_id,
    modality: 'llm',
    attempt: 1,
    input,
    signal,
  } as Parameters<typeof invokeProvider<'llm', LlmInput, LlmChunk, LlmPort['capabilities']>>[1]);
}

describe('poolProviders (RK-26 in front of provider calls)', () => {
  it('runs at most max_concurrency streams of a provider at once, the rest in FIFO order', async () => {
    const llm = gatedLlm(2);
    const pooled = poolProviders({ llm: [llm.port] }, 8, () => 0);
    const port = pooled.providers.llm?.[0] as LlmPort;
    const calls = ['a', 'b', 'c', 'd'].map((id) => call(port, id));
    await settle();
    expect(llm.stats.opened).toEqual(['a', 'b']);
    expect(pooled.pool('llm-gated')?.stats().queue_depth).toBe(2);
    for (let i = 0; i < 4; i += 1) {
      llm.release();
      await settle();
    }
    const results: ProviderSettlement[] = await Promise.all(calls);
    expect(results.map((r) => r.outcome.class)).toEqual([
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(llm.stats.opened).toEqual(['a', 'b', 'c', 'd']);
    expect(llm.stats.peak).toBe(2);
  });

  it('fails a call beyond the queue at once as a retryable overload', async () => {
    const llm = gatedLlm(1);
    const port = poolProviders({ llm: [llm.port] }, 1, () => 0).providers.llm?.[0] as LlmPort;
    const running = call(port, 'a');
    const waiting = call(port, 'b');
    const refused = await call(port, 'c');
    expect(refused.outcome).toMatchObject({
      class: 'overload',
      retryable: true,
      reason: 'provider_overload',
    });
    expect(refused.error?.detail).toBe('execution_pool_full');
    llm.release();
    await settle();
    llm.release();
    expect((await running).outcome.class).toBe('success');
    expect((await waiting).outcome.class).toBe('success');
    expect(llm.stats.opened).toEqual(['a', 'b']);
  });

  it('never calls the provider for a call aborted while it waited, and frees its place', async () => {
    const llm = gatedLlm(1);
    // A queue of one: the aborted call's place must be free again for the next one.
    const pooled = poolProviders({ llm: [llm.port] }, 1, () => 0);
    const port = pooled.providers.llm?.[0] as LlmPort;
    const running = call(port, 'a');
    const controller = new AbortController();
    const waiting = call(port, 'b', controller.signal);
    await settle();
    controller.abort();
    expect((await waiting).outcome.class).toBe('cancelled');
    expect(pooled.pool('llm-gated')?.stats()).toMatchObject({ queue_depth: 0, withdrawn: 1 });
    const later = call(port, 'c');
    llm.release();
    await settle();
    llm.release();
    expect((await running).outcome.class).toBe('success');
    expect((await later).outcome.class).toBe('success');
    expect(llm.stats.opened).toEqual(['a', 'c']);
    expect(pooled.pool('llm-gated')?.stats()).toMatchObject({ in_flight: 0, queue_depth: 0 });
  });

  it('refuses calls once drained', async () => {
    const llm = gatedLlm(1);
    const pooled = poolProviders({ llm: [llm.port] }, 4, () => 0);
    await pooled.drain();
    const result = await call(pooled.providers.llm?.[0] as LlmPort, 'a');
    expect(result.outcome.class).toBe('infrastructure_failure');
    expect(result.error?.detail).toBe('execution_pool_closed');
    expect(llm.stats.opened).toEqual([]);
  });

  it('ends a waiting stream at once when its request aborts, as the port contract requires', async () => {
    const llm = gatedLlm(1);
    const port = poolProviders({ llm: [llm.port] }, 4, () => 0).providers.llm?.[0] as LlmPort;
    const running = call(port, 'a');
    const controller = new AbortController();
    const stream = port.stream({ provider_invocation_id: 'b', signal: controller.signal } as never);
    const waiting = stream[Symbol.asyncIterator]().next();
    let ended = false;
    void waiting.then(() => (ended = true));
    await settle();
    expect(ended).toBe(false);
    controller.abort();
    await settle();
    expect(ended).toBe(true);
    expect(await waiting).toEqual({ done: true, value: undefined });
    llm.release();
    expect((await running).outcome.class).toBe('success');
    expect(llm.stats.opened).toEqual(['a']);
  });

  it('calls a class-based port as a method, with its own `this`', async () => {
    class Echo {
      readonly capabilities = gatedLlm(1).port.capabilities;
      private readonly reply = 'from this';
      async *stream(): AsyncGenerator<LlmChunk> {
        await Promise.resolve();
        yield { type: 'delta', index: 0, text: this.reply };
      }
    }
    const port = poolProviders({ llm: [new Echo()] }, 4, () => 0).providers.llm?.[0] as LlmPort;
    const texts: string[] = [];
    const result = await invokeProvider(
      port,
      {
        provider_invocation_id: 'a',
        provider_id: 'llm-gated',
        modality: 'llm',
        attempt: 1,
        input: (async function* () {})(),
        signal: new AbortController().signal,
      } as never,
      (chunk) => {
        texts.push(chunk.text);
      },
    );
    expect(result.outcome.class).toBe('success');
    expect(texts).toEqual(['from this']);
  });

  it('does not limit a provider that declares no finite limit', async () => {
    const unlimited = gatedLlm(Number.POSITIVE_INFINITY);
    const port = poolProviders({ llm: [unlimited.port] }, 4, () => 0).providers.llm?.[0] as LlmPort;
    const calls = ['a', 'b', 'c'].map((id) => call(port, id));
    await settle();
    expect(unlimited.stats.peak).toBe(3);
    for (let i = 0; i < 3; i += 1) unlimited.release();
    expect((await Promise.all(calls)).map((r) => r.outcome.class)).toEqual([
      'success',
      'success',
      'success',
    ]);
  });

  it('refuses a bad max_concurrency or two ports with one provider_id at startup', () => {
    expect(() => poolProviders({ llm: [gatedLlm(0).port] }, 4, () => 0)).toThrow(
      /llm-gated capabilities.max_concurrency: expected an integer >= 1 or Infinity, received 0/,
    );
    expect(() => poolProviders({ llm: [gatedLlm(2.5).port] }, 4, () => 0)).toThrow(/received 2.5/);
    const twin = gatedLlm(1).port;
    expect(() => poolProviders({ llm: [twin, twin] }, 4, () => 0)).toThrow(
      /provider_id: expected ids unique across the catalogue, received llm-gated twice/,
    );
    expect(() => poolProviders({ llm: [twin] }, 0, () => 0)).toThrow(
      /limits.provider_queue: expected an integer >= 1, received 0/,
    );
  });

  it('frees the slot of a port whose stream throws at once', async () => {
    const llm = gatedLlm(1);
    const broken: LlmPort = {
      capabilities: llm.port.capabilities,
      stream: () => {
        throw new Error('boom');
      },
    };
    const pooled = poolProviders({ llm: [broken] }, 4, () => 0);
    const result = await call(pooled.providers.llm?.[0] as LlmPort, 'a');
    expect(result.outcome.class).toBe('infrastructure_failure');
    expect(pooled.pool('llm-gated')?.stats()).toMatchObject({ in_flight: 0, completed: 1 });
  });

  it('holds the slot until an aborted stream has really closed', async () => {
    const teardowns: (() => void)[] = [];
    const stats = { running: 0, peak: 0, opened: 0 };
    const slow: LlmPort = {
      capabilities: gatedLlm(1).port.capabilities,
      async *stream(request) {
        stats.opened += 1;
        stats.running += 1;
        stats.peak = Math.max(stats.peak, stats.running);
        try {
          yield { type: 'delta', index: 0, text: 'hi' };
          // As the port contract requires, the stream ends when its request aborts.
          await new Promise<void>((resolve) => {
            request.signal.addEventListener('abort', () => resolve(), { once: true });
          });
        } finally {
          // The provider needs a moment to close its connection.
          await new Promise<void>((resolve) => teardowns.push(resolve));
          stats.running -= 1;
        }
      },
    };
    const port = poolProviders({ llm: [slow] }, 4, () => 0).providers.llm?.[0] as LlmPort;
    const a = new AbortController();
    const first = call(port, 'a', a.signal);
    await settle();
    a.abort();
    expect((await first).outcome.class).toBe('cancelled');
    const b = new AbortController();
    const second = call(port, 'b', b.signal);
    await settle();
    // `a` is still closing: `b` waits for its slot.
    expect(stats).toEqual({ running: 1, peak: 1, opened: 1 });
    teardowns.shift()?.();
    await settle();
    expect(stats).toEqual({ running: 1, peak: 1, opened: 2 });
    b.abort();
    expect((await second).outcome.class).toBe('cancelled');
    teardowns.shift()?.();
    await settle();
    expect(stats.running).toBe(0);
  });

  it('ends a request that was aborted before it asked for a slot without queueing it', async () => {
    const llm = gatedLlm(1);
    const pooled = poolProviders({ llm: [llm.port] }, 4, () => 0);
    const port = pooled.providers.llm?.[0] as LlmPort;
    const running = call(port, 'a');
    const stream = port.stream({ signal: AbortSignal.abort() } as never);
    expect(await stream[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(pooled.pool('llm-gated')?.stats()).toMatchObject({ queue_depth: 0, submitted: 1 });
    llm.release();
    expect((await running).outcome.class).toBe('success');
  });
});
