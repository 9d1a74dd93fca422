/**
 * JetStream evidence sink (Stage-B, minimal; ADR 0035): each offered document becomes one
 * message on its session's evidence subject, with `Nats-Msg-Id` = subject and event id, so a
 * re-sent or re-offered document is stored once within the duplicate window. `offer` hands the
 * document to the injected ordered append synchronously: with the NATS bus's `appendInOrder`,
 * a document offered before a ControlLane signal is published reaches the server before it.
 * A failed append is reported and counted; unlike a file, the stream cannot be torn, so the sink
 * keeps accepting.
 */
import type { EvidenceSinkPort } from '../../../contracts/index.ts';
import {
  evidenceSubject,
  type BusEnvelopeRef,
  type EvidenceDocument,
  type EvidenceOffer,
  type EvidenceOfferRefusal,
  type EvidenceSinkFailure,
  type EvidenceSinkFailureListener,
  type EvidenceSinkStats,
} from '../../../contracts/internal.ts';

/** One record for the evidence stream, as the ordered append takes it. */
export type EvidenceAppendRecord = {
  readonly subject: string;
  readonly msgID: string;
  readonly data: string;
  readonly ref: BusEnvelopeRef;
};

/** Stores one record in order with the ControlLane (the NATS bus's `appendInOrder`). */
export type OrderedAppend = (record: EvidenceAppendRecord) => Promise<void>;

/** Default bound on documents offered and not yet stored. */
export const JETSTREAM_SINK_DEFAULT_CAPACITY = 1024;

/** Options of {@link createJetStreamEvidenceSink}. */
export interface JetStreamEvidenceSinkOptions {
  /** Tenant of every document offered to this sink (the subject's tenant token). */
  readonly tenant_id: string;
  readonly append: OrderedAppend;
  /** Most documents offered and not yet stored (default {@link JETSTREAM_SINK_DEFAULT_CAPACITY}). */
  readonly capacity?: number;
}

/** Creates a sink for one tenant's documents; nothing is sent before the first `offer`. */
export function createJetStreamEvidenceSink(
  options: JetStreamEvidenceSinkOptions,
): EvidenceSinkPort {
  const capacity = options.capacity ?? JETSTREAM_SINK_DEFAULT_CAPACITY;
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity: expected an integer >= 1, received ${String(capacity)}`);
  }
  // Checks the tenant once, at creation (a config mistake fails at startup).
  evidenceSubject(options.tenant_id, 'probe');
  const listeners = new Set<EvidenceSinkFailureListener>();
  const refused: Record<EvidenceOfferRefusal, number> = {
    queue_full: 0,
    invalid_document: 0,
    sink_failed: 0,
    sink_closed: 0,
  };
  let closed = false;
  let queued = 0;
  let written = 0;
  let lost = 0;
  let lastFailure: EvidenceSinkFailure | null = null;
  let idle: (() => void)[] = [];

  const stats = (): EvidenceSinkStats => ({
    state: closed ? 'closed' : 'open',
    capacity,
    queued,
    written,
    lost,
    refused: { ...refused },
    last_failure: lastFailure,
  });
  const refuse = (reason: EvidenceOfferRefusal): EvidenceOffer => {
    refused[reason] += 1;
    return { accepted: false, reason };
  };
  const report = (failure: EvidenceSinkFailure): void => {
    lastFailure = failure;
    for (const listener of listeners) {
      try {
        listener(failure);
      } catch {
        // A throwing listener is ignored (port contract).
      }
    }
  };
  const settled = (): void => {
    queued -= 1;
    if (queued > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  };
  const flush = (): Promise<EvidenceSinkStats> =>
    queued === 0
      ? Promise.resolve(stats())
      : new Promise((resolve) => idle.push(() => resolve(stats())));

  return {
    offer(document: EvidenceDocument): EvidenceOffer {
      if (closed) return refuse('sink_closed');
      const record = recordOf(options.tenant_id, document);
      if (record === undefined) return refuse('invalid_document');
      if (queued >= capacity) return refuse('queue_full');
      queued += 1;
      // Called before returning: the ordered append takes its place in the outbox now.
      options.append(record).then(
        () => {
          written += 1;
          settled();
        },
        (error: unknown) => {
          lost += 1;
          report({
            code: 'write_failed',
            message: `evidence ${record.ref.event_id} on ${record.subject} was not stored: ${error instanceof Error ? error.message : String(error)}`,
            lost: 1,
            cause: error,
          });
          settled();
        },
      );
      return { accepted: true };
    },
    flush,
    async close() {
      closed = true;
      return flush();
    },
    stats,
    onFailure(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The stream record of a document, or undefined when it lacks a usable session or event id. */
function recordOf(tenant_id: string, document: EvidenceDocument): EvidenceAppendRecord | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const { session_id, event_id } = document as { session_id?: unknown; event_id?: unknown };
  if (typeof session_id !== 'string' || typeof event_id !== 'string' || event_id === '') {
    return undefined;
  }
  let subject: string;
  try {
    subject = evidenceSubject(tenant_id, session_id);
  } catch {
    return undefined;
  }
  const sequence = (document as { runtime_sequence?: unknown }).runtime_sequence;
  return {
    subject,
    msgID: `${subject}|${event_id}`,
    data: JSON.stringify(document),
    ref: {
      tenant_id,
      session_id,
      lane: 'ControlLane',
      event_id,
      runtime_sequence: typeof sequence === 'number' ? sequence : 0,
    },
  };
}
