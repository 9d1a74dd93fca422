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
    const pooled = poolProviders({ llm: [llm.port] }, 4, () => 0);
    const port = pooled.providers.llm?.[0] as LlmPort;
    const running = call(port, 'a');
    const controller = new AbortController();
    const waiting = call(port, 'b', controller.signal);
    await settle();
    controller.abort();
    expect((await waiting).outcome.class).toBe('cancelled');
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
      (chunk) => texts.push(chunk.text),
    );
    expect(result.outcome.class).toBe('success');
    expect(texts).toEqual(['from this']);
  });

  it('gives a provider without a finite limit a pool instead of failing at startup', () => {
    const unlimited = gatedLlm(Number.POSITIVE_INFINITY);
    const pooled = poolProviders({ llm: [unlimited.port] }, 4, () => 0);
    expect(pooled.pool('llm-gated')?.state).toBe('open');
  });
});
