/**
 * The provider conformance suite: one definition of the observable behaviour of a provider port,
 * run against every STT, LLM and TTS implementation (sims now, real adapters later). Time is a
 * manual clock; nothing here sleeps or reads the wall clock. Fault and determinism cases live in
 * provider-conformance-faults.ts, the target types and helpers in provider-conformance-kit.ts.
 */
import { describe, expect, it } from 'vitest';
import { invokeProvider } from '../../../contracts/index.ts';
import type { ProviderCapabilities, ProviderModality } from '../../../contracts/internal.ts';
import { attemptFields, fromArray, nextTick, requestOf, stalledInput } from './fixtures.ts';
import {
  createConformanceKit,
  type AnyCapabilities,
  type ProviderConformanceTarget,
} from './provider-conformance-kit.ts';
import { defineDeterminismCases, defineFaultCases } from './provider-conformance-faults.ts';

export type { ProviderConformanceTarget, ProviderTestEnv } from './provider-conformance-kit.ts';

/** Defines the shared describe block for one implementation. */
export function defineProviderConformance<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
>(target: ProviderConformanceTarget<TModality, TInput, TChunk, TCapabilities>): void {
  const kit = createConformanceKit(target);
  const { setup, request, invoke } = kit;

  describe(`provider conformance: ${target.name}`, () => {
    it('declares its provider id, modality, concurrency and streaming profile', () => {
      const caps: ProviderCapabilities = setup().port.capabilities;
      expect(caps.provider_id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
      expect(caps.modality).toBe(target.modality);
      expect(Number.isInteger(caps.max_concurrency) && caps.max_concurrency >= 1).toBe(true);
      if (caps.modality === 'stt') {
        expect(caps.streaming.input.length).toBeGreaterThan(0);
        expect(caps.streaming.sample_rate_hz).toBeGreaterThan(0);
        if (caps.streaming.rollback) expect(caps.streaming.partials).toBe(true);
      } else if (caps.modality === 'llm') {
        expect(Number.isInteger(caps.streaming.max_delta_chars)).toBe(true);
        expect(caps.streaming.max_delta_chars).toBeGreaterThan(0);
      } else {
        expect(caps.streaming.encoding).toBe('pcm16');
        const samples = (caps.streaming.sample_rate_hz * caps.streaming.frame_ms) / 1000;
        expect(Number.isInteger(samples) && samples > 0).toBe(true);
      }
    });

    it('streams to completion with contract-valid chunks and settles as success', async () => {
      const { port, scheduler } = setup();
      const result = await invoke(port, scheduler);
      expect(result.outcome).toEqual({
        class: 'success',
        retryable: false,
        circuit_open: false,
        backoff_ms: 0,
      });
      expect(result.error).toBeNull();
      expect(result.chunks).toBeGreaterThan(0);
      expect(result.collected).toHaveLength(result.chunks);
      expect(scheduler.pending()).toBe(0);
    });

    it('does no work before the first next()', async () => {
      const { port, scheduler } = setup();
      port.stream(request(port, new AbortController().signal));
      await scheduler.flush();
      expect(scheduler.pending()).toBe(0);
    });

    it('yields nothing and settles as cancelled when cancel_requested is set', async () => {
      const { port, scheduler } = setup();
      const signal = new AbortController().signal;
      const fields = attemptFields(target.modality, port.capabilities.provider_id, {
        cancel_requested: true,
      });
      const iterator = port.stream(requestOf(fields, fromArray(target.input()), signal));
      const first = iterator[Symbol.asyncIterator]().next();
      await scheduler.runAll();
      expect(await first).toEqual({ done: true, value: undefined });
      const settled = await invokeProvider(port, requestOf(fields, fromArray([]), signal));
      expect(settled.outcome).toMatchObject({ class: 'cancelled', reason: 'provider_cancelled' });
    });

    it('yields no chunk after an abort and ends within the same tick', async () => {
      const { port, scheduler } = setup();
      const controller = new AbortController();
      const iterator = port.stream(request(port, controller.signal))[Symbol.asyncIterator]();
      const first = iterator.next();
      await scheduler.advance(60_000);
      expect((await first).done).toBe(false);
      controller.abort();
      let afterAbort = 0;
      const drain = (async () => {
        while ((await iterator.next()).done !== true) afterAbort += 1;
        return 'ended' as const;
      })();
      expect(await Promise.race([drain, nextTick()])).toBe('ended');
      await scheduler.runAll();
      expect(afterAbort).toBe(0);
    });

    it('ends a next() pending on the clock at the abort, without time moving', async () => {
      const { port, scheduler } = setup();
      const controller = new AbortController();
      const iterator = port.stream(request(port, controller.signal))[Symbol.asyncIterator]();
      const pending = iterator.next();
      await scheduler.flush();
      const now = scheduler.now();
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      expect(scheduler.now()).toBe(now);
      expect(scheduler.pending()).toBe(0);
    });

    it('stops reading a stalled input on abort and releases it', async () => {
      const { port, scheduler } = setup();
      const controller = new AbortController();
      const input = stalledInput<TInput>();
      const stream = port.stream(request(port, controller.signal, input));
      const pending = stream[Symbol.asyncIterator]().next();
      await scheduler.runAll();
      controller.abort();
      expect(await Promise.race([pending, nextTick()])).toEqual({ done: true, value: undefined });
      expect(input.returned).toBe(1);
    });

    it('settles an abort as cancelled / provider_cancelled, counting 0 chunks after it', async () => {
      const { port, scheduler } = setup();
      const controller = new AbortController();
      let afterAbort = 0;
      const settling = invokeProvider(port, request(port, controller.signal), () => {
        if (controller.signal.aborted) afterAbort += 1;
        else controller.abort();
      });
      await scheduler.runAll();
      const settled = await settling;
      expect(settled).toEqual({
        outcome: {
          class: 'cancelled',
          retryable: false,
          reason: 'provider_cancelled',
          circuit_open: false,
          backoff_ms: 0,
        },
        chunks: 1,
        error: null,
      });
      expect(afterAbort).toBe(0);
    });

    it('settles an abort whose reason is a deadline as timeout / provider_timeout', async () => {
      const { port, scheduler } = setup();
      const controller = new AbortController();
      const result = await invoke(port, scheduler, controller, async () => {
        await scheduler.flush();
        controller.abort(new DOMException('deadline', 'TimeoutError'));
      });
      expect(result.outcome).toMatchObject({ class: 'timeout', reason: 'provider_timeout' });
      expect(result.chunks).toBe(0);
    });

    if (target.faults !== undefined) defineFaultCases(target, kit, target.faults.malformed_rule);
    if (target.seeded) defineDeterminismCases(target, kit);
  });
}
