/**
 * The flite TTS adapter (ADR 0043): one `flite` process per sentence as soon as the sentence is
 * complete, so the first audio comes before the rest of the reply is written. The text goes
 * through a private file and the audio comes back as a WAV file: flite opens `-o /dev/stdout`
 * itself, which fails on node's socket stdio, and `-f /dev/stdin` likewise. An abort kills the
 * running process at once. flite exits 0 even when it wrote nothing: a missing or broken WAV is
 * `malformed_output`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdapterError,
  toAdapterError,
  type TtsCapabilities,
  type TtsPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import {
  createPcm16Decoder,
  createScratchDir,
  missingToolMessage,
  readWavPcm16,
  runTtsAttempt,
  startTool,
  type SpawnFunction,
  type TextSegment,
  type TtsAudioEvent,
} from '../kit/index.ts';
import type { FliteConfig } from './config.ts';

/** Options of {@link createFliteTts}. */
export interface FliteTtsOptions {
  /** Validated settings. */
  readonly config: FliteConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `tts-flite`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The spawn to use (default node's; tests wrap it to watch the processes). */
  readonly spawn?: SpawnFunction;
}

/** The pipeline's format: 16 kHz PCM16 mono in 20 ms frames. */
const FORMAT = { sample_rate_hz: 16_000, frame_ms: 20 } as const;

/** PCM16 samples and rate of a WAV file flite wrote. */
function audioOf(provider: string, bytes: Uint8Array): { pcm: Int16Array; sample_rate_hz: number } {
  let wav: ReturnType<typeof readWavPcm16>;
  try {
    wav = readWavPcm16(bytes);
  } catch (failure) {
    const detail = failure instanceof RangeError ? failure.message : 'wav';
    throw new AdapterError('malformed_output', { provider, detail });
  }
  if (wav === null) throw new AdapterError('malformed_output', { provider, detail: 'not_wav' });
  const decoder = createPcm16Decoder();
  const pcm = decoder.push(wav.data);
  if (decoder.dangling)
    throw new AdapterError('malformed_output', { provider, detail: 'odd_bytes' });
  return { pcm, sample_rate_hz: wav.sample_rate_hz };
}

/** Creates the flite TTS adapter. */
export function createFliteTts(options: FliteTtsOptions): TtsPort {
  const { config } = options;
  const provider = options.provider_id ?? 'tts-flite';
  const capabilities: TtsCapabilities = {
    provider_id: provider,
    modality: 'tts',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { encoding: 'pcm16', ...FORMAT },
  };
  const active = { count: 0 };

  /** Synthesizes one sentence into `dir`; null when aborted. */
  async function synthesize(segment: TextSegment, dir: string, n: number, signal: AbortSignal) {
    const text = join(dir, `${n}.txt`);
    const wav = join(dir, `${n}.wav`);
    await writeFile(text, segment.text, { mode: 0o600 });
    const run = startTool({
      provider,
      command: config.binary,
      args: ['-voice', config.voice, '-f', text, '-o', wav],
      signal,
      missing: missingToolMessage(config.binary, ['flite']),
      stdin: { data: '' },
      ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
    });
    for await (const _ of run.output) {
      // flite prints nothing on stdout when it writes a file; the loop waits for its exit.
    }
    if (signal.aborted) return null;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(wav);
    } catch {
      throw new AdapterError('malformed_output', { provider, detail: 'no_wav_written' });
    }
    return audioOf(provider, bytes);
  }

  async function* open(
    segments: AsyncIterable<TextSegment>,
    signal: AbortSignal,
  ): AsyncGenerator<TtsAudioEvent, void, undefined> {
    const dir = await createScratchDir();
    try {
      let n = 0;
      for await (const segment of segments) {
        const audio = await synthesize(segment, dir.path, n, signal);
        n += 1;
        if (audio === null) return;
        if (audio.pcm.length > 0) yield { type: 'audio', ...audio };
        yield { type: 'segment_end' };
      }
    } finally {
      await dir.remove();
    }
  }

  return {
    capabilities,
    stream: (request) =>
      runTtsAttempt({
        provider,
        request,
        scheduler: options.scheduler,
        idle_timeout_ms: config.timeout_ms,
        format: FORMAT,
        segmenter: config.segmenter,
        concurrency: { max: capabilities.max_concurrency, active },
        open,
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}
