/**
 * A loopback fake of the ElevenLabs stream-input WebSocket
 * (https://elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-stream-input):
 * `GET /v1/text-to-speech/<voice>/stream-input?model_id&output_format=pcm_<rate>` upgraded with
 * `xi-api-key`; client messages `{text: " "}` first, then `{text, flush}`, then `{text: ""}`;
 * server messages `{audio (base64 PCM16), isFinal: null, alignment: {chars, charStartTimesMs,
 * charDurationsMs}}` and finally `{isFinal: true}`. A bad key gets the documented error message
 * and a 1008 close; scripted refusals at the start are handshake statuses with JSON bodies.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  FAKE_TTS_KEY,
  FAKE_VOICE,
  MS_PER_CHAR,
  bytesOf,
  createTtsLedger,
  speechOf,
  spokenWeight,
  type ReceivedSpeech,
  type TtsFailure,
  type TtsFake,
  type TtsScript,
} from './tts-fake.ts';

/** Model the fake expects. */
export const FAKE_ELEVENLABS_MODEL = 'eleven_fake_v1';

/** The handshake status of a failure the fake refuses the upgrade with, or null (in-band). */
const handshakeStatus = (failure: TtsFailure): number | null =>
  failure === 'rate_limit' ? 429 : failure === 'gateway_timeout' ? 504 : null;
/** Audio messages per sentence. */
const PIECES = 3;

/** Starts the fake on 127.0.0.1; `sample_rate_hz` is the rate the adapter is configured with. */
export async function startElevenLabsFake(sample_rate_hz = 16_000): Promise<TtsFake> {
  const ledger = createTtsLedger();
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true });
  const server = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ detail: { status: 'not_found', message: 'fake' } }));
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const route = /^\/v1\/text-to-speech\/([^/]+)\/stream-input$/.exec(url.pathname);
    const refuse = (status: number, retryAfter?: string) => {
      const retry = retryAfter === undefined ? '' : `retry-after: ${retryAfter}\r\n`;
      const body = JSON.stringify({ detail: { status: 'refused', message: 'fake refusal' } });
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\n${retry}` +
          `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    if (route === null) return refuse(404);
    const format = /^pcm_(\d+)$/.exec(url.searchParams.get('output_format') ?? '');
    const key = req.headers['xi-api-key'];
    const call: ReceivedSpeech = {
      key: typeof key === 'string' ? key : null,
      voice: route[1] ?? null,
      model: url.searchParams.get('model_id'),
      encoding: url.searchParams.get('output_format'),
      sample_rate_hz: format === null ? null : Number(format[1]),
      texts: [],
      problems: [],
    };
    const first = ledger.peek();
    const status = first?.kind === 'fail' ? handshakeStatus(first.failure) : null;
    if (first?.kind === 'fail' && status !== null) {
      // A refusal scripted for the first sentence is a refused handshake.
      ledger.take();
      ledger.call(call, Promise.resolve());
      return refuse(status, first.retry_after);
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ledger.call(
        call,
        once(ws, 'close').then(() => undefined),
      );
      session(ws, call, Number(format?.[1] ?? sample_rate_hz));
    });
  });

  function session(ws: WebSocket, call: ReceivedSpeech, rate: number): void {
    let buffer = '';
    let messages = 0;
    let sentence = 0;
    let ended = false;
    // Sentences are answered in order, each after the previous one (a held one holds the rest).
    let queue = Promise.resolve();
    const send = (message: unknown) => {
      if (!ended) ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    };
    const stop = (code?: number) => {
      ended = true;
      if (code === undefined) ws.terminate();
      else ws.close(code);
    };
    const speak = (text: string, index: number, pieces = PIECES) => {
      const chars = [...text];
      const audio = speechOf(text, rate, index);
      const per = Math.ceil(chars.length / PIECES);
      let offset = 0;
      for (let p = 0; p < pieces && p * per < chars.length; p += 1) {
        const part = chars.slice(p * per, (p + 1) * per);
        const starts: number[] = [];
        let ms = 0;
        for (const char of part) {
          starts.push(ms);
          ms += spokenWeight(char) * MS_PER_CHAR;
        }
        const samples = (ms * rate) / 1000;
        send({
          audio: bytesOf(audio.subarray(offset, offset + samples)).toString('base64'),
          isFinal: null,
          normalizedAlignment: null,
          alignment: {
            chars: part,
            charStartTimesMs: starts,
            charDurationsMs: part.map((c) => spokenWeight(c) * MS_PER_CHAR),
          },
        });
        offset += samples;
      }
    };
    const answer = (script: TtsScript, text: string, index: number) => {
      switch (script.kind) {
        case 'speak':
          return speak(text, index);
        case 'hold':
          return new Promise<void>((resolve) =>
            ledger.hold(() => {
              speak(text, index);
              resolve();
            }),
          );
        case 'fail':
          if (script.failure === 'server') return stop(1011);
          send({
            message: 'fake error',
            error: {
              rate_limit: 'rate_limit_exceeded',
              auth: 'invalid_api_key',
              client: 'invalid_request',
              gateway_timeout: 'input_timeout_exceeded',
            }[script.failure],
            code: 1008,
          });
          return stop(1008);
        case 'malformed':
          send('{"audio": ');
          return;
        case 'break':
          speak(text, index, 1);
          return stop();
        case 'silence':
          return new Promise<void>(() => undefined);
        case 'empty':
          return;
      }
    };
    ws.on('message', (data: Buffer) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      } catch {
        call.problems.push('message is not JSON');
        return;
      }
      messages += 1;
      const text = typeof message['text'] === 'string' ? message['text'] : null;
      if (text === null) call.problems.push('message without text');
      if (messages === 1) {
        if (text !== ' ') call.problems.push('first message is not {text: " "}');
        if (call.key !== FAKE_TTS_KEY) {
          send({ message: 'Invalid API key', error: 'invalid_api_key', code: 1008 });
          stop(1008);
        }
        return;
      }
      const eos = text === '';
      if (!eos && text !== null && !text.endsWith(' '))
        call.problems.push('text without trailing space');
      buffer += text ?? '';
      if (message['flush'] === true || eos) {
        const sentenceText = buffer.trim();
        buffer = '';
        if (sentenceText !== '') {
          const index = sentence++;
          const script = ledger.ask(call, sentenceText);
          queue = queue.then(() => answer(script, sentenceText, index));
        }
      }
      if (eos) {
        queue = queue.then(() => {
          send({ isFinal: true });
          stop(1000);
        });
      }
    });
    ws.on('close', () => {
      ended = true;
      sockets.delete(ws);
    });
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    name: 'elevenlabs',
    ...ledger.surface,
    env: (key = FAKE_TTS_KEY) => ({
      RSPP_TTS_ELEVENLABS_API_KEY: key,
      RSPP_TTS_ELEVENLABS_ENDPOINT: origin,
      RSPP_TTS_ELEVENLABS_VOICE_ID: FAKE_VOICE,
      RSPP_TTS_ELEVENLABS_MODEL: FAKE_ELEVENLABS_MODEL,
      RSPP_TTS_ELEVENLABS_SAMPLE_RATE: String(sample_rate_hz),
    }),
    dispose: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
