/**
 * The Gemini LLM adapter: `models/<model>:streamGenerateContent?alt=sse` over `fetch` (ADR 0038;
 * https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent). The key goes
 * in `x-goog-api-key`, never in the URL; the dialogue maps to `contents` with roles `user` and
 * `model`, the system prompt to `systemInstruction`.
 */
import {
  AdapterError,
  toAdapterError,
  type LlmCapabilities,
  type LlmInput,
  type LlmPort,
} from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import {
  chatContext,
  parseEventJson,
  postForEvents,
  runLlmAttempt,
  sseEvents,
} from '../kit/index.ts';
import type { GeminiConfig } from './config.ts';

/** Options of {@link createGeminiLlm}. */
export interface GeminiLlmOptions {
  /** Validated settings. */
  readonly config: GeminiConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `llm-gemini`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Largest delta declared; longer provider pieces are cut. */
const MAX_DELTA_CHARS = 64;

/** Finish reasons that mean the reply was withheld, not finished. */
const BLOCKED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII']);

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request body of a turn context. */
function requestBody(messages: readonly LlmInput[], config: GeminiConfig) {
  const { system, dialogue } = chatContext(messages);
  return {
    contents: dialogue.map((m) => ({
      role: m.role === 'assistant' ? 'model' : 'user',
      parts: [{ text: m.text }],
    })),
    ...(system === null ? {} : { systemInstruction: { parts: [{ text: system }] } }),
    generationConfig: { maxOutputTokens: config.max_output_tokens },
  };
}

/** The text of one streamed `GenerateContentResponse`, and whether it finished the reply. */
function readChunk(provider: string, value: unknown): { text: string; finished: boolean } {
  if (!isRecord(value))
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_event' });
  const error = value['error'];
  if (isRecord(error)) {
    // An error after the 200: Google sends the HTTP status it would have answered in `code`.
    const code = error['code'];
    throw typeof code === 'number'
      ? new AdapterError('http_status', { provider, status: code, detail: 'stream_error' })
      : new AdapterError('server_error', { provider, detail: 'stream_error' });
  }
  const feedback = value['promptFeedback'];
  if (isRecord(feedback) && typeof feedback['blockReason'] === 'string') {
    throw new AdapterError('request_rejected', { provider, detail: 'prompt_blocked' });
  }
  const candidates = value['candidates'];
  const candidate: unknown = Array.isArray(candidates) ? candidates[0] : undefined;
  if (!isRecord(candidate)) return { text: '', finished: false };
  const reason = candidate['finishReason'];
  if (typeof reason === 'string' && BLOCKED.has(reason)) {
    throw new AdapterError('request_rejected', { provider, detail: 'response_blocked' });
  }
  const content = candidate['content'];
  const parts = isRecord(content) ? content['parts'] : undefined;
  let text = '';
  if (Array.isArray(parts)) {
    for (const part of parts) {
      // `thought` parts are the model's reasoning, not its reply.
      if (isRecord(part) && typeof part['text'] === 'string' && part['thought'] !== true) {
        text += part['text'];
      }
    }
  } else if (content !== undefined && !isRecord(content)) {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_event' });
  }
  return { text, finished: typeof reason === 'string' };
}

/**
 * A bad key is documented as 400 `INVALID_ARGUMENT` with the `ErrorInfo` reason
 * `API_KEY_INVALID` (https://ai.google.dev/gemini-api/docs/troubleshooting): an auth refusal.
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

/** Creates the Gemini streaming LLM adapter. */
export function createGeminiLlm(options: GeminiLlmOptions): LlmPort {
  const { config } = options;
  const provider = options.provider_id ?? 'llm-gemini';
  const capabilities: LlmCapabilities = {
    provider_id: provider,
    modality: 'llm',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { max_delta_chars: MAX_DELTA_CHARS },
  };
  const active = { count: 0 };
  const url = new URL(
    `${config.base_url.pathname}/models/${config.model}:streamGenerateContent`,
    config.base_url,
  );
  url.searchParams.set('alt', 'sse');
  return {
    capabilities,
    stream: (request) =>
      runLlmAttempt({
        provider,
        request,
        scheduler: options.scheduler,
        idle_timeout_ms: config.timeout_ms,
        max_delta_chars: MAX_DELTA_CHARS,
        concurrency: { max: capabilities.max_concurrency, active },
        async *open(messages, signal) {
          const body = await postForEvents({
            provider,
            url,
            headers: { 'x-goog-api-key': config.api_key },
            body: requestBody(messages, config),
            signal,
            refine: (status, error) => refineError(provider, status, error),
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          });
          for await (const event of sseEvents(body)) {
            const chunk = readChunk(provider, parseEventJson(provider, event.data));
            if (chunk.text !== '') yield chunk.text;
            if (chunk.finished) return;
          }
          throw new AdapterError('transport_error', { provider, detail: 'stream_truncated' });
        },
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}
