/**
 * The Deepgram STT adapter on the documented live streaming WebSocket (ADR 0041;
 * https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming):
 * `GET /v1/listen?model&language&encoding=linear16&sample_rate&channels=1&interim_results=true`
 * with `Authorization: Token <key>`, binary PCM16 frames, JSON `Results` messages (`is_final`
 * settles a segment), `{"type":"CloseStream"}` to end, after which the server sends its last
 * results and `Metadata`, then closes with 1000. A refused handshake is an HTTP status; errors
 * later are close frames whose reason starts with a stable id (`DATA-0000`, `NET-0001`).
 */
import {
  AdapterError,
  toAdapterError,
  type SttCapabilities,
  type SttPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import {
  connectWebSocket,
  runSttAttempt,
  type SttSession,
  type SttUpdate,
  type WsClosing,
} from '../kit/index.ts';
import type { DeepgramConfig } from './config.ts';

/** Options of {@link createDeepgramStt}. */
export interface DeepgramSttOptions {
  /** Validated settings. */
  readonly config: DeepgramConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `stt-deepgram`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
}

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The stable id a Deepgram close reason starts with (`NET-0001`), or null. */
const reasonId = (reason: string): string | null => /^[A-Z]+-\d{4}/.exec(reason)?.[0] ?? null;

/** The adapter error of a close that was not the end of a finished session. */
function closeError(provider: string, closing: WsClosing, finishing: boolean): AdapterError {
  const id = reasonId(closing.reason);
  const detail = id === null ? `close_${closing.code}` : id.toLowerCase();
  switch (closing.code) {
    case 1000:
      return new AdapterError('transport_error', {
        provider,
        detail: finishing ? 'stream_truncated' : 'closed_early',
      });
    case 1005:
    case 1006:
      return new AdapterError('transport_error', { provider, detail: 'stream_disconnected' });
    case 1008:
      // DATA-0000: the payload cannot be decoded as audio.
      return new AdapterError('request_rejected', { provider, detail });
    case 1011:
      // NET-0001: no audio within the provider's window; NET-0000: the provider's own stall.
      return id === 'NET-0001'
        ? new AdapterError('timeout', { provider, detail })
        : new AdapterError('server_error', { provider, detail });
    default:
      return new AdapterError('server_error', { provider, detail });
  }
}

/** Reads one server message: an update, null for messages without one. */
function readMessage(provider: string, data: string): SttUpdate | null {
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    // No cause: a JSON parse error quotes the data, which may be a transcript.
    throw new AdapterError('malformed_output', { provider, detail: 'invalid_json' });
  }
  if (!isRecord(message)) {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_message' });
  }
  if (message['type'] === 'Error') {
    throw new AdapterError('server_error', { provider, detail: 'stream_error' });
  }
  // Metadata, SpeechStarted, UtteranceEnd and future types carry no transcript.
  if (message['type'] !== 'Results') return null;
  const channel = message['channel'];
  const alternatives = isRecord(channel) ? channel['alternatives'] : undefined;
  const best: unknown = Array.isArray(alternatives) ? alternatives[0] : undefined;
  const transcript = isRecord(best) ? best['transcript'] : undefined;
  if (typeof transcript !== 'string' || typeof message['is_final'] !== 'boolean') {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_message' });
  }
  return { text: transcript, final: message['is_final'] };
}

/** Creates the Deepgram streaming STT adapter. */
export function createDeepgramStt(options: DeepgramSttOptions): SttPort {
  const { config } = options;
  const provider = options.provider_id ?? 'stt-deepgram';
  const capabilities: SttCapabilities = {
    provider_id: provider,
    modality: 'stt',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: {
      input: ['audio'],
      sample_rate_hz: config.sample_rate_hz,
      partials: true,
      rollback: true,
    },
  };
  const url = new URL(config.url);
  for (const [name, value] of Object.entries({
    model: config.model,
    language: config.language,
    encoding: 'linear16',
    sample_rate: String(config.sample_rate_hz),
    channels: '1',
    interim_results: 'true',
    punctuate: 'true',
  })) {
    url.searchParams.set(name, value);
  }
  const active = { count: 0 };
  return {
    capabilities,
    stream: (request) =>
      runSttAttempt({
        provider,
        request,
        scheduler: options.scheduler,
        idle_timeout_ms: config.timeout_ms,
        sample_rate_hz: config.sample_rate_hz,
        min_chunk_ms: 0,
        concurrency: { max: capabilities.max_concurrency, active },
        async open(signal) {
          const connection = await connectWebSocket({
            provider,
            url,
            headers: { authorization: `Token ${config.api_key}` },
            signal,
          });
          if (connection === null) return null;
          let finishing = false;
          const session: SttSession = {
            send: (pcm) => connection.send(pcm),
            finish() {
              finishing = true;
              connection.send(JSON.stringify({ type: 'CloseStream' }));
            },
            async next() {
              for (;;) {
                const event = await connection.next();
                if (event.kind === 'close') {
                  if (event.closing.code === 1000 && finishing) return null;
                  throw closeError(provider, event.closing, finishing);
                }
                const update = readMessage(provider, event.data);
                if (update !== null) return update;
              }
            },
          };
          return session;
        },
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}
