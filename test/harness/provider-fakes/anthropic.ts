/**
 * The Anthropic Messages streaming protocol as the fake speaks it
 * (https://docs.anthropic.com/en/api/messages-streaming, /en/api/errors): `POST /v1/messages`
 * with `x-api-key` and `anthropic-version: 2023-06-01`, named events from `message_start` to
 * `message_stop` with text in `content_block_delta`, errors as
 * `{type: 'error', error: {type, message}}`, also as an `error` event mid-stream.
 */
import { headerOf, sseFrame, type LlmWireProtocol } from './llm-fake.ts';

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
/** A `content` that is a string or text blocks, as text. */
const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content
          .map((block) =>
            typeof record(block)['text'] === 'string' ? (record(block)['text'] as string) : '',
          )
          .join('')
      : '';
const errorBody = (status: number) =>
  JSON.stringify({
    type: 'error',
    error: { type: ERROR_TYPES[status] ?? 'api_error', message: `fake error ${status}` },
  });
const event = (type: string, fields: Record<string, unknown> = {}) =>
  sseFrame({ type, ...fields }, type);

/** The Anthropic protocol. */
export const anthropicProtocol: LlmWireProtocol = {
  name: 'anthropic',
  env: (origin, key, model) => ({
    RSPP_LLM_ANTHROPIC_API_KEY: key,
    RSPP_LLM_ANTHROPIC_ENDPOINT: `${origin}/v1/messages`,
    RSPP_LLM_ANTHROPIC_MODEL: model,
  }),
  matches: (request) =>
    request.method === 'POST' &&
    request.url === '/v1/messages' &&
    headerOf(request, 'anthropic-version') === '2023-06-01' &&
    headerOf(request, 'authorization') === null,
  read: (request) => {
    const body = record(request.body);
    const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
    return {
      key: headerOf(request, 'x-api-key'),
      model: typeof body['model'] === 'string' ? body['model'] : null,
      system: body['system'] === undefined ? null : textOf(body['system']),
      dialogue: messages.map((m) => ({
        role: String(record(m)['role']),
        text: textOf(record(m)['content']),
      })),
      streaming: body['stream'] === true,
    };
  },
  stream: (pieces, complete = true) => [
    event('message_start', {
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'fake-model-1',
        stop_reason: null,
        usage: { input_tokens: 10, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping'),
    ...pieces.map((text) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }),
    ),
    ...(complete
      ? [
          event('content_block_stop', { index: 0 }),
          event('message_delta', {
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: 15 },
          }),
          event('message_stop'),
        ]
      : []),
  ],
  malformedFrame: () => 'event: content_block_delta\ndata: {"type": "content_block_delta",\n\n',
  errorBody,
  authFailure: () => ({ kind: 'status', status: 401, body: errorBody(401) }),
  midStreamError: {
    frame: sseFrame(
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      'error',
    ),
    outcome: { class: 'infrastructure_failure', reason: 'provider_server_error' },
  },
};
