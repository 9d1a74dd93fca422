/**
 * Reads the JetStream evidence stream back (ADR 0035): every record of one session in stream
 * order, or the latest record of every session. Each read is one short-lived consumer (no
 * acknowledgements, memory state), deleted afterwards; it reads what the stream held when the
 * consumer was created.
 */
import { randomUUID } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  EVIDENCE_STREAM_NAME,
  evidenceFilter,
  evidenceSubject,
  parseEvidenceSubject,
  type EvidenceDocument,
} from '../../../contracts/internal.ts';
import { ensureEvidenceStream } from './stream.ts';

/** One stored evidence record. */
export type StoredEvidence = {
  readonly tenant_id: string;
  readonly session_id: string;
  /** Stream sequence (stream order). */
  readonly seq: number;
  readonly document: EvidenceDocument;
};

/** Options of {@link openEvidenceReader}. */
export interface EvidenceReaderOptions {
  /** An open connection; the reader never closes it. */
  readonly nc: NatsConnection;
  /** Bound on each request and each wait for records, in ms (default 5000). */
  readonly timeoutMs?: number;
}

/** Reads the evidence stream. */
export interface EvidenceReader {
  /** Every record of one session, in stream order (empty when it has none). */
  session(tenant_id: string, session_id: string): Promise<StoredEvidence[]>;
  /** The latest record of every session of `tenant_id` (every tenant when undefined). */
  latest(tenant_id?: string): Promise<StoredEvidence[]>;
}

/** Records read per pull. */
const FETCH_BATCH = 256;
/** Lifetime of a read's consumer when its reader vanished before deleting it. */
const CONSUMER_INACTIVE_MS = 60_000;

/** Makes sure the evidence stream exists and returns a reader on `nc`. */
export async function openEvidenceReader(options: EvidenceReaderOptions): Promise<EvidenceReader> {
  const timeout = options.timeoutMs ?? 5000;
  const jsm = await jetstreamManager(options.nc, { timeout });
  await ensureEvidenceStream(jsm);
  const js = jetstream(options.nc, { timeout });
  return {
    session: (tenant_id, session_id) =>
      read(jsm, js, evidenceSubject(tenant_id, session_id), DeliverPolicy.All, timeout),
    latest: (tenant_id) =>
      read(jsm, js, evidenceFilter(tenant_id), DeliverPolicy.LastPerSubject, timeout),
  };
}

async function read(
  jsm: JetStreamManager,
  js: JetStreamClient,
  filter: string,
  deliver: DeliverPolicy,
  timeout: number,
): Promise<StoredEvidence[]> {
  // Named, so the create request's subject carries the filter (the permissions can scope it).
  const name = `rspp_v1_evidence_${randomUUID().replaceAll('-', '')}`;
  const info = await jsm.consumers.add(EVIDENCE_STREAM_NAME, {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: deliver,
    filter_subject: filter,
    inactive_threshold: nanos(CONSUMER_INACTIVE_MS),
    mem_storage: true,
    num_replicas: 1,
  });
  try {
    const wanted = info.num_pending;
    const out: StoredEvidence[] = [];
    let received = 0;
    const consumer = await js.consumers.get(EVIDENCE_STREAM_NAME, name);
    while (received < wanted) {
      const before = received;
      const batch = await consumer.fetch({
        max_messages: Math.min(FETCH_BATCH, wanted - received),
        expires: timeout,
      });
      for await (const msg of batch) {
        received += 1;
        const where = parseEvidenceSubject(msg.subject);
        if (where === undefined) continue;
        out.push({ ...where, seq: msg.seq, document: msg.json<EvidenceDocument>() });
      }
      if (received === before) {
        throw new Error(
          `evidence read on ${filter}: expected ${String(wanted)} records, received ${String(before)} within ${String(timeout)} ms`,
        );
      }
    }
    return out;
  } finally {
    await jsm.consumers.delete(EVIDENCE_STREAM_NAME, name).catch(() => undefined);
  }
}
