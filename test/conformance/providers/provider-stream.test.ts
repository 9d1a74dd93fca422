// The chunk contract and invokeProvider against hand-written misbehaving ports (what a buggy or
// hostile real adapter could do that the sims never do).
import { describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type LlmCapabilities,
  type LlmChunk,
  type LlmInput,
  type LlmPort,
  type SttCapabilities,
  type TtsCapabilities,
} from '../../../contracts/index.ts';
import { createChunkChecker } from '../../../contracts/internal.ts';
import { attemptFields, fromArray, nextTick, requestOf } from './fixtures.ts';

const stt = (partials = true): SttCapabilities => ({
  provider_id: 'stt-x',
  modality: 'stt',
  max_concurrency: 1,
  streaming: { input: ['audio'], sample_rate_hz: 16_000, partials, rollback: false },
});
const llm: LlmCapabilities = {
  provider_id: 'llm-x',
  modality: 'llm',
  max_concurrency: 1,
  streaming: { max_delta_chars: 4 },
};
const tts: TtsCapabilities = {
  provider_id: 'tts-x',
  modality: 'tts',
  max_concurrency: 1,
  streaming: { encoding: 'pcm16', sample_rate_hz: 8000, frame_ms: 10 },
};
const frame = (index: number, input_index = 0, samples = 80) => ({
  type: 'audio',
  index,
  input_index,
  pcm: new Int16Array(samples),
  sample_rate_hz: 8000,
  duration_ms: 10,
});

describe('createChunkChecker', () => {
  const firstViolation = (checker: ReturnType<typeof createChunkChecker>, chunks: unknown[]) =>
    chunks.map((chunk) => checker.chunk(chunk)).find((rule) => rule !== null) ?? null;

  it.each([
    ['a non-object', [null], 'chunk_shape'],
    ['an array', [[]], 'chunk_shape'],
    ['a foreign type', [{ type: 'delta', index: 0, text: 'x' }], 'chunk_type'],
    ['an index gap', [{ type: 'partial', index: 1, text: 'x' }], 'chunk_index'],
    ['a missing text', [{ type: 'final', index: 0 }], 'chunk_shape'],
    ['an empty partial', [{ type: 'partial', index: 0, text: ' ' }], 'stt_partial_empty'],
    [
      'a chunk after the final',
      [
        { type: 'final', index: 0, text: '' },
        { type: 'partial', index: 1, text: 'x' },
      ],
      'stt_after_final',
    ],
  ] as const)('flags STT %s', (_, chunks, rule) => {
    expect(firstViolation(createChunkChecker(stt()), [...chunks])).toBe(rule);
  });

  it('flags an STT partial when partials are not declared, and a missing final at the end', () => {
    expect(createChunkChecker(stt(false)).chunk({ type: 'partial', index: 0, text: 'x' })).toBe(
      'chunk_type',
    );
    const checker = createChunkChecker(stt());
    expect(checker.chunk({ type: 'partial', index: 0, text: 'x' })).toBeNull();
    expect(checker.end(1)).toEqual({ code: 'malformed_output', rule: 'stt_missing_final' });
    expect(createChunkChecker(stt()).end(0)).toEqual({ code: 'empty_output' });
  });

  it.each([
    ['an empty delta', { type: 'delta', index: 0, text: '' }, 'llm_delta_empty'],
    [
      'a delta over max_delta_chars',
      { type: 'delta', index: 0, text: 'hello' },
      'llm_delta_too_long',
    ],
    ['a non-string delta', { type: 'delta', index: 0, text: 7 }, 'chunk_shape'],
  ] as const)('flags LLM %s', (_, chunk, rule) => {
    expect(createChunkChecker(llm).chunk(chunk)).toBe(rule);
  });

  it.each([
    ['a short frame', [frame(0, 0, 79)], 'tts_frame_size'],
    ['a wrong sample rate', [{ ...frame(0), sample_rate_hz: 16_000 }], 'tts_format'],
    ['a wrong duration', [{ ...frame(0), duration_ms: 20 }], 'tts_format'],
    ['bytes instead of Int16Array', [{ ...frame(0), pcm: new Uint8Array(160) }], 'tts_format'],
    ['an input index going back', [frame(0, 1), frame(1, 0)], 'tts_input_index'],
  ] as const)('flags TTS %s', (_, chunks, rule) => {
    expect(firstViolation(createChunkChecker(tts), [...chunks])).toBe(rule);
  });

  it('accepts a valid TTS stream and reports empty audio for none', () => {
    const checker = createChunkChecker(tts);
    expect([frame(0), frame(1), frame(2, 3)].map((c) => checker.chunk(c))).toEqual([
      null,
      null,
      null,
    ]);
    expect(checker.end(3)).toBeNull();
    expect(createChunkChecker(tts).end(0)).toEqual({ code: 'empty_audio' });
  });
});

