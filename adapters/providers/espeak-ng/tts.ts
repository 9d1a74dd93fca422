/**
 * The espeak-ng TTS adapter (ADR 0043): one `espeak-ng --stdin --stdout` process per sentence
 * as soon as the sentence is complete; the text goes in on stdin and the WAV streams back on
 * stdout while it is synthesized (22.05 kHz, converted to 16 kHz by the kit's band-limited
 * resampler, `wave-resampler`). An abort kills the running process at once. An unknown voice is
 * exit 1; a stream that is not a PCM16 mono WAV is `malformed_output`.
 */
import {
  AdapterError,
  toAdapterError,
  type TtsCapabilities,
  type TtsPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import {
  createPcm16Decoder,
  missingToolMessage,
  readWavPcm16,
  runTtsAttempt,
  startTool,
  type SpawnFunction,
  type TextSegment,
  type TtsAudioEvent,
} from '../kit/index.ts';
import type { EspeakNgConfig } from './config.ts';

/** Options of {@link createEspeakNgTts}. */
export interface EspeakNgTtsOptions {
  /** Validated settings. */
  readonly config: EspeakNgConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `tts-espeak-ng`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The spawn to use (default node's; tests wrap it to watch the processes). */
  readonly spawn?: SpawnFunction;
}

/** The pipeline's format: 16 kHz PCM16 mono in 20 ms frames. */
const FORMAT = { sample_rate_hz: 16_000, frame_ms: 20 } as const;
/** Longest WAV header looked for before the stream counts as not a WAV. */
const HEADER_LIMIT = 4096;

/** Reads a WAV streamed on stdout: the header once complete, then PCM16 samples as they come. */
function createWavStreamReader(provider: string) {
  let head = new Uint8Array(0);
  let rate = 0;
  const decoder = createPcm16Decoder();
  const malformed = (detail: string) => new AdapterError('malformed_output', { provider, detail });
  return {
    /** The samples completed by `bytes` (none while the header is incomplete). */
    push(bytes: Uint8Array): Int16Array {
      if (rate > 0) return decoder.push(bytes);
      const joined = new Uint8Array(head.length + bytes.length);
      joined.set(head);
      joined.set(bytes, head.length);
      head = joined;
      if (head.length < 12) return new Int16Array(0);
      let wav: ReturnType<typeof readWavPcm16>;
      try {
        wav = readWavPcm16(head);
      } catch (failure) {
        const incomplete = failure instanceof RangeError && failure.message === 'wav_without_data';
        if (incomplete && head.length < HEADER_LIMIT) return new Int16Array(0);
        throw malformed(failure instanceof RangeError ? failure.message : 'wav');
      }
      if (wav === null) throw malformed('not_wav');
      rate = wav.sample_rate_hz;
      // The streamed header declares a placeholder size: everything after it is data.
      return decoder.push(head.subarray(wav.data.byteOffset - head.byteOffset));
    },
    /** The rate of the header (0 before it). */
    get sample_rate_hz() {
      return rate;
    },
    /** Checks the end of the stream. */
    end(): void {
      if (head.length > 0 && rate === 0) throw malformed('wav_truncated');
      if (decoder.dangling) throw malformed('odd_bytes');
    },
  };
}

/** Creates the espeak-ng TTS adapter. */
export function createEspeakNgTts(options: EspeakNgTtsOptions): TtsPort {
  const { config } = options;
  const provider = options.provider_id ?? 'tts-espeak-ng';
  const capabilities: TtsCapabilities = {
    provider_id: provider,
    modality: 'tts',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { encoding: 'pcm16', ...FORMAT },
  };
  const active = { count: 0 };
  const args = [
    '--stdin',
    '--stdout',
    '-b',
    '1',
    '-v',
    config.voice,
    '-s',
    String(config.words_per_minute),
  ];

  async function* open(
    segments: AsyncIterable<TextSegment>,
    signal: AbortSignal,
  ): AsyncGenerator<TtsAudioEvent, void, undefined> {
    for await (const segment of segments) {
      const run = startTool({
        provider,
        command: config.binary,
        args,
        signal,
        missing: missingToolMessage(config.binary, ['espeak-ng']),
        // A final newline: espeak-ng reads stdin to its end, and the last line needs one.
        stdin: { data: `${segment.text}\n` },
        ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
      });
      const wav = createWavStreamReader(provider);
      for await (const bytes of run.output) {
        const pcm = wav.push(bytes);
        if (pcm.length > 0) yield { type: 'audio', pcm, sample_rate_hz: wav.sample_rate_hz };
      }
      if (signal.aborted) return;
      wav.end();
      yield { type: 'segment_end' };
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
