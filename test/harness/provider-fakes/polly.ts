/**
 * The Amazon Polly REST protocol as the fake speaks it
 * (https://docs.aws.amazon.com/polly/latest/dg/API_SynthesizeSpeech.html): `POST /v1/speech`
 * with a JSON body `{Engine, OutputFormat, SampleRate, Text, TextType, VoiceId}` signed with
 * SigV4 (service `polly`), answered with the raw audio (`audio/pcm`); errors as
 * `x-amzn-ErrorType` plus a JSON `{message}`. The fake recomputes each request's signature
 * with the secret it knows and records a mismatch as a protocol problem.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  FAKE_TTS_KEY,
  FAKE_VOICE,
  bytesOf,
  speechOf,
  type ReceivedSpeech,
  type TtsFailure,
} from './tts-fake.ts';
import {
  headerOf,
  type TtsHttpAnswer,
  type TtsHttpProtocol,
  type TtsHttpRequest,
} from './tts-http-fake.ts';

/** The secret access key paired with the fakes' access key id. */
export const FAKE_AWS_SECRET = 'fake-aws-secret-0123456789abcdefABCDEF';
const REGION = 'eu-west-1';

const ERRORS: Readonly<Record<TtsFailure, readonly [number, string]>> = {
  // Polly answers throttling with 400 and the error type, not 429.
  rate_limit: [400, 'TooManyRequestsException'],
  auth: [403, 'UnrecognizedClientException'],
  client: [400, 'TextLengthExceededException'],
  server: [500, 'ServiceFailureException'],
  gateway_timeout: [504, ''],
};

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

function awsError(
  status: number,
  type: string,
  headers: Record<string, string> = {},
): TtsHttpAnswer {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      ...(type === ''
        ? {}
        : { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazonaws.tts/` }),
      ...headers,
    },
    body: JSON.stringify({ message: 'fake error' }),
  };
}

/** The access key id named in a SigV4 `Authorization` header. */
function accessKeyOf(authorization: string | null): string | null {
  return /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? null;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data).digest();

/**
 * Recomputes a request's SigV4 signature from scratch (an independent check of the adapter's
 * signing library): canonical request, string to sign, the HMAC key chain of the fake's secret.
 * Returns the problems found; none when the signature is the one the secret gives.
 */
function signatureProblems(request: TtsHttpRequest): string[] {
  const auth = headerOf(request, 'authorization') ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/polly\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (m === null) return ['authorization'];
  const [, key, day, region, signedHeaders, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (key !== FAKE_TTS_KEY) return [];
  const date = headerOf(request, 'x-amz-date') ?? '';
  const payload = sha256(request.body);
  const problems: string[] = [];
  if (region !== REGION) problems.push('credential scope');
  if (!date.startsWith(day)) problems.push('x-amz-date');
  if ((headerOf(request, 'x-amz-content-sha256') ?? payload) !== payload)
    problems.push('payload hash');
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) problems.push('signed headers');
  const canonical = [
    request.method,
    request.url.split('?')[0] ?? '',
    '',
    ...names.map(
      (name) => `${name}:${(headerOf(request, name) ?? '').trim().replace(/\s+/g, ' ')}`,
    ),
    '',
    signedHeaders,
    payload,
  ].join('\n');
  const scope = `${day}/${region}/polly/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', date, scope, sha256(canonical)].join('\n');
  const signingKey = ['polly', 'aws4_request'].reduce(
    (k, part) => hmac(k, part),
    hmac(hmac(`AWS4${FAKE_AWS_SECRET}`, day), region),
  );
  if (createHmac('sha256', signingKey).update(toSign).digest('hex') !== signature)
    problems.push('signature');
  return problems;
}

/** The Polly protocol. */
export const pollyProtocol: TtsHttpProtocol = {
  name: 'polly',
  env: (origin, key) => ({
    AWS_ACCESS_KEY_ID: key,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET,
    RSPP_TTS_POLLY_ENDPOINT: origin,
    RSPP_TTS_POLLY_REGION: REGION,
    RSPP_TTS_POLLY_VOICE: FAKE_VOICE,
  }),
  read: (request) => {
    let body: Record<string, unknown> = {};
    try {
      body = record(JSON.parse(request.body.toString('utf8')));
    } catch {
      // Unreadable: recorded as a problem below.
    }
    const problems: string[] = [];
    if (request.method !== 'POST' || request.url !== '/v1/speech') problems.push('route');
    if (headerOf(request, 'content-type') !== 'application/json') problems.push('content-type');
    problems.push(...signatureProblems(request));
    if (body['TextType'] !== 'text') problems.push('TextType');
    return {
      key: accessKeyOf(headerOf(request, 'authorization')),
      voice: typeof body['VoiceId'] === 'string' ? body['VoiceId'] : null,
      model: typeof body['Engine'] === 'string' ? body['Engine'] : null,
      encoding: typeof body['OutputFormat'] === 'string' ? body['OutputFormat'] : null,
      sample_rate_hz: typeof body['SampleRate'] === 'string' ? Number(body['SampleRate']) : null,
      texts: typeof body['Text'] === 'string' ? [body['Text']] : [],
      problems,
    } satisfies ReceivedSpeech;
  },
  refuse: (_request, call) =>
    call.key === FAKE_TTS_KEY ? null : awsError(403, 'UnrecognizedClientException'),
  speak: (call, index, empty) => {
    const rate = call.sample_rate_hz ?? 16_000;
    const pcm = empty ? new Int16Array(0) : speechOf(call.texts[0] ?? '', rate, index);
    return { status: 200, headers: { 'content-type': 'audio/pcm' }, body: bytesOf(pcm) };
  },
  fail: (failure, retryAfter) => {
    const [status, type] = ERRORS[failure];
    return awsError(status, type, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
  },
  malformed: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{}' }),
};
