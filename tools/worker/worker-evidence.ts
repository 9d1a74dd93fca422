/**
 * A worker's evidence wiring (ADR 0035): the evidence reader, one JetStream evidence sink per
 * tenant on the bus's ordered append, the evidence tap the runtime publishes through, and the
 * orphan claims, assembled into what takeover and the reaper need.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsBus } from '../../adapters/bus/nats/index.ts';
import {
  createJetStreamEvidenceSink,
  openEvidenceReader,
} from '../../adapters/evidence/jetstream/index.ts';
import { openNatsKvClaims } from '../../adapters/lease/nats-kv/index.ts';
import type { BusPort, EvidenceSinkPort } from '../../contracts/index.ts';
import { createEvidenceTap } from './evidence-tap.ts';
import type { OrphanRecoveryDeps, ReaperDeps } from './orphan-recovery.ts';

/** What {@link openWorkerEvidence} needs. */
export type WorkerEvidenceOptions = {
  readonly nc: NatsConnection;
  readonly bus: NatsBus;
  readonly worker_id: string;
  /** Whether the lease bucket is the worker's own (claims live in it); false: no claims. */
  readonly claimsInLeaseBucket: boolean;
  readonly wallNow: () => number;
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
};

/** A worker's evidence wiring. */
export type WorkerEvidence = {
  /** The bus the runtime publishes through: lifecycle signals are recorded first. */
  readonly runtimeBus: BusPort;
  /** What takeover needs. */
  readonly recovery: OrphanRecoveryDeps;
  /** The orphan claim of a reaper. */
  readonly claim: ReaperDeps['claim'];
};

/** Makes sure the evidence stream exists and wires the worker's evidence. */
export async function openWorkerEvidence(options: WorkerEvidenceOptions): Promise<WorkerEvidence> {
  const { nc, bus, log } = options;
  const evidence = await openEvidenceReader({ nc });
  // With an injected lease store there is no bucket to share: reapers then rely on the
  // recovery ids alone (JetStream keeps one copy of what several publish).
  const claims = options.claimsInLeaseBucket ? await openNatsKvClaims({ nc }) : undefined;
  const sinks = new Map<string, EvidenceSinkPort>();
  const sinkFor = (tenant_id: string): EvidenceSinkPort => {
    let sink = sinks.get(tenant_id);
    if (sink === undefined) {
      sink = createJetStreamEvidenceSink({ tenant_id, append: (r) => bus.appendInOrder(r) });
      sink.onFailure(({ code, message, lost }) =>
        log({ event: 'evidence_write_failed', severity: 'error', tenant_id, code, message, lost }),
      );
      sinks.set(tenant_id, sink);
    }
    return sink;
  };
  const runtimeBus = createEvidenceTap({
    bus,
    sinkFor,
    onRefused: (envelope, reason) =>
      log({
        event: 'evidence_refused',
        severity: 'error',
        tenant_id: envelope.tenant_id,
        session_id: envelope.record.session_id,
        event_id: envelope.record.event_id,
        reason,
      }),
  });
  return {
    runtimeBus,
    recovery: {
      evidence,
      publish: (tenant_id, record) => runtimeBus.publish({ tenant_id, record }),
      wallNow: options.wallNow,
      log,
    },
    claim: (tenant_id, session_id, turn_id) =>
      claims === undefined
        ? Promise.resolve(true)
        : claims.claimOrphan(tenant_id, session_id, turn_id, options.worker_id),
  };
}
