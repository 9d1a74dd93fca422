/**
 * The payload key that marks a bus envelope as transport ingress and names its kind (ADR 0013).
 * Transport gateways set it; workers read it to classify what they feed to the runtime. Spelled
 * only here so the two sides cannot drift apart.
 */
import type { BusEnvelope, BusPayload } from './ports/bus.port.ts';

/** Payload key carrying an ingress envelope's kind. */
export const INGRESS_MARKER = 'rspp_ingress';

/** The marker's value in an envelope's payload (any string), or undefined when it has none. */
export function ingressMarkerOf(envelope: BusEnvelope): string | undefined {
  const payload: BusPayload | undefined = envelope.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return undefined;
  const value = (payload as { readonly [key: string]: BusPayload })[INGRESS_MARKER];
  return typeof value === 'string' ? value : undefined;
}
