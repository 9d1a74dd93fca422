/**
 * Hands Stage-A evidence to an evidence sink (the JSONL file of `rspp run --evidence`, later the
 * Stage-B exporter). Baseline records and control signals are offered in append order; other
 * entries (decision outcomes, attempts, snapshots, failed-append markers) are released without
 * export. A full sink queue stops the export: the refused entry and everything after it stay in
 * Stage-A for the next call, so backpressure loses nothing. A failed or closed sink cannot take
 * anything any more: entries are released and counted as lost, so a dead sink never fills Stage-A
 * and never changes an outcome (it only loses the export, which the sink has already reported).
 */
import type { EvidenceSinkPort } from '../../contracts/index.ts';
import type { EvidenceOfferRefusal } from '../../contracts/internal.ts';
import type { StageAEntry, StageARecorder } from './types.ts';

/** What one export did. */
export type StageAExportReport = {
  /** Documents the sink accepted. */
  readonly exported: number;
  /** Entries released without export (kinds the sink does not take). */
  readonly released: number;
  /** Documents the sink refused as not contract-valid, released so they cannot block the rest. */
  readonly rejected: number;
  /** Documents released because the sink failed or was closed. */
  readonly lost: number;
  /** `queue_full` when backpressure stopped the export early, else `null`. */
  readonly stopped: 'queue_full' | null;
};

function documentOf(entry: StageAEntry) {
  switch (entry.kind) {
    case 'baseline':
    case 'terminal_signal':
    case 'recording_signal':
    case 'signal':
      return entry.record;
    case 'append_failed':
    case 'decision':
    case 'attempt':
    case 'invocation_snapshot':
      return null;
  }
}

/** Moves every exportable entry from `recorder` to `sink`, in order, until the sink queue is full. */
export function exportStageA(recorder: StageARecorder, sink: EvidenceSinkPort): StageAExportReport {
  const counts: Record<'exported' | 'released' | EvidenceOfferRefusal, number> = {
    exported: 0,
    released: 0,
    invalid_document: 0,
    sink_failed: 0,
    sink_closed: 0,
    queue_full: 0,
  };
  recorder.drain((entry) => {
    const document = documentOf(entry);
    if (document === null) {
      counts.released += 1;
      return true;
    }
    const offer = sink.offer(document);
    const outcome = offer.accepted ? 'exported' : offer.reason;
    counts[outcome] += 1;
    return outcome !== 'queue_full';
  });
  return {
    exported: counts.exported,
    released: counts.released,
    rejected: counts.invalid_document,
    lost: counts.sink_failed + counts.sink_closed,
    stopped: counts.queue_full > 0 ? 'queue_full' : null,
  };
}
