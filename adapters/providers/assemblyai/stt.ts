/**
 * The AssemblyAI STT adapter on the documented v3 Universal Streaming WebSocket (ADR 0041;
 * https://www.assemblyai.com/docs/streaming/message-sequence): `GET /v3/ws?sample_rate&
 * encoding=pcm_s16le&speech_model&format_turns` with `Authorization: <key>`, binary PCM16 chunks
 * of 50 to 1000 ms, `Begin`, then `Turn` messages (`end_of_turn` settles a turn; with
 * `format_turns` the settled turn comes again formatted), `{"type":"Terminate"}` to end, answered
 * by the last turns and `Termination`. Failures after the handshake are an `Error` message and a
 * close with the same code (https://www.assemblyai.com/docs/streaming/common-session-errors-and-closures).
 */
import {
  AdapterError,
  toAdapterError,
  type SttCapabilities,
  type SttPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import { connectWebSocket, runSttAttempt, type SttSession, type SttUpdate } from '../kit/index.ts';
import type { AssemblyAiConfig } from './config.ts';

/** Options of {@link createAssemblyAiStt}. */
export interface AssemblyAiSttOptions {
  /** Validated settings. */
  readonly config: AssemblyAiConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `stt-assemblyai`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
}

/** Shortest audio message the service accepts (close 3007 below it). */
const MIN_CHUNK_MS = 50;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The adapter error of a documented error code (the `Error` message's, or the close code). */
function codeError(provider: string, code: number, reason: string): AdapterError {
  const detail = `code_${code}`;
  switch (code) {
    case 1005:
    case 1006:
      return new AdapterError('transport_error', { provider, detail: 'stream_disconnected' });
    case 1008:
    case 4001:
    case 4002:
    case 4003:
      // 1008 also covered the concurrency limit before 3009 existed.
      return /concurren/i.test(reason)
        ? new AdapterError('rate_limited', { provider, detail })
        : new AdapterError('auth_rejected', { provider, detail });
    case 3009:
    case 4029:
    case 4102:
      return new AdapterError('rate_limited', { provider, detail });
    case 3006:
    case 3007:
    case 3008:
    case 4000:
    case 4032:
    case 4033:
    case 4034:
    case 4101:
      return new AdapterError('request_rejected', { provider, detail });
    case 4031:
      return new AdapterError('timeout', { provider, detail });
    default:
      // 3005 (session cancelled), 1011 and unknown codes.
      return new AdapterError('server_error', { provider, detail });
  }
}

/** The text of a `Turn`: every word heard so far, or the formatted transcript once formatted. */
function turnText(provider: string, turn: Readonly<Record<string, unknown>>): string {
  const transcript = turn['transcript'];
  if (typeof transcript !== 'string') {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_message' });
  }
  const words = turn['words'];
  // `transcript` holds only settled words; `words` also the ones still being decided.
  if (turn['turn_is_formatted'] === true || !Array.isArray(words)) return transcript;
  const texts = words.map((word) => (isRecord(word) ? word['text'] : undefined));
  return texts.every((text) => typeof text === 'string') ? texts.join(' ') : transcript;
}

/** Creates the AssemblyAI streaming STT adapter. */
export function createAssemblyAiStt(options: AssemblyAiSttOptions): SttPort {
  const { config } = options;
  const provider = options.provider_id ?? 'stt-assemblyai';
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
    sample_rate: String(config.sample_rate_hz),
    encoding: 'pcm_s16le',
    speech_model: config.speech_model,
    format_turns: String(config.format_turns),
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
        min_chunk_ms: MIN_CHUNK_MS,
        concurrency: { max: capabilities.max_concurrency, active },
        async open(signal) {
          const connection = await connectWebSocket({
            provider,
            url,
            headers: { authorization: config.api_key },
            signal,
          });
          if (connection === null) return null;
          let error: AdapterError | null = null;
          const read = (data: string): SttUpdate | 'end' | null => {
            let message: unknown;
            try {
              message = JSON.parse(data);
            } catch {
              // No cause: a JSON parse error quotes the data, which may be a transcript.
              throw new AdapterError('malformed_output', { provider, detail: 'invalid_json' });
            }
            if (!isRecord(message) || typeof message['type'] !== 'string') {
              throw new AdapterError('malformed_output', {
                provider,
                detail: 'unexpected_message',
              });
            }
            switch (message['type']) {
              case 'Termination':
                return 'end';
              case 'Error': {
                // The close with the same code follows; its reason is kept out of errors.
                const code = message['error_code'];
                error = codeError(provider, typeof code === 'number' ? code : 0, '');
                return null;
              }
              case 'Turn': {
                const settled = message['end_of_turn'] === true;
                // With formatting, the settled turn comes twice: raw, then formatted.
                const final =
                  settled && (!config.format_turns || message['turn_is_formatted'] === true);
                return { text: turnText(provider, message), final };
              }
              default:
                // Begin, SpeechStarted and future types carry no transcript.
                return null;
            }
          };
          const session: SttSession = {
            send: (pcm) => connection.send(pcm),
            finish: () => connection.send(JSON.stringify({ type: 'Terminate' })),
            async next() {
              for (;;) {
                const event = await connection.next();
                if (event.kind === 'close') {
                  const { code, reason } = event.closing;
                  if (code === 1000) {
                    throw new AdapterError('transport_error', {
                      provider,
                      detail: 'stream_truncated',
                    });
                  }
                  throw error ?? codeError(provider, code, reason);
                }
                const update = read(event.data);
                if (update === 'end') return null;
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
