/**
 * A loopback fake of a REST TTS API (one POST per sentence): it records each request read back
 * in the provider's terms, answers it by the script of that sentence in the provider's
 * documented shape (audio body, error status and body, a body cut off, silence), and reports when
 * the connection of each request closed.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  FAKE_TTS_KEY,
  createTtsLedger,
  type ReceivedSpeech,
  type TtsFailure,
  type TtsFake,
} from './tts-fake.ts';

/** One request as the server received it. */
export interface TtsHttpRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The raw body. */
  readonly body: Buffer;
}

/** A whole answer. */
export interface TtsHttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

/** One provider's REST protocol, as the fake speaks it. */
export interface TtsHttpProtocol {
  /** Protocol name, for titles. */
  readonly name: string;
  /** The adapter's environment pointing at `origin`. */
  env(origin: string, key: string): ProviderEnv;
  /** Reads a request back; `texts` holds the one text it asks for (none when unreadable). */
  read(request: TtsHttpRequest): ReceivedSpeech;
  /** The answer to a request with a wrong credential, or null when the credential is right. */
  refuse(request: TtsHttpRequest, call: ReceivedSpeech): TtsHttpAnswer | null;
  /** The audio answer to sentence `index` of the fake's life (`empty`: without audio). */
  speak(call: ReceivedSpeech, index: number, empty: boolean): TtsHttpAnswer;
  /** The documented answer of a failure. */
  fail(failure: TtsFailure, retry_after: string | undefined): TtsHttpAnswer;
  /** A 2xx answer the protocol does not allow. */
  malformed(): TtsHttpAnswer;
}

/** Starts a fake of `protocol` on 127.0.0.1. */
export async function startTtsHttpFake(protocol: TtsHttpProtocol): Promise<TtsFake> {
  const ledger = createTtsLedger();
  let sentences = 0;
  const send = (res: http.ServerResponse, answer: TtsHttpAnswer) => {
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };
  const server = http.createServer((req, res) => {
    const closing = once(res, 'close').then(() => undefined);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      const call = protocol.read(request);
      const text = call.texts.splice(0).join(' ');
      ledger.call(call, closing);
      const refusal = protocol.refuse(request, call);
      if (refusal !== null) return send(res, refusal);
      const index = sentences++;
      const script = ledger.ask(call, text);
      switch (script.kind) {
        case 'speak':
        case 'empty':
          return send(res, protocol.speak(call, index, script.kind === 'empty'));
        case 'hold':
          return ledger.hold(() => send(res, protocol.speak(call, index, false)));
        case 'fail':
          return send(res, protocol.fail(script.failure, script.retry_after));
        case 'malformed':
          return send(res, protocol.malformed());
        case 'break': {
          const answer = protocol.speak(call, index, false);
          res.writeHead(answer.status, { ...answer.headers, 'transfer-encoding': 'chunked' });
          res.write(answer.body.slice(0, Math.floor(answer.body.length / 2)));
          // Let the first half leave before the reset, so the client sees it, then the break.
          res.socket?.end();
          return;
        }
        case 'silence':
          return;
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    name: protocol.name,
    ...ledger.surface,
    env: (key = FAKE_TTS_KEY) => protocol.env(origin, key),
    dispose: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A header's single value. */
export const headerOf = (request: TtsHttpRequest, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};
