/**
 * The Gemini `streamGenerateContent?alt=sse` protocol as the fake speaks it
 * (https://ai.google.dev/api/generate-content): `x-goog-api-key` (or `?key=`), `contents` with
 * roles `user` / `model`, `systemInstruction`, data-only events of `GenerateContentResponse`,
 * the last with a `finishReason`; errors as `{error: {code, message, status}}`.
 */
import { headerOf, sseFrame, type LlmWireProtocol } from './llm-fake.ts';

const STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const textOf = (content: unknown): string =>
  (Array.isArray(record(content)['parts']) ? (record(content)['parts'] as unknown[]) : [])
    .map((part) =>
      typeof record(part)['text'] === 'string' ? (record(part)['text'] as string) : '',
    )
    .join('');
const errorBody = (status: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    error: { code: status, message: 'fake error', status: STATUS[status] ?? 'UNKNOWN', ...extra },
  });

/** The Gemini protocol. */
export const geminiProtocol: LlmWireProtocol = {
  name: 'gemini',
  env: (origin, key, model) => ({
    RSPP_LLM_GEMINI_API_KEY: key,
    RSPP_LLM_GEMINI_ENDPOINT: `${origin}/v1beta`,
    RSPP_LLM_GEMINI_MODEL: model,
  }),
  matches: (request, model) =>
    request.method === 'POST' &&
    request.url === `/v1beta/models/${model}:streamGenerateContent?alt=sse`,
  read: (request) => {
    const body = record(request.body);
    const url = new URL(request.url, 'http://fake');
    const contents = Array.isArray(body['contents']) ? (body['contents'] as unknown[]) : [];
    const system = body['systemInstruction'];
    return {
      key: headerOf(request, 'x-goog-api-key') ?? url.searchParams.get('key'),
      model: /\/models\/([^/:]+):/.exec(url.pathname)?.[1] ?? null,
      system: system === undefined ? null : textOf(system),
      dialogue: contents.map((c) => ({
        role: record(c)['role'] === 'model' ? 'assistant' : String(record(c)['role']),
        text: textOf(c),
      })),
      streaming:
        url.pathname.endsWith(':streamGenerateContent') && url.searchParams.get('alt') === 'sse',
    };
  },
  stream: (pieces, complete = true) => {
    const frames = pieces.map((text) => ({
      content: { parts: [{ text }], role: 'model' },
      index: 0,
    }));
    if (complete) {
      const last = frames.pop() ?? { content: { parts: [], role: 'model' }, index: 0 };
      frames.push({ ...last, finishReason: 'STOP' } as (typeof frames)[number]);
    }
    return frames.map((candidate) =>
      sseFrame({ candidates: [candidate], modelVersion: 'fake-model-1' }),
    );
  },
  malformedFrame: () => 'data: {"candidates": [\n\n',
  errorBody: (status) => errorBody(status),
  authFailure: () => ({
    kind: 'status',
    status: 400,
    body: errorBody(400, {
      message: 'API key not valid. Please pass a valid API key.',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' }],
    }),
  }),
  midStreamError: {
    frame: sseFrame(JSON.parse(errorBody(503))),
    outcome: { class: 'infrastructure_failure', reason: 'provider_server_error' },
  },
};
