// Runs the provider conformance suite against the three sims, plus sim-only behaviour: pacing on
// the manual clock, the concurrency limit, per-attempt faults and the seeded content.
import { describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type LlmInput,
  type SttChunk,
  type SttInput,
  type TtsInput,
} from '../../../contracts/index.ts';
import {
  createManualScheduler,
  createSimLlm,
  createSimStt,
  createSimTts,
  llmReply,
} from '../../../adapters/providers/sim/index.ts';
import { defineProviderConformance } from './provider-conformance.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';

const frames = (count: number): SttInput[] =>
  Array.from({ length: count }, (_, i) => ({
    type: 'audio',
    pcm: new Int16Array(320).fill(i),
    sample_rate_hz: 16_000,
  }));
const context: LlmInput[] = [
  { type: 'message', role: 'system', text: 'You are terse.' },
  { type: 'message', role: 'user', text: 'Hello there' },
];
const texts: TtsInput[] = [
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world.' },
];

defineProviderConformance({
  name: 'stt sim',
  modality: 'stt',
  create: (env) => createSimStt(env),
  input: () => frames(40),
  faults: { malformed_rule: 'stt_partial_empty' },
  seeded: true,
});
defineProviderConformance({
  name: 'llm sim',
  modality: 'llm',
  create: (env) => createSimLlm(env),
  input: () => context,
  faults: { malformed_rule: 'llm_delta_empty' },
  seeded: true,
});
defineProviderConformance({
  name: 'tts sim',
  modality: 'tts',
  create: (env) => createSimTts(env),
  input: () => texts,
  faults: { malformed_rule: 'tts_frame_size' },
  seeded: true,
});

