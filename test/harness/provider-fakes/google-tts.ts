/**
 * The Cloud Text-to-Speech REST protocol as the fake speaks it
 * (https://cloud.google.com/text-to-speech/docs/reference/rest/v1/text/synthesize):
 * `POST /v1/text:synthesize` with `x-goog-api-key`, a JSON body `{input: {text}, voice:
 * {languageCode, name}, audioConfig: {audioEncoding, sampleRateHertz}}`, answered with
 * `{audioContent}` (base64; LINEAR16 is a WAV file); errors as `{error: {code, message, status}}`,
 * a bad key as 400 `INVALID_ARGUMENT` with the `ErrorInfo` reason `API_KEY_INVALID`.
 */
import { FAKE_VOICE, bytesOf, speechOf, type ReceivedSpeech, type TtsFailure } from './tts-fake.ts';
import { FAKE_TTS_KEY } from './tts-fake.ts';
import { headerOf, type TtsHttpAnswer, type TtsHttpProtocol } from './tts-http-fake.ts';

const STATUS: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  504: 'DEADLINE_EXCEEDED',
};
const FAILURE_STATUS: Readonly<Record<TtsFailure, number>> = {
  rate_limit: 429,
  auth: 401,
  client: 400,
  server: 500,
  gateway_timeout: 504,
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): TtsHttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=UTF-8', ...headers },
  body: JSON.stringify(body),
});
const errorBody = (status: number, extra: Record<string, unknown> = {}) => ({
  error: { code: status, message: 'fake error', status: STATUS[status] ?? 'UNKNOWN', ...extra },
});

/** A 16-bit mono WAV file of `pcm` at `rate` (the 44-byte header Google's LINEAR16 carries). */
export function wavOf(pcm: Int16Array, rate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(pcm.byteLength, 40);
  return Buffer.concat([header, bytesOf(pcm)]);
}

/** The Google TTS protocol. */
export const googleTtsProtocol: TtsHttpProtocol = {
  name: 'google-tts',
  env: (origin, key) => ({
    RSPP_TTS_GOOGLE_API_KEY: key,
    RSPP_TTS_GOOGLE_ENDPOINT: `${origin}/v1/text:synthesize`,
    RSPP_TTS_GOOGLE_VOICE: FAKE_VOICE,
    RSPP_TTS_GOOGLE_LANGUAGE: 'en-US',
  }),
  read: (request) => {
    let body: Record<string, unknown> = {};
    try {
      body = record(JSON.parse(request.body.toString('utf8')));
    } catch {
      // Unreadable: recorded as a problem below.
    }
    const input = record(body['input']);
    const voice = record(body['voice']);
    const audio = record(body['audioConfig']);
    const problems: string[] = [];
    if (request.method !== 'POST' || request.url !== '/v1/text:synthesize') problems.push('route');
    if (!(headerOf(request, 'content-type') ?? '').startsWith('application/json')) {
      problems.push('content-type');
    }
    if (voice['languageCode'] !== 'en-US') problems.push('voice.languageCode');
    return {
      key: headerOf(request, 'x-goog-api-key'),
      voice: typeof voice['name'] === 'string' ? voice['name'] : null,
      model: null,
      encoding: typeof audio['audioEncoding'] === 'string' ? audio['audioEncoding'] : null,
      sample_rate_hz:
        typeof audio['sampleRateHertz'] === 'number' ? audio['sampleRateHertz'] : null,
      texts: typeof input['text'] === 'string' ? [input['text']] : [],
      problems,
    } satisfies ReceivedSpeech;
  },
  refuse: (_request, call) =>
    call.key === FAKE_TTS_KEY
      ? null
      : json(
          400,
          errorBody(400, {
            message: 'API key not valid. Please pass a valid API key.',
            details: [
              { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID' },
            ],
          }),
        ),
  speak: (call, index, empty) => {
    const rate = call.sample_rate_hz ?? 24_000;
    const pcm = empty ? new Int16Array(0) : speechOf(call.texts[0] ?? '', rate, index);
    return json(200, { audioContent: wavOf(pcm, rate).toString('base64') });
  },
  fail: (failure, retryAfter) => {
    const status = FAILURE_STATUS[failure];
    return json(
      status,
      errorBody(status),
      retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    );
  },
  malformed: () => json(200, { audioContent: 42 }),
};
