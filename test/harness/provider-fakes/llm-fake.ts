/**
 * A loopback fake of a streaming chat API: the generic scripted server plus one provider's
 * documented protocol (route, auth, error bodies, event framing), so the LLM port conformance
 * suite can drive any adapter the same way and read back what the adapter sent.
 */
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';
import {
  startLoopbackHttp,
  type LoopbackHttpServer,
  type RecordedRequest,
  type ScriptedReply,
} from './loopback-http.ts';

/** What an adapter asked for, read back from the request in the provider's own terms. */
export interface ReceivedChat {
  /** The API key as sent (header or query), or null. */
  readonly key: string | null;
  readonly model: string | null;
  /** System prompt, or null. */
  readonly system: string | null;
  /** Dialogue in order, roles normalized to `user` / `assistant`. */
  readonly dialogue: readonly { readonly role: string; readonly text: string }[];
  /** Whether the request asked for a stream. */
  readonly streaming: boolean;
}

/** One provider's documented wire protocol, as the fake speaks it. */
export interface LlmWireProtocol {
  /** Provider name, for titles. */
  readonly name: string;
  /** The adapter's environment, pointing at the fake's origin. */
  env(origin: string, key: string, model: string): ProviderEnv;
  /** Whether a request went to the documented method path (for `model`). */
  matches(request: RecordedRequest, model: string): boolean;
  /** Reads the request back. */
  read(request: RecordedRequest): ReceivedChat;
  /**
   * Event frames of a reply streaming `pieces`: with its terminal event when `complete`, else
   * the frames of a stream cut right after the last piece.
   */
  stream(pieces: readonly string[], complete?: boolean): string[];
  /** A frame whose data is not valid JSON. */
  malformedFrame(): string;
  /** The documented error body of `status`. */
  errorBody(status: number): string;
  /** The documented answer to a bad key. */
  authFailure(): ScriptedReply;
  /** A mid-stream error event and the outcome it settles to, when the protocol has one. */
  readonly midStreamError?: {
    readonly frame: string;
    readonly outcome: { readonly class: string; readonly reason: string };
  };
}

/** A running fake of one protocol. */
export interface LlmFake extends LoopbackHttpServer {
  /** The protocol spoken. */
  readonly protocol: LlmWireProtocol;
  /** The environment an adapter needs to reach this fake with `key`. */
  env(key?: string): ProviderEnv;
  /** Queues a complete streamed reply; with `hold_after`, it holds after that many pieces. */
  replyStream(pieces: readonly string[], hold_after?: number): void;
}

/** Key the fake accepts. */
export const FAKE_KEY = 'fake-key-0123456789abcdef';
/** Model the fake expects. */
export const FAKE_MODEL = 'fake-model-1';

/**
 * Starts a fake of `protocol` on 127.0.0.1: a request to another path gets the documented 404,
 * one with another key the documented auth failure, anything else the scripted reply.
 */
export async function startLlmFake(protocol: LlmWireProtocol): Promise<LlmFake> {
  const server = await startLoopbackHttp((request) => {
    if (!protocol.matches(request, FAKE_MODEL)) {
      return { kind: 'status', status: 404, body: protocol.errorBody(404) };
    }
    return protocol.read(request).key === FAKE_KEY ? null : protocol.authFailure();
  });
  return Object.assign(server, {
    protocol,
    env: (key = FAKE_KEY) => protocol.env(server.origin, key, FAKE_MODEL),
    replyStream: (pieces: readonly string[], hold_after?: number) =>
      server.reply({
        kind: 'events',
        frames: protocol.stream(pieces),
        ...(hold_after === undefined
          ? {}
          : { hold_after: protocol.stream(pieces.slice(0, hold_after), false).length }),
      }),
  });
}

/** An SSE frame: optional `event:` line, one `data:` line. */
export const sseFrame = (data: unknown, event?: string): string =>
  `${event === undefined ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

/** A header's single value. */
export const headerOf = (request: RecordedRequest, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};
