/**
 * Ingress on the bus: it travels in the `ingress` direction and carries the payload key
 * `rspp_ingress` naming its kind (ADR 0013), which the worker reads to classify it
 * (`tools/worker/protocol.ts`). Actors may not import tools, so the key is spelled here too and
 * both must change together.
 */
import type { BusEnvelope, BusPayload } from '../../contracts/index.ts';
import type { BridgeIngress } from './types.ts';

const MARKER = 'rspp_ingress';

/**
 * True for an ingress envelope. The bridge subscribes to egress only; this catches ingress of a
 * publisher that does not set the direction (the marker predates directions).
 */
export function isIngressEnvelope(envelope: BusEnvelope): boolean {
  const payload: BusPayload | undefined = envelope.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return false;
  return typeof (payload as { readonly [key: string]: BusPayload })[MARKER] === 'string';
}

/** The envelope of one ingress event; the marker is set last so a payload cannot hide it. */
export function ingressEnvelope(tenant_id: string, ingress: BridgeIngress): BusEnvelope {
  return {
    tenant_id,
    record: ingress.record,
    payload: { ...ingress.payload, [MARKER]: ingress.kind },
    direction: 'ingress',
  };
}
