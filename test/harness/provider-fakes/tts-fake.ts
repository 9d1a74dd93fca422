/**
 * What every loopback TTS fake shares: the scripts the TTS port conformance suite queues (one per
 * sentence the provider is asked to speak), the deterministic audio a fake speaks, and the
 * bookkeeping of calls, arrivals and closed connections, so tests wait on events, never on time.
 */
import type { ProviderEnv } from '../../../adapters/providers/kit/index.ts';

/** A failure a provider answers with, in its own documented terms. */
export type TtsFailure = 'rate_limit' | 'auth' | 'client' | 'server' | 'gateway_timeout';

/** What the fake does with the next sentence it is asked to speak. */
export type TtsScript =
  | { readonly kind: 'speak' }
  /** Speaks it only after `release()`. */
  | { readonly kind: 'hold' }
  /** Answers with the documented failure (`retry_after` seconds for a rate limit). */
  | { readonly kind: 'fail'; readonly failure: TtsFailure; readonly retry_after?: string }
  /** Answers with a body or message the protocol does not allow. */
  | { readonly kind: 'malformed' }
  /** Sends part of the audio, then cuts the connection. */
  | { readonly kind: 'break' }
  /** Never answers. */
  | { readonly kind: 'silence' }
  /** Answers completely, without audio. */
  | { readonly kind: 'empty' };

/** One provider call as the fake read it back (an HTTP request, or a WebSocket session). */
export interface ReceivedSpeech {
  /** The credential as sent (API key; for SigV4 the access key id), or null. */
  readonly key: string | null;
  readonly voice: string | null;
  readonly model: string | null;
  /** Audio encoding asked for (`pcm`, `LINEAR16`, `pcm_16000`...). */
  readonly encoding: string | null;
  readonly sample_rate_hz: number | null;
  /** The texts it was asked to speak, in order (a WebSocket session grows as text arrives). */
  readonly texts: string[];
  /** Protocol checks that failed on this call (route, headers, signature); empty when none. */
  readonly problems: string[];
}

/** A running fake of one TTS protocol. */
export interface TtsFake {
  /** Protocol name, for titles. */
  readonly name: string;
  /** The adapter's environment pointing at this fake (with `key`). */
  env(key?: string): ProviderEnv;
  /** Queues scripts for the next sentences asked for; a sentence with none is spoken. */
  script(...scripts: TtsScript[]): void;
  /** Calls so far. */
  readonly calls: readonly ReceivedSpeech[];
  /** Resolves once `count` calls have arrived. */
  received(count: number): Promise<void>;
  /** Resolves once `count` sentences have been asked for, over all calls. */
  asked(count: number): Promise<void>;
  /** Resolves once the connection of call `index` is closed. */
  closed(index: number): Promise<void>;
  /** Lets held sentences be spoken. */
  release(): void;
  /** Closes the server and every connection. */
  dispose(): Promise<void>;
}

/** The key the fakes accept. */
export const FAKE_TTS_KEY = 'fake-tts-key-0123456789abcdef';
/** The voice the fakes are configured with. */
export const FAKE_VOICE = 'fake-voice-1';
/** Audio the fakes speak per letter or digit, in ms. */
export const MS_PER_CHAR = 10;

/** Letters and digits of a text (what the fakes speak audio for). */
export const spokenWeight = (text: string) => text.replace(/\s/gu, '').length;

/** The deterministic audio of `text` at `rate`: a tone per sentence, `MS_PER_CHAR` per letter. */
export function speechOf(text: string, rate: number, sentence: number): Int16Array {
  const samples = (spokenWeight(text) * MS_PER_CHAR * rate) / 1000;
  const hz = 220 + 110 * (sentence % 4);
  return Int16Array.from({ length: samples }, (_, n) =>
    Math.round(8000 * Math.sin((2 * Math.PI * hz * n) / rate)),
  );
}

/** PCM16 samples as little-endian bytes. */
export const bytesOf = (pcm: Int16Array): Buffer =>
  Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);

/** The bookkeeping of a fake: calls, arrivals, closings, scripts and releases. */
export function createTtsLedger() {
  const calls: ReceivedSpeech[] = [];
  const closings: Promise<void>[] = [];
  const scripts: TtsScript[] = [];
  let waiters: (() => void)[] = [];
  let releases: (() => void)[] = [];
  let sentences = 0;
  const wakeAll = () => {
    const pending = waiters;
    waiters = [];
    for (const wake of pending) wake();
  };
  const until = (ready: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (ready() ? resolve() : waiters.push(check));
      check();
    });
  return {
    calls,
    /** Records a new call and the promise of its connection closing. */
    call(speech: ReceivedSpeech, closing: Promise<void>) {
      calls.push(speech);
      closings.push(closing);
      wakeAll();
    },
    /** Records that `call` was asked to speak `text`; returns the script for it. */
    ask(call: ReceivedSpeech, text: string): TtsScript {
      call.texts.push(text);
      sentences += 1;
      wakeAll();
      return scripts.shift() ?? { kind: 'speak' };
    },
    /** The script of the next sentence, left queued. */
    peek: (): TtsScript | undefined => scripts[0],
    /** Takes the script of the next sentence off the queue (a refused call). */
    take: (): TtsScript | undefined => scripts.shift(),
    /** Runs `go` once released. */
    hold(go: () => void) {
      releases.push(go);
    },
    /** The shared part of {@link TtsFake}. */
    surface: {
      calls,
      script: (...more: TtsScript[]) => void scripts.push(...more),
      received: (count: number) => until(() => calls.length >= count),
      asked: (count: number) => until(() => sentences >= count),
      closed: async (index: number) => {
        await until(() => closings[index] !== undefined);
        await closings[index];
      },
      release: () => {
        const pending = releases;
        releases = [];
        for (const go of pending) go();
      },
    },
  };
}
