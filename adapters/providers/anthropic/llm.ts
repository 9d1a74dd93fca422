/**
 * The Anthropic LLM adapter on the official SDK (`@anthropic-ai/sdk`, ADR 0038): one streaming
 * `messages.create` per attempt with the SDK's retries off and its logger silenced (it would
 * print an unparsable event, which may be the model's reply). Auth is the documented
 * `x-api-key` with the configured `anthropic-version`
 * (https://docs.anthropic.com/en/api/messages-streaming); text comes from `text_delta` events and
 * `message_stop` ends the reply.
 */
import Anthropic from '@anthropic-ai/sdk';
import {
  AdapterError,
  toAdapterError,
  type LlmCapabilities,
  type LlmInput,
  type LlmPort,
} from '../../../contracts/index.ts';
import { retryAfterMs, type ProviderScheduler } from '../../../contracts/internal.ts';
import { chatContext, runLlmAttempt } from '../kit/index.ts';
import type { AnthropicConfig } from './config.ts';

/** Options of {@link createAnthropicLlm}. */
export interface AnthropicLlmOptions {
  /** Validated settings. */
  readonly config: AnthropicConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `llm-anthropic`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The fetch the SDK uses (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Largest delta declared; longer provider pieces are cut. */
const MAX_DELTA_CHARS = 64;

const SILENT = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The adapter error of an `error` event (no HTTP status), by its documented `error.type`. */
function errorEventCode(
  type: string,
): 'rate_limited' | 'auth_rejected' | 'request_rejected' | 'timeout' | 'server_error' {
  switch (type) {
    case 'rate_limit_error':
      return 'rate_limited';
    case 'authentication_error':
    case 'permission_error':
      return 'auth_rejected';
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'request_rejected';
    case 'timeout_error':
      return 'timeout';
    default:
      // `overloaded_error` (HTTP 529 before the stream), `api_error` and unknown types.
      return 'server_error';
  }
}

/** Maps what the SDK threw to the adapter error. */
function classify(provider: string, failure: unknown): AdapterError {
  if (failure instanceof AdapterError) return failure;
  if (failure instanceof Anthropic.APIConnectionTimeoutError) {
    return new AdapterError('timeout', { provider, cause: failure });
  }
  if (failure instanceof Anthropic.APIConnectionError) {
    // The undici error (`terminated`, ECONNREFUSED...) sits in `cause`.
    const inner = toAdapterError(failure.cause ?? failure, provider);
    return inner.code === 'invoke_failed'
      ? new AdapterError('transport_error', { provider, cause: failure })
      : inner;
  }
  if (failure instanceof Anthropic.APIError) {
    if (typeof failure.status === 'number') {
      const headers: Headers | undefined = failure.headers as Headers | undefined;
      const retryAfter = headers?.get('retry-after') ?? null;
      return new AdapterError('http_status', {
        provider,
        status: failure.status,
        cause: failure,
        ...(retryAfter === null ? {} : { retry_after_ms: retryAfterMs(retryAfter) }),
      });
    }
    const type = typeof failure.type === 'string' ? failure.type : 'unknown';
    return new AdapterError(errorEventCode(type), {
      provider,
      detail: 'stream_error',
      cause: failure,
    });
  }
  // The SDK's JSON.parse of an event; no cause, as its message quotes the data.
  if (failure instanceof SyntaxError) {
    return new AdapterError('malformed_output', { provider, detail: 'invalid_json' });
  }
  return toAdapterError(failure, provider);
}

/** The Messages API parameters of a turn context. */
function messageParams(messages: readonly LlmInput[], config: AnthropicConfig) {
  const { system, dialogue } = chatContext(messages);
  return {
    model: config.model,
    max_tokens: config.max_tokens,
    ...(system === null ? {} : { system }),
    messages: dialogue.map((m) => ({ role: m.role, content: m.text })),
    stream: true as const,
  };
}

/** Creates the Anthropic streaming LLM adapter. */
export function createAnthropicLlm(options: AnthropicLlmOptions): LlmPort {
  const { config } = options;
  const provider = options.provider_id ?? 'llm-anthropic';
  const capabilities: LlmCapabilities = {
    provider_id: provider,
    modality: 'llm',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { max_delta_chars: MAX_DELTA_CHARS },
  };
  const client = new Anthropic({
    apiKey: config.api_key,
    baseURL: config.base_url.href.replace(/\/$/, ''),
    // Retries and deadlines are the invocation machine's; the idle deadline is on the scheduler.
    maxRetries: 0,
    timeout: config.timeout_ms,
    logLevel: 'off',
    logger: SILENT,
    defaultHeaders: {
      'x-api-key': config.api_key,
      'anthropic-version': config.version,
      // The SDK would also send the key as a bearer token; the API documents `x-api-key`.
      authorization: null,
    },
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  const active = { count: 0 };
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
          const { data: events, response } = await client.messages
            .create(messageParams(messages, config), { signal })
            .withResponse();
          const type = response.headers.get('content-type') ?? '';
          if (!type.toLowerCase().includes('text/event-stream')) {
            events.controller.abort();
            throw new AdapterError('malformed_output', { provider, detail: 'not_event_stream' });
          }
          for await (const event of events) {
            if (event.type === 'message_stop') return;
            if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
              yield event.delta.text;
            }
          }
          throw new AdapterError('transport_error', { provider, detail: 'stream_truncated' });
        },
        classify: (failure) => classify(provider, failure),
      }),
  };
}
