/**
 * The Google Cloud TTS adapter: REST `text:synthesize` over plain `fetch` (ADR 0042;
 * https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize), one request
 * per sentence as soon as it is complete, LINEAR16 at the configured rate. Not the Google client
 * library: in REST mode with an API key it probes the cloud metadata address, and streaming
 * synthesis is gRPC only. The key goes in `x-goog-api-key`, never in the URL.
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
  postForBody,
  readBody,
  readWavPcm16,
  runTtsAttempt,
  type TextSegment,
  type TtsAudioEvent,
} from '../kit/index.ts';
import type { GoogleTtsConfig } from './config.ts';

/** Options of {@link createGoogleTts}. */
export interface GoogleTtsOptions {
  /** Validated settings. */
  readonly config: GoogleTtsConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `tts-google`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** The pipeline's format: 16 kHz PCM16 mono in 20 ms frames. */
const FORMAT = { sample_rate_hz: 16_000, frame_ms: 20 } as const;
/** Largest answer read: about 2.5 minutes of 48 kHz audio in base64. */
const BODY_LIMIT = 20 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A bad key is documented as 400 `INVALID_ARGUMENT` with the `ErrorInfo` reason
 * `API_KEY_INVALID`: an auth refusal.
 */
function refineError(provider: string, status: number, body: unknown): AdapterError | null {
  const error = isRecord(body) ? body['error'] : undefined;
  const details = isRecord(error) ? error['details'] : undefined;
  const invalidKey =
    Array.isArray(details) && details.some((d) => isRecord(d) && d['reason'] === 'API_KEY_INVALID');
  return invalidKey
    ? new AdapterError('auth_rejected', { provider, status, detail: 'api_key_invalid' })
    : null;
}

/** The PCM16 samples and rate of one `audioContent`. */
function audioOf(provider: string, json: unknown, requested_hz: number) {
  const content = isRecord(json) ? json['audioContent'] : undefined;
  if (typeof content !== 'string' || !BASE64.test(content)) {
    throw new AdapterError('malformed_output', { provider, detail: 'audio_content' });
  }
  const bytes = Buffer.from(content, 'base64');
  let wav: ReturnType<typeof readWavPcm16>;
  try {
    wav = readWavPcm16(bytes);
  } catch (failure) {
    throw new AdapterError('malformed_output', {
      provider,
      detail: failure instanceof RangeError ? failure.message : 'wav',
    });
  }
  const data = wav?.data ?? bytes;
  const decoder = createPcm16Decoder();
  const pcm = decoder.push(data);
  if (decoder.dangling)
    throw new AdapterError('malformed_output', { provider, detail: 'odd_bytes' });
  return { pcm, sample_rate_hz: wav?.sample_rate_hz ?? requested_hz };
}

/** Creates the Google Cloud TTS adapter. */
export function createGoogleTts(options: GoogleTtsOptions): TtsPort {
  const { config } = options;
  const provider = options.provider_id ?? 'tts-google';
  const capabilities: TtsCapabilities = {
    provider_id: provider,
    modality: 'tts',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { encoding: 'pcm16', ...FORMAT },
  };
  const active = { count: 0 };

  async function* open(
    segments: AsyncIterable<TextSegment>,
    signal: AbortSignal,
  ): AsyncGenerator<TtsAudioEvent, void, undefined> {
    for await (const segment of segments) {
      const body = await postForBody({
        provider,
        url: config.endpoint,
        headers: {
          'x-goog-api-key': config.api_key,
          'content-type': 'application/json; charset=utf-8',
          accept: 'application/json',
        },
        body: JSON.stringify({
          input: { text: segment.text },
          voice: { languageCode: config.language, name: config.voice },
          audioConfig: { audioEncoding: 'LINEAR16', sampleRateHertz: config.sample_rate_hz },
        }),
        signal,
        accept: ['application/json'],
        refine: (status, _headers, error) => refineError(provider, status, error),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      const text = new TextDecoder().decode(await readBody(provider, body, BODY_LIMIT));
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        // No cause: a parse error quotes the body.
        throw new AdapterError('malformed_output', { provider, detail: 'invalid_json' });
      }
      const audio = audioOf(provider, json, config.sample_rate_hz);
      if (audio.pcm.length > 0) yield { type: 'audio', ...audio };
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
