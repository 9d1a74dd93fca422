// Issue 10, item 16: the sims' seed drives what they say and when, through their public API.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type LlmInput,
  type SttInput,
  type TtsInput,
} from '../../../contracts/index.ts';
import {
  createManualScheduler,
  createSimLlm,
  createSimStt,
  createSimTts,
  type ManualScheduler,
} from '../../../adapters/providers/sim/index.ts';
import type {
  ProviderCapabilities,
  ProviderCapabilitiesBase,
  ProviderModality,
  ProviderPort,
} from '../../../contracts/internal.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';

type Timing = { readonly first_chunk_ms?: number; readonly chunk_interval_ms?: number };

/** What one stream produced: each chunk as text (audio as a SHA-256 of its bytes) and its time. */
type Run = { readonly chunks: readonly string[]; readonly times: readonly number[] };

const MODALITIES = ['stt', 'llm', 'tts'] as const;
type Modality = (typeof MODALITIES)[number];

const frames: SttInput[] = Array.from({ length: 60 }, (_, i) => ({
  type: 'audio',
  pcm: new Int16Array(320).fill(i),
  sample_rate_hz: 16_000,
}));
const context: LlmInput[] = [{ type: 'message', role: 'user', text: 'Hello there' }];
const texts: TtsInput[] = [
  { type: 'text', text: 'Hello' },
  { type: 'text', text: ' world.' },
];

const digest = (pcm: Int16Array): string =>
  createHash('sha256')
    .update(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength))
    .digest('hex');

const show = (chunk: object): string =>
  JSON.stringify(chunk, (_, value: unknown) =>
    value instanceof Int16Array ? digest(value) : value,
  );

/** Streams `input` through `port` on `scheduler` to its end. */
async function drive<
  TModality extends ProviderModality,
  TInput,
  TChunk extends object,
  TCapabilities extends ProviderCapabilities & ProviderCapabilitiesBase<TModality>,
>(
  port: ProviderPort<TModality, TInput, TChunk, TCapabilities>,
  input: readonly TInput[],
  scheduler: ManualScheduler,
): Promise<Run> {
  const chunks: string[] = [];
  const times: number[] = [];
  const { provider_id, modality } = port.capabilities;
  const request = requestOf(
    attemptFields(modality, provider_id),
    fromArray(input),
    new AbortController().signal,
  );
  const settling = invokeProvider(port, request, (chunk) => {
    chunks.push(show(chunk));
    times.push(scheduler.now());
  });
  await scheduler.runAll();
  expect((await settling).outcome.class).toBe('success');
  return { chunks, times };
}

/** Streams the sim of `modality` with `seed` on a manual clock to its end. */
function run(modality: Modality, seed: number, timing: Timing = {}): Promise<Run> {
  const scheduler = createManualScheduler();
  const options = { seed, scheduler, ...timing };
  if (modality === 'stt') return drive(createSimStt(options), frames, scheduler);
  if (modality === 'llm') return drive(createSimLlm(options), context, scheduler);
  return drive(createSimTts(options), texts, scheduler);
}

describe('sim providers: the seed (issue 10, item 16)', () => {
  it.each(MODALITIES)(
    '%s: the same seed repeats chunks and chunk times byte for byte',
    async (m) => {
      for (const seed of [1, 2, 3]) expect(await run(m, seed)).toEqual(await run(m, seed));
    },
  );

  it.each(MODALITIES)('%s: seeds 1, 2 and 3 give different chunks and chunk times', async (m) => {
    const runs = [await run(m, 1), await run(m, 2), await run(m, 3)];
    expect(new Set(runs.map((r) => JSON.stringify(r.chunks))).size).toBe(3);
    expect(new Set(runs.map((r) => JSON.stringify(r.times))).size).toBe(3);
  });

  it.each(MODALITIES)('%s: zero-latency options stay zero whatever the seed', async (m) => {
    for (const seed of [1, 2, 3]) {
      const { times } = await run(m, seed, { first_chunk_ms: 0, chunk_interval_ms: 0 });
      expect(times.length).toBeGreaterThan(0);
      expect(new Set(times)).toEqual(new Set([0]));
    }
  });

  it.each(MODALITIES)('%s: every wait stays within a fifth of its option', async (m) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { times } = await run(m, seed, { first_chunk_ms: 100, chunk_interval_ms: 50 });
      const waits = times.map((t, i) => t - (times[i - 1] ?? 0));
      expect(waits.length).toBeGreaterThan(1);
      waits.forEach((wait, i) => {
        const nominal = i === 0 ? 100 : 50;
        expect(Number.isInteger(wait)).toBe(true);
        expect(Math.abs(wait - nominal)).toBeLessThanOrEqual(nominal * 0.2);
      });
    }
  });
});
