/**
 * The ElevenLabs stream-input messages the adapter interprets: error ids and close codes to adapter
 * errors, and the alignment of audio messages to sentence ends.
 */
import { AdapterError } from '../../../contracts/index.ts';
import type { TtsAudioEvent } from '../kit/index.ts';

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The adapter error of an error message, by its documented `error` id (never its text). */
export function errorMessageCode(
  id: string,
): 'rate_limited' | 'auth_rejected' | 'request_rejected' | 'timeout' | 'server_error' {
  switch (id) {
    case 'invalid_api_key':
    case 'missing_api_key':
    case 'unauthorized':
    case 'quota_exceeded':
    case 'payment_required':
      return 'auth_rejected';
    case 'rate_limit_exceeded':
    case 'too_many_concurrent_requests':
    case 'concurrent_limit_exceeded':
    case 'system_busy':
      return 'rate_limited';
    case 'input_timeout_exceeded':
      return 'timeout';
    case 'invalid_request':
    case 'voice_not_found':
    case 'model_not_found':
    case 'text_too_long':
      return 'request_rejected';
    default:
      return 'server_error';
  }
}

/** The adapter error of a close the adapter did not ask for (RFC 6455 codes). */
export function closeError(provider: string, code: number): AdapterError {
  const detail = `close_${code}`;
  switch (code) {
    case 1008:
      // Policy violation: what the service closes with on a bad key or an exhausted quota.
      return new AdapterError('auth_rejected', { provider, detail });
    case 1011:
      return new AdapterError('server_error', { provider, detail });
    case 1013:
      return new AdapterError('rate_limited', { provider, detail });
    default:
      return new AdapterError('transport_error', { provider, detail: 'stream_disconnected' });
  }
}

/** Counts letters and digits: alignment and sent text agree on these, whatever the spacing. */
export const weight = (text: string) => text.replace(/[\s]/gu, '').length;

/**
 * Splits the audio of one message at the sentence ends its alignment shows: `ends` holds the
 * cumulative weight at the end of each sentence sent, `heard` the weight received so far. A
 * sentence ends where the next one's first character starts, or with the message that
 * completes it (so its last frame need not wait for the next sentence's audio).
 */
export function attribute(
  pcm: Int16Array,
  rate: number,
  alignment: unknown,
  state: { heard: number; segment: number; readonly ends: number[] },
  emit: (event: TtsAudioEvent) => void,
): void {
  const chars = isRecord(alignment) ? alignment['chars'] : undefined;
  const starts = isRecord(alignment) ? alignment['charStartTimesMs'] : undefined;
  const complete = () => {
    const end = state.ends[state.segment];
    return end !== undefined && state.heard >= end;
  };
  let from = 0;
  if (Array.isArray(chars) && Array.isArray(starts) && chars.length === starts.length) {
    for (let k = 0; k < chars.length; k += 1) {
      const w = weight(String(chars[k]));
      if (w > 0 && complete()) {
        // Character k opens the next sentence: the audio before its start is the previous one's.
        const at = Number(starts[k]);
        const split = Number.isFinite(at)
          ? Math.max(from, Math.min(pcm.length, Math.round((at * rate) / 1000)))
          : from;
        if (split > from) {
          emit({ type: 'audio', pcm: pcm.subarray(from, split), sample_rate_hz: rate });
        }
        emit({ type: 'segment_end' });
        state.segment += 1;
        from = split;
      }
      state.heard += w;
    }
  }
  if (from < pcm.length) emit({ type: 'audio', pcm: pcm.subarray(from), sample_rate_hz: rate });
  if (complete()) {
    emit({ type: 'segment_end' });
    state.segment += 1;
  }
}