/** An LLM port whose stream is the given generator function. */
const llmPort = (stream: LlmPort['stream']): LlmPort => ({ capabilities: llm, stream });
const request = (signal = new AbortController().signal) =>
  requestOf(attemptFields('llm', 'llm-x'), fromArray<LlmInput>([]), signal);
const delta = (index: number): LlmChunk => ({ type: 'delta', index, text: 'ab' });

describe('invokeProvider', () => {
  it('stops at the abort even when the port ignores it, and releases the port', async () => {
    let released = false;
    const controller = new AbortController();
    const port = llmPort(async function* () {
      try {
        for (let i = 0; ; i += 1) {
          await Promise.resolve();
          yield delta(i);
        }
      } finally {
        released = true;
      }
    });
    let afterAbort = 0;
    const settled = await invokeProvider(port, request(controller.signal), (chunk) => {
      if (controller.signal.aborted) afterAbort += 1;
      if (chunk.index === 2) controller.abort();
    });
    expect(settled).toMatchObject({ outcome: { class: 'cancelled' }, chunks: 3, error: null });
    expect(afterAbort).toBe(0);
    await nextTick();
    expect(released).toBe(true);
  });

  it('settles at the abort while next() never resolves', async () => {
    const controller = new AbortController();
    const port = llmPort(() => ({
      [Symbol.asyncIterator]: () => ({
        next: () => new Promise<IteratorResult<LlmChunk>>(() => {}),
      }),
    }));
    const settling = invokeProvider(port, request(controller.signal));
    controller.abort();
    expect(await Promise.race([settling, nextTick()])).toMatchObject({
      outcome: { class: 'cancelled', reason: 'provider_cancelled' },
    });
  });

  it('wraps a raw rejection and a synchronous throw of stream() into adapter errors', async () => {
    const reset = Object.assign(new Error('socket'), { code: 'ECONNRESET' });
    const rejecting = llmPort(async function* () {
      yield delta(0);
      await Promise.resolve();
      throw reset;
    });
    const settled = await invokeProvider(rejecting, request());
    expect(settled.outcome).toMatchObject({ reason: 'provider_transport_error', retryable: true });
    expect([settled.chunks, settled.error?.code, settled.error?.cause]).toEqual([
      1,
      'transport_error',
      reset,
    ]);
    const throwing = llmPort(() => {
      throw new Error('bug');
    });
    const bug = await invokeProvider(throwing, request());
    expect(bug.outcome).toMatchObject({ reason: 'adapter_invoke_error' });
    expect(bug.error?.provider).toBe('llm-x');
  });

  it('does not start the port for an already aborted signal', async () => {
    let started = false;
    const port = llmPort(() => {
      started = true;
      return fromArray<LlmChunk>([]);
    });
    const settled = await invokeProvider(port, request(AbortSignal.abort()));
    expect([settled.outcome.class, started]).toEqual(['cancelled', false]);
  });

  it('propagates what onChunk throws, after releasing the port', async () => {
    let released = false;
    const port = llmPort(async function* () {
      try {
        yield delta(0);
        await Promise.resolve();
        yield delta(1);
      } finally {
        released = true;
      }
    });
    const failing = invokeProvider(port, request(), () => {
      throw new Error('consumer');
    });
    await expect(failing).rejects.toThrow('consumer');
    await nextTick();
    expect(released).toBe(true);
  });
});
