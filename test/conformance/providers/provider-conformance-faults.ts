/**
 * Fault and determinism cases of the provider conformance suite, for targets that honour
 * injected faults and seeds (the sims; real adapters replaying recorded sessions may not).
 */
import { expect, it } from 'vitest';
import { invokeProvider } from '../../../contracts/index.ts';
import type { ChunkRule, ProviderModality } from '../../../contracts/internal.ts';
import { createZeroLatencyScheduler } from '../../../adapters/providers/sim/index.ts';
import type {
  AnyCapabilities,
  ConformanceKit,
  ProviderConformanceTarget,
} from './provider-conformance-kit.ts';

/** Each injected fault settles to its outcome table row. */
export function defineFaultCases<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
>(
  target: ProviderConformanceTarget<TModality, TInput, TChunk, TCapabilities>,
  kit: ConformanceKit<TModality, TInput, TChunk, TCapabilities>,
  malformedRule: ChunkRule,
): void {
  const { setup, invoke } = kit;
  const failed = (
    cls: string,
    reason: string,
    retryable: boolean,
    circuit_open = false,
    backoff_ms = 0,
  ) => ({ class: cls, reason, retryable, circuit_open, backoff_ms });

  it('fault timeout: never yields until the deadline aborts it, then settles as timeout', async () => {
    const { port, scheduler } = setup({ fault: { kind: 'timeout' } });
    const controller = new AbortController();
    const result = await invoke(port, scheduler, controller, async () => {
      await scheduler.advance(3_600_000);
      expect(scheduler.pending()).toBe(1);
      controller.abort(new DOMException('deadline', 'TimeoutError'));
    });
    expect(result.outcome).toEqual(failed('timeout', 'provider_timeout', true));
    expect(result.collected).toEqual([]);
    expect(scheduler.pending()).toBe(0);
  });

  it.each([
    [{ kind: 'rate_limit', retry_after_s: 2 }, 2000],
    [{ kind: 'rate_limit' }, 500],
  ] as const)('fault %j: settles as overload with backoff %i ms', async (fault, backoff) => {
    const { port, scheduler } = setup({ fault });
    const result = await invoke(port, scheduler);
    expect(result.outcome).toEqual(failed('overload', 'provider_overload', true, true, backoff));
    expect([result.chunks, result.error?.code, result.error?.status]).toEqual([
      0,
      'http_status',
      429,
    ]);
  });

  it.each([0, 1, 2])('fault disconnect after %i chunks: provider_transport_error', async (k) => {
    const { port, scheduler } = setup({ fault: { kind: 'disconnect', after_chunks: k } });
    const result = await invoke(port, scheduler);
    expect(result.outcome).toEqual(
      failed('infrastructure_failure', 'provider_transport_error', true),
    );
    expect(result.chunks).toBe(k);
  });

  it('fault zero_output: an empty stream is a failure', async () => {
    const { port, scheduler } = setup({ fault: { kind: 'zero_output' } });
    const result = await invoke(port, scheduler);
    const tts = target.modality === 'tts';
    const reason = tts ? 'provider_empty_audio' : 'provider_server_error';
    expect(result.outcome).toEqual(failed('infrastructure_failure', reason, true));
    expect(result.error?.code).toBe(tts ? 'empty_audio' : 'empty_output');
    expect(result.chunks).toBe(0);
  });

  it('fault malformed: the chunk is detected, never forwarded, and fails the attempt', async () => {
    const { port, scheduler } = setup({ fault: { kind: 'malformed', at_chunk: 1 } });
    const result = await invoke(port, scheduler);
    expect(result.outcome).toEqual(failed('infrastructure_failure', 'provider_server_error', true));
    expect([result.error?.code, result.error?.detail]).toEqual(['malformed_output', malformedRule]);
    expect(result.collected).toHaveLength(1);
    expect(scheduler.pending()).toBe(0);
  });
}

/** Same seed, same chunks (on any scheduler); another seed, other chunks. */
export function defineDeterminismCases<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
>(
  target: ProviderConformanceTarget<TModality, TInput, TChunk, TCapabilities>,
  kit: ConformanceKit<TModality, TInput, TChunk, TCapabilities>,
): void {
  const { setup, request, invoke } = kit;
  const chunksOf = async (seed: number, zeroLatency = false) => {
    if (zeroLatency) {
      const port = target.create({ seed, scheduler: createZeroLatencyScheduler() });
      const collected: TChunk[] = [];
      const signal = new AbortController().signal;
      await invokeProvider(port, request(port, signal), (chunk) => void collected.push(chunk));
      return collected;
    }
    const { port, scheduler } = setup({ seed });
    return (await invoke(port, scheduler)).collected;
  };

  it('yields identical chunks for the same seed, on any scheduler', async () => {
    const first = await chunksOf(42);
    expect(first.length).toBeGreaterThan(0);
    expect(await chunksOf(42)).toEqual(first);
    expect(await chunksOf(42, true)).toEqual(first);
  });

  it('yields different chunks for a different seed', async () => {
    expect(await chunksOf(43)).not.toEqual(await chunksOf(42));
  });
}
