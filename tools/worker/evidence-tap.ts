/**
 * The worker's evidence tap (ADR 0035): a bus that offers each turn lifecycle signal the runtime
 * publishes (`turn_open`, `deauthorized_drain`, `commit`, `abort`, `close`) to the tenant's
 * evidence sink, synchronously and just before publishing it. With the JetStream sink on the NATS
 * bus's ordered append, the evidence record reaches the server before the signal: a transport
 * that saw `turn_open` implies a server that holds the evidence of it. No other envelope (no
 * audio, no text) is touched, so the audio path gains no JetStream write.
 */
import type { BusEnvelope, BusPort, EvidenceSinkPort } from '../../contracts/index.ts';
import type { EvidenceOfferRefusal } from '../../contracts/internal.ts';

/** ControlLane signals the evidence keeps: what a recoverer needs to close a turn (ADR 0035). */
export const EVIDENCE_SIGNALS: ReadonlySet<string> = new Set([
  'turn_open',
  'deauthorized_drain',
  'commit',
  'abort',
  'close',
]);

/** Options of {@link createEvidenceTap}. */
export type EvidenceTapOptions = {
  readonly bus: BusPort;
  /** The evidence sink of a tenant (the worker keeps one per tenant). */
  readonly sinkFor: (tenant_id: string) => EvidenceSinkPort;
  /** Called when a sink refused a signal (ids only). */
  readonly onRefused: (envelope: BusEnvelope, reason: EvidenceOfferRefusal) => void;
};

/** Wraps `bus`: lifecycle signals are offered to the evidence sink before they are published. */
export function createEvidenceTap(options: EvidenceTapOptions): BusPort {
  const { bus, sinkFor, onRefused } = options;
  return {
    kind: bus.kind,
    publish(envelope) {
      const record = envelope.record;
      if (
        record.lane === 'ControlLane' &&
        (envelope.direction ?? 'egress') === 'egress' &&
        typeof record.signal === 'string' &&
        EVIDENCE_SIGNALS.has(record.signal)
      ) {
        const offered = sinkFor(envelope.tenant_id).offer(
          record as Parameters<EvidenceSinkPort['offer']>[0],
        );
        if (!offered.accepted) onRefused(envelope, offered.reason);
      }
      return bus.publish(envelope);
    },
    subscribe: (tenant_id, session_id, handler, subscribeOptions) =>
      bus.subscribe(tenant_id, session_id, handler, subscribeOptions),
    onDiagnostic: (listener) => bus.onDiagnostic(listener),
    connectionState: () => bus.connectionState(),
    drain: () => bus.drain(),
    close: () => bus.close(),
  };
}
