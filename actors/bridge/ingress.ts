/**
 * Ingress on the bus: it travels in the `ingress` direction and carries the contracts' ingress
 * marker naming its kind (ADR 0013), which the worker reads to classify it.
 */
import type { BusEnvelope } from '../../contracts/index.ts';
import { INGRESS_MARKER, ingressMarkerOf } from '../../contracts/internal.ts';
import type { BridgeIngress } from './types.ts';

/**
 * True for an ingress envelope. The bridge subscribes to egress only; this catches ingress of a
 * publisher that does not set the direction (the marker predates directions).
 */
export function isIngressEnvelope(envelope: BusEnvelope): boolean {
  return ingressMarkerOf(envelope) !== undefined;
}

/** The envelope of one ingress event; the marker is set last so a payload cannot hide it. */
export function ingressEnvelope(tenant_id: string, ingress: BridgeIngress): BusEnvelope {
  return {
    tenant_id,
    record: ingress.record,
    payload: { ...ingress.payload, [INGRESS_MARKER]: ingress.kind },
    direction: 'ingress',
  };
}
