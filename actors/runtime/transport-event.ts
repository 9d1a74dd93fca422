/**
 * Reads what an embedder passed to `feed` as a {@link TransportEvent}, once and defensively: it
 * may be anything (null, a string, a Proxy whose getters throw). Each field is read one time
 * into a plain object, so no later check sees a different value; a bad one is a refusal that
 * names the field, the expected and the received value, never a thrown error.
 */
import { renderValue } from '../../contracts/internal.ts';
import type { IngressKind, RuntimeRefusal, TransportEvent } from './types.ts';

/** Every kind `feed` classifies, in the order the refusal lists them. */
const INGRESS_KINDS: readonly IngressKind[] = [
  'speech_started',
  'transcript_final',
  'audio_frame',
  'connection',
  'cancel',
];

const invalid = (field: string, expected: string, received: string): RuntimeRefusal => ({
  code: 'invalid_event',
  message: `${field}: expected ${expected}, received ${received}`,
});

/** One property of `value`, or the error its getter threw. */
function read(value: object, key: string): { value: unknown } | { error: string } {
  try {
    return { value: (value as Record<string, unknown>)[key] };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** A plain copy of the transport event, or why it is not one. */
export function readTransportEvent(event: unknown): TransportEvent | RuntimeRefusal {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return invalid('(event)', 'an object with kind and record', renderValue(event));
  const fields: Record<string, unknown> = {};
  for (const key of ['kind', 'record', 'text', 'audio'] as const) {
    const got = read(event, key);
    if ('error' in got) return invalid(key, 'a readable property', `a getter that threw`);
    fields[key] = got.value;
  }
  const kind = fields['kind'];
  if (typeof kind !== 'string' || !(INGRESS_KINDS as readonly string[]).includes(kind))
    return invalid('kind', `one of ${INGRESS_KINDS.join(', ')}`, renderValue(kind));
  const text = fields['text'];
  if (text !== undefined && typeof text !== 'string')
    return invalid('text', 'a string', renderValue(text));
  return {
    kind: kind as IngressKind,
    record: fields['record'],
    ...(text === undefined ? {} : { text }),
    // Checked by RK-22 classification, which knows the kind it is for.
    ...(fields['audio'] === undefined
      ? {}
      : { audio: fields['audio'] as NonNullable<TransportEvent['audio']> }),
  };
}
