/**
 * The Cohere LLM adapter over `fetch` (ADR 0038), in one of two documented protocols:
 * Cohere's v2 chat stream (https://docs.cohere.com/v2/reference/chat-stream: named events,
 * text in `content-delta`, `message-end` last) or OpenRouter's chat completions
 * (https://openrouter.ai/docs/api-reference/streaming: data-only chunks with `choices[0].delta`,
 * `[DONE]` last, errors as `{error: {code}}` events). Both take `Authorization: Bearer`.
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
  type SseEvent,
} from '../kit/index.ts';
import type { CohereConfig } from './config.ts';

/** Options of {@link createCohereLlm}. */
export interface CohereLlmOptions {
  /** Validated settings. */
  readonly config: CohereConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `llm-cohere`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 8). */
  readonly max_concurrency?: number;
  /** The fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** Largest delta declared; longer provider pieces are cut. */
const MAX_DELTA_CHARS = 64;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), value);

/** The chat messages of a turn context (both protocols take the same shape). */
function chatMessages(messages: readonly LlmInput[]) {
  const { system, dialogue } = chatContext(messages);
  return [
    ...(system === null ? [] : [{ role: 'system', content: system }]),
    ...dialogue.map((m) => ({ role: m.role, content: m.text })),
  ];
}

/** What one event adds: text, or the end of the reply. */
type Step = { readonly text: string } | { readonly end: true };

/** Reads one Cohere v2 event. */
function cohereStep(provider: string, event: SseEvent): Step {
  const data = parseEventJson(provider, event.data);
  const type = event.event ?? at(data, 'type');
  if (type === 'message-end') return { end: true };
  if (type !== 'content-delta') return { text: '' };
  const text = at(data, 'delta', 'message', 'content', 'text');
  if (typeof text !== 'string') {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_event' });
  }
  return { text };
}

/** Reads one OpenRouter chunk. */
function openRouterStep(provider: string, event: SseEvent): Step {
  if (event.data.trim() === '[DONE]') return { end: true };
  const data = parseEventJson(provider, event.data);
  const code = at(data, 'error', 'code');
  if (at(data, 'error') !== undefined) {
    // An error after the 200 carries the status OpenRouter would have answered.
    throw typeof code === 'number'
      ? new AdapterError('http_status', { provider, status: code, detail: 'stream_error' })
      : new AdapterError('server_error', { provider, detail: 'stream_error' });
  }
  const choices = at(data, 'choices');
  if (!Array.isArray(choices)) {
    throw new AdapterError('malformed_output', { provider, detail: 'unexpected_event' });
  }
  const content = at(choices[0], 'delta', 'content');
  return { text: typeof content === 'string' ? content : '' };
}

/** Creates the Cohere streaming LLM adapter. */
export function createCohereLlm(options: CohereLlmOptions): LlmPort {
  const { config } = options;
  const provider = options.provider_id ?? 'llm-cohere';
  const capabilities: LlmCapabilities = {
    provider_id: provider,
    modality: 'llm',
    max_concurrency: options.max_concurrency ?? 8,
    streaming: { max_delta_chars: MAX_DELTA_CHARS },
  };
  const active = { count: 0 };
  const openrouter = config.protocol === 'openrouter';
  const headers: Record<string, string> = { authorization: `Bearer ${config.api_key}` };
  if (openrouter) {
    headers['x-title'] = config.title;
    if (config.referer !== null) headers['http-referer'] = config.referer;
  }
  const step = openrouter ? openRouterStep : cohereStep;
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
            url: config.endpoint,
            headers,
            body: {
              model: config.model,
              messages: chatMessages(messages),
              stream: true,
              max_tokens: config.max_tokens,
            },
            signal,
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
          });
          for await (const event of sseEvents(body)) {
            const next = step(provider, event);
            if ('end' in next) return;
            if (next.text !== '') yield next.text;
          }
          throw new AdapterError('transport_error', { provider, detail: 'stream_truncated' });
        },
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}
