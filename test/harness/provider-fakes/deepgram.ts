/**
 * The Deepgram live streaming protocol as the fake speaks it
 * (https://developers.deepgram.com/reference/speech-to-text-api/listen-streaming):
 * `GET /v1/listen?model&encoding=linear16&sample_rate&channels` with `Authorization: Token <key>`,
 * `Results` messages (`is_final`, `speech_final`), `{"type":"CloseStream"}` answered by
 * `Metadata` and a 1000 close; refusals as `{err_code, err_msg, request_id}`, failures later as
 * close frames with a `DATA-`/`NET-` reason.
 */
import { headerValue, type FakeSegment, type SttWireProtocol } from './stt-fake.ts';

const ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'INVALID_AUTH',
  402: 'ASR_PAYMENT_REQUIRED',
  403: 'INSUFFICIENT_PERMISSIONS',
  429: 'TOO_MANY_REQUESTS',
};

const results = (transcript: string, is_final: boolean, start: number) =>
  JSON.stringify({
    type: 'Results',
    channel_index: [0, 1],
    duration: 1,
    start,
    is_final,
    speech_final: is_final,
    channel: { alternatives: [{ transcript, confidence: 0.9, words: [] }] },
    metadata: { request_id: 'fake-request', model_info: { name: 'fake' } },
    from_finalize: false,
  });

const errorBody = (status: number) =>
  JSON.stringify({
    err_code: ERROR_CODES[status] ?? 'INTERNAL_SERVER_ERROR',
    err_msg: `fake error ${status}`,
    request_id: 'fake-request',
  });

/** The Deepgram protocol. */
export const deepgramProtocol: SttWireProtocol = {
  name: 'deepgram',
  env: (origin, key, model) => ({
    RSPP_STT_DEEPGRAM_API_KEY: key,
    RSPP_STT_DEEPGRAM_ENDPOINT: `${origin}/v1/listen`,
    RSPP_STT_DEEPGRAM_MODEL: model,
  }),
  matches: (url) => new URL(url, 'http://fake').pathname === '/v1/listen',
  read: (connection) => {
    const query = new URL(connection.url, 'http://fake').searchParams;
    const auth = headerValue(connection, 'authorization');
    return {
      key: auth?.startsWith('Token ') === true ? auth.slice('Token '.length) : null,
      model: query.get('model'),
      sample_rate: query.has('sample_rate') ? Number(query.get('sample_rate')) : null,
      pcm16: query.get('encoding') === 'linear16',
      mono: query.get('channels') === '1',
    };
  },
  opening: () => [],
  results: (segments: readonly FakeSegment[]) =>
    segments.flatMap((segment, i) => [
      ...segment.interims.map((text) => results(text, false, i)),
      results(segment.final, true, i),
    ]),
  isFinish: (message) => message === JSON.stringify({ type: 'CloseStream' }),
  closing: () => [
    JSON.stringify({
      type: 'Metadata',
      transaction_key: 'deprecated',
      request_id: 'fake-request',
      sha256: '0'.repeat(64),
      created: '2025-01-01T00:00:00.000Z',
      duration: 1,
      channels: 1,
    }),
  ],
  malformedFrame: () => '{"type":"Results","channel":',
  errorBody,
  authFailure: () => ({ kind: 'status', status: 401, body: errorBody(401) }),
  midStreamErrors: [
    {
      title: 'a 1011 NET-0000 close',
      script: (frames) => ({ kind: 'close', frames, code: 1011, reason: 'NET-0000' }),
      outcome: {
        class: 'infrastructure_failure',
        reason: 'provider_server_error',
        circuit_open: true,
      },
    },
    {
      title: 'a 1011 NET-0001 close (no audio in time)',
      script: (frames) => ({ kind: 'close', frames, code: 1011, reason: 'NET-0001' }),
      outcome: { class: 'timeout', reason: 'provider_timeout' },
    },
    {
      title: 'a 1008 DATA-0000 close (undecodable audio)',
      script: (frames) => ({ kind: 'close', frames, code: 1008, reason: 'DATA-0000' }),
      outcome: { class: 'blocked', reason: 'provider_client_error' },
    },
  ],
};
