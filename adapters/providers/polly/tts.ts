/**
 * The Amazon Polly adapter: REST `SynthesizeSpeech` (`POST /v1/speech`) over plain `fetch`,
 * signed with SigV4 by `@smithy/signature-v4` (ADR 0042), one request per sentence as soon as it
 * is complete, `OutputFormat: pcm` (16-bit mono little-endian) streamed to the pipeline as the
 * body arrives. Errors are read from `x-amzn-ErrorType` as the Polly API documents them.
 */
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  AdapterError,
  toAdapterError,
  type TtsCapabilities,
  type TtsPort,
} from '../../../contracts/index.ts';
import { retryAfterMs, type ProviderScheduler } from '../../../contracts/internal.ts';
import {
  createPcm16Decoder,
  postForBody,
  runTtsAttempt,
  type TextSegment,
  type TtsAudioEvent,
} from '../kit/index.ts';
import type { PollyConfig } from './config.ts';

/** Options of {@link createPollyTts}. */
export interface PollyTtsOptions {
  /** Validated settings. */
  readonly config: PollyConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `tts-amazon-polly`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** The pipeline's format: 16 kHz PCM16 mono in 20 ms frames. */
const FORMAT = { sample_rate_hz: 16_000, frame_ms: 20 } as const;

/** Polly's documented client errors: the request cannot succeed as sent. */
const CLIENT_ERRORS = new Set([
  'InvalidSsmlException',
  'TextLengthExceededException',
  'LexiconNotFoundException',
  'MarksNotSupportedForFormatException',
  'InvalidSampleRateException',
  'EngineNotSupportedException',
  'LanguageNotSupportedException',
  'ValidationException',
]);
/** Credential and signature refusals of AWS APIs. */
const AUTH_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'AccessDeniedException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
]);

/** The error type an AWS JSON API names in `x-amzn-ErrorType` (`Name:namespace`) or `__type`. */
function errorType(headers: Headers, body: unknown): string | null {
  const header = headers.get('x-amzn-errortype');
  const raw =
    header ??
    (typeof body === 'object' && body !== null && '__type' in body ? String(body.__type) : null);
  if (raw === null) return null;
  // `Name:http://internal...` or `namespace#Name`: only the name is a stable id.
  return raw.split(':')[0]?.split('#').at(-1)?.trim() ?? null;
}

/** The spec's outcome rows for Polly's named errors; null keeps the HTTP status row. */
function refineError(provider: string, status: number, headers: Headers, body: unknown) {
  const type = errorType(headers, body);
  if (type === null) return null;
  if (type === 'TooManyRequestsException' || type === 'ThrottlingException') {
    const retryAfter = headers.get('retry-after');
    return new AdapterError('rate_limited', {
      provider,
      status,
      detail: type,
      ...(retryAfter === null ? {} : { retry_after_ms: retryAfterMs(retryAfter) }),
    });
  }
  if (CLIENT_ERRORS.has(type))
    return new AdapterError('request_rejected', { provider, status, detail: type });
  if (AUTH_ERRORS.has(type))
    return new AdapterError('auth_rejected', { provider, status, detail: type });
  if (type === 'ServiceFailureException')
    return new AdapterError('server_error', { provider, status, detail: type });
  return null;
}

/** Creates the Amazon Polly adapter. */
export function createPollyTts(options: PollyTtsOptions): TtsPort {
  const { config } = options;
  const provider = options.provider_id ?? 'tts-amazon-polly';
  const capabilities: TtsCapabilities = {
    provider_id: provider,
    modality: 'tts',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { encoding: 'pcm16', ...FORMAT },
  };
  const signer = new SignatureV4({
    service: 'polly',
    region: config.region,
    credentials: config.credentials,
    sha256: Hash.bind(null, 'sha256'),
  });
  const active = { count: 0 };

  /** The signed headers of one request (fetch sets `host` itself, to the same value). */
  async function signedHeaders(body: string): Promise<Record<string, string>> {
    const { endpoint } = config;
    const signed = await signer.sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === '' ? {} : { port: Number(endpoint.port) }),
      path: endpoint.pathname,
      query: {},
      headers: { host: endpoint.host, 'content-type': 'application/json' },
      body,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(signed.headers)) {
      if (name.toLowerCase() !== 'host') headers[name] = value;
    }
    return headers;
  }

  async function* open(
    segments: AsyncIterable<TextSegment>,
    signal: AbortSignal,
  ): AsyncGenerator<TtsAudioEvent, void, undefined> {
    for await (const segment of segments) {
      const body = JSON.stringify({
        Engine: config.engine,
        OutputFormat: 'pcm',
        SampleRate: String(config.sample_rate_hz),
        Text: segment.text,
        TextType: 'text',
        VoiceId: config.voice,
      });
      const audio = await postForBody({
        provider,
        url: config.endpoint,
        headers: await signedHeaders(body),
        body,
        signal,
        accept: ['audio/pcm', 'application/octet-stream'],
        refine: (status, headers, error) => refineError(provider, status, headers, error),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      });
      // PCM needs no container: samples go out as the body arrives.
      const decoder = createPcm16Decoder();
      for await (const part of audio) {
        const pcm = decoder.push(part);
        if (pcm.length > 0) yield { type: 'audio', pcm, sample_rate_hz: config.sample_rate_hz };
      }
      if (decoder.dangling)
        throw new AdapterError('malformed_output', { provider, detail: 'odd_bytes' });
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
