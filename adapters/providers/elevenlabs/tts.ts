/**
 * The ElevenLabs TTS adapter on the documented stream-input WebSocket (ADR 0042;
 * https://elevenlabs.io/docs/api-reference/text-to-speech/v-1-text-to-speech-voice-id-stream-input)
 * spoken with `ws`: `xi-api-key` on the handshake, a `{text: " "}` opening message, each sentence
 * as `{text, flush: true}` as soon as it is complete, `{text: ""}` to end; the server answers
 * with base64 `audio` (PCM16 at the `pcm_<rate>` asked for) and `alignment`, then `isFinal`.
 * Alignment says where one sentence's audio ends, so each frame names the input it speaks.
 */
import WebSocket from 'ws';
import {
  AdapterError,
  toAdapterError,
  type TtsCapabilities,
  type TtsPort,
} from '../../../contracts/index.ts';
import { retryAfterMs, type ProviderScheduler } from '../../../contracts/internal.ts';
import {
  createPcm16Decoder,
  runTtsAttempt,
  type TextSegment,
  type TtsAudioEvent,
} from '../kit/index.ts';
import type { ElevenLabsConfig } from './config.ts';
import { attribute, closeError, errorMessageCode, weight } from './protocol.ts';

/** Options of {@link createElevenLabsTts}. */
export interface ElevenLabsTtsOptions {
  /** Validated settings. */
  readonly config: ElevenLabsConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `tts-elevenlabs`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 4). */
  readonly max_concurrency?: number;
}

/** The pipeline's format: 16 kHz PCM16 mono in 20 ms frames. */
const FORMAT = { sample_rate_hz: 16_000, frame_ms: 20 } as const;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** An async queue of events with one reader; a failure ends it with a throw. */
function createChannel() {
  const items: TtsAudioEvent[] = [];
  let failure: AdapterError | null = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const poke = () => {
    const waiting = wake;
    wake = null;
    waiting?.();
  };
  return {
    push(event: TtsAudioEvent) {
      if (ended) return;
      items.push(event);
      poke();
    },
    fail(error: AdapterError) {
      if (ended) return;
      failure = error;
      ended = true;
      poke();
    },
    end() {
      ended = true;
      poke();
    },
    get ended() {
      return ended;
    },
    async *drain(): AsyncGenerator<TtsAudioEvent, void, undefined> {
      for (;;) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (failure !== null) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

/** Creates the ElevenLabs streaming TTS adapter. */
export function createElevenLabsTts(options: ElevenLabsTtsOptions): TtsPort {
  const { config } = options;
  const provider = options.provider_id ?? 'tts-elevenlabs';
  const capabilities: TtsCapabilities = {
    provider_id: provider,
    modality: 'tts',
    max_concurrency: options.max_concurrency ?? 4,
    streaming: { encoding: 'pcm16', ...FORMAT },
  };
  const url = new URL(
    `${config.base_url.pathname.replace(/\/+$/, '')}/v1/text-to-speech/${config.voice_id}/stream-input`,
    config.base_url,
  );
  url.protocol = url.protocol === 'http:' ? 'ws:' : 'wss:';
  url.searchParams.set('model_id', config.model);
  url.searchParams.set('output_format', `pcm_${config.sample_rate_hz}`);
  url.searchParams.set('inactivity_timeout', String(config.inactivity_timeout_s));
  url.searchParams.set('sync_alignment', 'true');
  const active = { count: 0 };

  function open(segments: AsyncIterable<TextSegment>, signal: AbortSignal) {
    const channel = createChannel();
    const socket = new WebSocket(url, {
      headers: { 'xi-api-key': config.api_key },
      perMessageDeflate: false,
    });
    // Abort closes the socket at once (no closing handshake): the provider stops generating.
    const onAbort = () => {
      socket.terminate();
      channel.end();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const decoder = createPcm16Decoder();
    const state = { heard: 0, segment: 0, ends: [] as number[] };
    let sentWeight = 0;
    let finished = false;

    const send = (message: unknown) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    const pump = async () => {
      send({ text: ' ' });
      for await (const segment of segments) {
        if (channel.ended) return;
        sentWeight += weight(segment.text);
        state.ends.push(sentWeight);
        // A trailing space, as the API asks; `flush` starts generation at the sentence end.
        send({ text: `${segment.text} `, flush: true });
      }
      if (state.ends.length === 0) {
        // Nothing to say: the stream ends empty without a provider round trip.
        socket.close(1000);
        channel.end();
        return;
      }
      send({ text: '' });
    };

    socket.on('unexpected-response', (_request, response) => {
      const retryAfter = response.headers['retry-after'];
      channel.fail(
        new AdapterError('http_status', {
          provider,
          status: response.statusCode ?? 0,
          detail: 'handshake_refused',
          ...(typeof retryAfter === 'string' ? { retry_after_ms: retryAfterMs(retryAfter) } : {}),
        }),
      );
      response.destroy();
      socket.terminate();
    });
    socket.on('open', () => {
      pump().catch((failure: unknown) => channel.fail(toAdapterError(failure, provider)));
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        channel.fail(new AdapterError('malformed_output', { provider, detail: 'binary_message' }));
        socket.terminate();
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(Buffer.from(data as Buffer).toString('utf8'));
      } catch {
        // No cause: a parse error quotes the data.
        channel.fail(new AdapterError('malformed_output', { provider, detail: 'invalid_json' }));
        socket.terminate();
        return;
      }
      if (!isRecord(message)) {
        channel.fail(
          new AdapterError('malformed_output', { provider, detail: 'unexpected_message' }),
        );
        socket.terminate();
        return;
      }
      if (typeof message['error'] === 'string') {
        channel.fail(
          new AdapterError(errorMessageCode(message['error']), {
            provider,
            detail: message['error'],
          }),
        );
        socket.terminate();
        return;
      }
      const audio = message['audio'];
      if (typeof audio === 'string' && audio !== '') {
        const bytes = Buffer.from(audio, 'base64');
        const pcm = decoder.push(bytes);
        attribute(pcm, config.sample_rate_hz, message['alignment'], state, (event) =>
          channel.push(event),
        );
      } else if (audio !== undefined && audio !== null && audio !== '') {
        channel.fail(
          new AdapterError('malformed_output', { provider, detail: 'unexpected_message' }),
        );
        socket.terminate();
        return;
      }
      if (message['isFinal'] === true) {
        finished = true;
        channel.end();
        socket.close(1000);
      }
    });
    socket.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (!finished) channel.fail(closeError(provider, code));
    });
    socket.on('error', (failure) => {
      // ECONNREFUSED, a reset, or a frame the client refused.
      channel.fail(toAdapterError(failure, provider));
    });

    return (async function* events() {
      try {
        yield* channel.drain();
      } finally {
        signal.removeEventListener('abort', onAbort);
        if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
      }
    })();
  }

  return {
    capabilities,
    stream: (request) =>
      runTtsAttempt({
        provider,
        request,
        scheduler: options.scheduler,
        idle_timeout_ms: config.timeout_ms,
        format: FORMAT,
        segmenter: config.segmenter,
        concurrency: { max: capabilities.max_concurrency, active },
        open,
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}
