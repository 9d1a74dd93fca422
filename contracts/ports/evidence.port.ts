/**
 * The evidence sink port: where OR-02 evidence leaves Stage-A (a JSONL file today, a durable
 * Stage-B exporter later). A sink never blocks and never throws into the runtime: `offer` queues
 * or refuses at once (backpressure is a refusal with a reason), and write failures are reported
 * to listeners and counters, never raised. Only opening a sink may fail, at startup.
 */
import type { BaselineEvidence, ControlSignal } from '../generated/types.ts';

/** One document a sink writes: a baseline record or a ControlLane signal, each contract-valid. */
export type EvidenceDocument = BaselineEvidence | ControlSignal;

/** Why `offer` refused a document; none of these affects a turn's outcome. */
export type EvidenceOfferRefusal =
  /** The bounded queue is full: backpressure, the caller keeps or counts the document. */
  | 'queue_full'
  /** The document is not a contract-valid baseline record or control signal. */
  | 'invalid_document'
  /** An earlier write failed; the sink writes nothing more so the file stays line-parseable. */
  | 'sink_failed'
  /** `close` was called. */
  | 'sink_closed';

/** Verdict of one `offer`. */
export type EvidenceOffer =
  { readonly accepted: true } | { readonly accepted: false; readonly reason: EvidenceOfferRefusal };

/** Kinds of failure a sink reports after it was opened. */
export type EvidenceSinkFailureCode =
  'write_failed' | 'short_write' | 'sync_failed' | 'close_failed';

/** One reported failure; the message names the path, never evidence content. */
export interface EvidenceSinkFailure {
  readonly code: EvidenceSinkFailureCode;
  readonly message: string;
  /** Documents that were queued and will never be written because of this failure. */
  readonly lost: number;
  readonly cause?: unknown;
}

/** Lifecycle of a sink: `failed` after a write failure, `closed` after `close`. */
export type EvidenceSinkState = 'open' | 'failed' | 'closed';

/** Counters of a sink; `queued + written + lost` accounts for every accepted document. */
export interface EvidenceSinkStats {
  readonly state: EvidenceSinkState;
  /** Most documents queued at once. */
  readonly capacity: number;
  readonly queued: number;
  readonly written: number;
  /** Accepted documents dropped by a failure. */
  readonly lost: number;
  /** Refusals by reason. */
  readonly refused: Readonly<Record<EvidenceOfferRefusal, number>>;
  readonly last_failure: EvidenceSinkFailure | null;
}

/** Receives every failure a sink reports; a throwing listener is ignored. */
export type EvidenceSinkFailureListener = (failure: EvidenceSinkFailure) => void;

/** A bounded, append-only destination for OR-02 evidence documents. */
export interface EvidenceSinkPort {
  /** Queues one document without blocking; refuses with a reason instead of throwing. */
  offer(document: EvidenceDocument): EvidenceOffer;
  /** Resolves once every queued document is written and synced (or reported lost); never rejects. */
  flush(): Promise<EvidenceSinkStats>;
  /** Flushes, then releases the destination; idempotent; never rejects. */
  close(): Promise<EvidenceSinkStats>;
  /** Current counters. */
  stats(): EvidenceSinkStats;
  /** Subscribes to failures; returns the unsubscribe function. */
  onFailure(listener: EvidenceSinkFailureListener): () => void;
}

/** Code of an {@link EvidenceSinkError}: the startup errors a sink raises when it cannot be opened. */
export type EvidenceSinkErrorCode = 'path_is_directory' | 'open_failed';

/** Raised only while opening a sink (a config mistake fails at startup); names the path. */
export class EvidenceSinkError extends Error {
  /** Stable code of the failure. */
  readonly code: EvidenceSinkErrorCode;
  /** The destination that could not be opened. */
  readonly path: string;

  /** Builds the error; `cause` is the underlying system error, when there is one. */
  constructor(code: EvidenceSinkErrorCode, path: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'EvidenceSinkError';
    this.code = code;
    this.path = path;
  }
}
