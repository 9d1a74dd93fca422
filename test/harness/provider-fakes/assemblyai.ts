/**
 * The AssemblyAI v3 Universal Streaming protocol as the fake speaks it
 * (https://www.assemblyai.com/docs/streaming/message-sequence): `GET /v3/ws?sample_rate&
 * encoding=pcm_s16le&speech_model&format_turns` with `Authorization: <key>`, `Begin`, `Turn`
 * messages (words still being decided, then `end_of_turn`, then the formatted turn),
 * `{"type":"Terminate"}` answered by `Termination` and a 1000 close; failures as an `Error`
 * message and a close with the same code (1008 for a bad key, 3009 for too many sessions).
 */
import { headerValue, type FakeSegment, type SttWireProtocol } from './stt-fake.ts';

const turn = (
  turn_order: number,
  words: readonly string[],
  settled: number,
  end_of_turn: boolean,
  formatted: string | null,
) =>
  JSON.stringify({
    type: 'Turn',
    turn_order,
    turn_is_formatted: formatted !== null,
    end_of_turn,
    transcript: formatted ?? words.slice(0, settled).join(' '),
    end_of_turn_confidence: end_of_turn ? 0.9 : 0.1,
    words: words.map((text, i) => ({
      start: i * 100,
      end: i * 100 + 90,
      text,
      confidence: 0.9,
      word_is_final: i < settled,
    })),
  });

const raw = (text: string) =>
  text
    .toLowerCase()
    .replace(/[.,?!]/g, '')
    .split(/\s+/)
    .filter((word) => word !== '');

const errorClose = (code: number, error: string, frames: readonly string[] = []) => ({
  kind: 'close' as const,
  frames: [...frames, JSON.stringify({ type: 'Error', error_code: code, error })],
  code,
  reason: error,
});

/** The AssemblyAI v3 protocol. */
export const assemblyAiProtocol: SttWireProtocol = {
  name: 'assemblyai',
  env: (origin, key, model) => ({
    RSPP_STT_ASSEMBLYAI_API_KEY: key,
    RSPP_STT_ASSEMBLYAI_ENDPOINT: `${origin}/v3/ws`,
    RSPP_STT_ASSEMBLYAI_SPEECH_MODEL: model,
  }),
  matches: (url) => new URL(url, 'http://fake').pathname === '/v3/ws',
  read: (connection) => {
    const query = new URL(connection.url, 'http://fake').searchParams;
    return {
      key: headerValue(connection, 'authorization'),
      model: query.get('speech_model'),
      sample_rate: query.has('sample_rate') ? Number(query.get('sample_rate')) : null,
      pcm16: query.get('encoding') === 'pcm_s16le',
      // The v3 API takes one channel only.
      mono: true,
    };
  },
  opening: () => [JSON.stringify({ type: 'Begin', id: 'fake-session', expires_at: 1_900_000_000 })],
  results: (segments: readonly FakeSegment[]) =>
    segments.flatMap((segment, order) => {
      const settled = raw(segment.final);
      return [
        // Interims: every word of the hypothesis, none settled yet.
        ...segment.interims.map((text) => turn(order, raw(text), 0, false, null)),
        turn(order, settled, settled.length, true, null),
        ...(segment.final === ''
          ? []
          : [turn(order, settled, settled.length, true, segment.final)]),
      ];
    }),
  isFinish: (message) => message === JSON.stringify({ type: 'Terminate' }),
  closing: () => [
    JSON.stringify({ type: 'Termination', audio_duration_seconds: 1, session_duration_seconds: 1 }),
  ],
  malformedFrame: () => '{"type":"Turn","transcript":',
  errorBody: (status) => JSON.stringify({ error: `fake error ${status}` }),
  authFailure: () => ({
    ...errorClose(1008, 'Unauthorized Connection: Invalid API key'),
    at: 'open',
  }),
  midStreamErrors: [
    {
      title: 'an Error 3005 (session cancelled)',
      script: (frames) => errorClose(3005, 'Session Cancelled: An error occurred', frames),
      outcome: {
        class: 'infrastructure_failure',
        reason: 'provider_server_error',
        circuit_open: true,
      },
    },
    {
      title: 'an Error 3009 (too many concurrent sessions)',
      script: (frames) =>
        errorClose(3009, 'Unauthorized Connection: Too many concurrent sessions', frames),
      outcome: { class: 'overload', reason: 'provider_overload', circuit_open: true },
    },
    {
      title: 'an Error 3007 (input duration violation)',
      script: (frames) =>
        errorClose(
          3007,
          'Input duration violation: 20 ms. Expected between 50 and 1000 ms',
          frames,
        ),
      outcome: { class: 'blocked', reason: 'provider_client_error' },
    },
    {
      title: 'a 1000 close without Termination',
      script: (frames) => ({ kind: 'close', frames, code: 1000, reason: '' }),
      outcome: { class: 'infrastructure_failure', reason: 'provider_transport_error' },
    },
  ],
};
