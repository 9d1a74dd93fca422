/**
 * The two protocols of the Cohere adapter as the fakes speak them: Cohere's v2 chat stream
 * (https://docs.cohere.com/v2/reference/chat-stream: `Authorization: Bearer`, named events,
 * `content-delta` text, `message-end` last, errors as `{message}`) and OpenRouter's chat
 * completions (https://openrouter.ai/docs/api-reference/streaming: data-only chunks,
 * `: OPENROUTER PROCESSING` comments, `[DONE]` last, errors as `{error: {code, message}}`).
 */
import { headerOf, sseFrame, type LlmWireProtocol, type ReceivedChat } from './llm-fake.ts';

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** Reads the shared `{model, messages: [{role, content}], stream}` body. */
function readChat(body: unknown, authorization: string | null): ReceivedChat {
  const fields = record(body);
  const messages = Array.isArray(fields['messages']) ? (fields['messages'] as unknown[]) : [];
  const system = messages.filter((m) => record(m)['role'] === 'system');
  return {
    key:
      authorization?.startsWith('Bearer ') === true ? authorization.slice('Bearer '.length) : null,
    model: typeof fields['model'] === 'string' ? fields['model'] : null,
    system:
      system.length === 0 ? null : system.map((m) => String(record(m)['content'])).join('\n\n'),
    dialogue: messages
      .filter((m) => record(m)['role'] !== 'system')
      .map((m) => ({ role: String(record(m)['role']), text: String(record(m)['content']) })),
    streaming: fields['stream'] === true,
  };
}

/** Cohere's v2 chat stream. */
export const cohereProtocol: LlmWireProtocol = {
  name: 'cohere',
  env: (origin, key, model) => ({
    RSPP_LLM_COHERE_API_KEY: key,
    RSPP_LLM_COHERE_ENDPOINT: `${origin}/v2/chat`,
    RSPP_LLM_COHERE_MODEL: model,
  }),
  matches: (request) => request.method === 'POST' && request.url === '/v2/chat',
  read: (request) => readChat(request.body, headerOf(request, 'authorization')),
  stream: (pieces, complete = true) => [
    sseFrame(
      { id: 'fake', type: 'message-start', delta: { message: { role: 'assistant' } } },
      'message-start',
    ),
    sseFrame(
      {
        type: 'content-start',
        index: 0,
        delta: { message: { content: { type: 'text', text: '' } } },
      },
      'content-start',
    ),
    ...pieces.map((text) =>
      sseFrame(
        { type: 'content-delta', index: 0, delta: { message: { content: { text } } } },
        'content-delta',
      ),
    ),
    ...(complete
      ? [
          sseFrame({ type: 'content-end', index: 0 }, 'content-end'),
          sseFrame({ type: 'message-end', delta: { finish_reason: 'COMPLETE' } }, 'message-end'),
        ]
      : []),
  ],
  malformedFrame: () => 'event: content-delta\ndata: {"type":"content-delta",\n\n',
  errorBody: (status) => JSON.stringify({ id: 'fake', message: `fake error ${status}` }),
  authFailure: () => ({
    kind: 'status',
    status: 401,
    body: JSON.stringify({ id: 'fake', message: 'invalid api token' }),
  }),
};

/** OpenRouter's chat completions stream (the spec's default endpoint for `llm-cohere`). */
export const openRouterProtocol: LlmWireProtocol = {
  name: 'cohere',
  env: (origin, key, model) => ({
    RSPP_LLM_COHERE_API_KEY: key,
    RSPP_LLM_COHERE_ENDPOINT: `${origin}/api/v1/chat/completions`,
    RSPP_LLM_COHERE_OPENROUTER: '1',
    RSPP_LLM_COHERE_OPENROUTER_REFERER: 'https://rspp.invalid/',
    RSPP_LLM_COHERE_MODEL: model,
  }),
  matches: (request) =>
    request.method === 'POST' &&
    request.url === '/api/v1/chat/completions' &&
    headerOf(request, 'x-title') === 'RealtimeSpeechPipeline' &&
    headerOf(request, 'http-referer') === 'https://rspp.invalid/',
  read: (request) => readChat(request.body, headerOf(request, 'authorization')),
  stream: (pieces, complete = true) => [
    ': OPENROUTER PROCESSING\n\n',
    ...pieces.map((content) =>
      sseFrame({
        id: 'gen-fake',
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta: { role: 'assistant', content }, finish_reason: null }],
      }),
    ),
    ...(complete
      ? [
          sseFrame({
            id: 'gen-fake',
            object: 'chat.completion.chunk',
            choices: [{ index: 0, delta: { content: '' }, finish_reason: 'stop' }],
          }),
          'data: [DONE]\n\n',
        ]
      : []),
  ],
  malformedFrame: () => 'data: {"choices": [\n\n',
  errorBody: (status) =>
    JSON.stringify({ error: { code: status, message: `fake error ${status}` } }),
  authFailure: () => ({
    kind: 'status',
    status: 401,
    body: JSON.stringify({ error: { code: 401, message: 'No auth credentials found' } }),
  }),
  midStreamError: {
    frame: sseFrame({
      id: 'gen-fake',
      object: 'chat.completion.chunk',
      error: { code: 502, message: 'Provider disconnected' },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    }),
    outcome: { class: 'infrastructure_failure', reason: 'provider_server_error' },
  },
};