describe('provider sims', () => {
  it('pace chunks on the injected clock: first_chunk_ms, then every interval, each ±20 % by the seed', async () => {
    const scheduler = createManualScheduler();
    const port = createSimLlm({ seed: 1, scheduler, first_chunk_ms: 100, chunk_interval_ms: 10 });
    const arrivals: number[] = [];
    const settling = invokeProvider(
      port,
      requestOf(attemptFields('llm', 'llm-sim'), fromArray(context), new AbortController().signal),
      () => void arrivals.push(scheduler.now()),
    );
    // Seed 1's waits: 107, then 8, 11, 12, 11, 10, 8, 10.
    await scheduler.advance(106);
    expect(arrivals).toEqual([]);
    await scheduler.advance(1);
    expect(arrivals).toEqual([107]);
    await scheduler.advance(1000);
    expect(arrivals).toEqual([107, 115, 126, 138, 149, 159, 167, 177]);
    expect((await settling).outcome.class).toBe('success');
  });

  it('refuse a stream beyond max_concurrency as overload', async () => {
    const scheduler = createManualScheduler();
    const port = createSimTts({ seed: 1, scheduler, max_concurrency: 1 });
    const request = () =>
      requestOf(attemptFields('tts', 'tts-sim'), fromArray(texts), new AbortController().signal);
    const first = invokeProvider(port, request());
    await scheduler.flush();
    const second = await invokeProvider(port, request());
    expect(second.outcome).toMatchObject({ class: 'overload', reason: 'provider_overload' });
    expect(second.error?.detail).toBe('max_concurrency');
    await scheduler.runAll();
    expect((await first).outcome.class).toBe('success');
    const third = invokeProvider(port, request());
    await scheduler.runAll();
    expect((await third).outcome.class).toBe('success');
  });

  it('apply a fault plan per attempt (429 on attempt 1 only)', async () => {
    const scheduler = createManualScheduler();
    const port = createSimLlm({
      seed: 1,
      scheduler,
      fault: ({ attempt }) =>
        attempt === 1 ? { kind: 'rate_limit', retry_after_s: 1 } : undefined,
    });
    const run = async (attempt: number) => {
      const fields = attemptFields('llm', 'llm-sim', { attempt });
      const settling = invokeProvider(
        port,
        requestOf(fields, fromArray(context), new AbortController().signal),
      );
      await scheduler.runAll();
      return (await settling).outcome;
    };
    expect(await run(1)).toMatchObject({ class: 'overload', backoff_ms: 1000 });
    expect(await run(2)).toMatchObject({ class: 'success' });
  });

  it('transcribe console text: partials are word prefixes, the final is the text', async () => {
    const scheduler = createManualScheduler();
    const port = createSimStt({ seed: 3, scheduler, rollback: false, chunk_count: 3 });
    const chunks: SttChunk[] = [];
    const input: SttInput[] = [{ type: 'text', text: 'turn  the lights on' }];
    const settling = invokeProvider(
      port,
      requestOf(attemptFields('stt', 'stt-sim'), fromArray(input), new AbortController().signal),
      (chunk) => void chunks.push(chunk),
    );
    await scheduler.runAll();
    expect((await settling).outcome.class).toBe('success');
    expect(chunks).toEqual([
      { type: 'partial', index: 0, text: 'turn the' },
      { type: 'partial', index: 1, text: 'turn the lights' },
      { type: 'final', index: 2, text: 'turn the lights on' },
    ]);
  });

  it('declare and produce only a final without partials', async () => {
    const scheduler = createManualScheduler();
    const port = createSimStt({ seed: 3, scheduler, partials: false });
    expect(port.capabilities.streaming).toMatchObject({ partials: false, rollback: false });
    const chunks: SttChunk[] = [];
    const settling = invokeProvider(
      port,
      requestOf(
        attemptFields('stt', 'stt-sim'),
        fromArray(frames(30)),
        new AbortController().signal,
      ),
      (chunk) => void chunks.push(chunk),
    );
    await scheduler.runAll();
    expect((await settling).outcome.class).toBe('success');
    expect(chunks.map((chunk) => chunk.type)).toEqual(['final']);
  });

  it('reply from the seed and the turn index, never from the user text', async () => {
    const replyTo = async (messages: LlmInput[]) => {
      const scheduler = createManualScheduler();
      const port = createSimLlm({ seed: 9, scheduler, chunk_count: 5 });
      const deltas: string[] = [];
      const settling = invokeProvider(
        port,
        requestOf(
          attemptFields('llm', 'llm-sim'),
          fromArray(messages),
          new AbortController().signal,
        ),
        (chunk) => void deltas.push(chunk.text),
      );
      await scheduler.runAll();
      await settling;
      return deltas.join('');
    };
    const secret: LlmInput = { type: 'message', role: 'user', text: 'my pin is 1234' };
    const turn1 = await replyTo([secret]);
    expect(turn1).toBe(
      llmReply(9, 'llm-sim', 1, 5)
        .map((d) => d.text)
        .join(''),
    );
    expect(turn1).toMatch(/^[A-Z][a-z]+( [a-z]+){4}\.$/);
    expect(turn1).not.toContain('1234');
    expect(await replyTo([{ ...secret, text: 'other words' }])).toBe(turn1);
    const turn2 = await replyTo([secret, { ...secret, role: 'assistant' }, secret]);
    expect(turn2).not.toBe(turn1);
  });

  it('speak each text chunk as it arrives in 20 ms PCM16 frames at 16 kHz', async () => {
    const scheduler = createManualScheduler();
    const port = createSimTts({ seed: 5, scheduler, chunk_count: 2 });
    const seen: [number, number, number][] = [];
    const settling = invokeProvider(
      port,
      requestOf(attemptFields('tts', 'tts-sim'), fromArray(texts), new AbortController().signal),
      (chunk) => void seen.push([chunk.index, chunk.input_index, chunk.pcm.length]),
    );
    await scheduler.runAll();
    expect((await settling).outcome.class).toBe('success');
    expect(seen).toEqual([
      [0, 0, 320],
      [1, 0, 320],
      [2, 1, 320],
      [3, 1, 320],
    ]);
  });
});
