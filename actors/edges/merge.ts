/**
 * RK-12 merge lineage: folds an incoming item into the newest compatible queued item. Sources are
 * flattened (a merge of merges lists original events), ordered by `runtime_sequence` then
 * `event_id`, capped at 64, and the group keeps one `merge_group_id` as it grows.
 */
import type { SeqRange } from '../../contracts/internal.ts';
import type { EdgeRecord, MergeSource, QueueEntry } from './lane-queue.ts';

/** Most source event ids one merged record may list (schema `merged_from_event_ids` maxItems). */
const MAX_MERGED_SOURCES = 64;

/** Combines payloads of items being merged (oldest first) into one payload and its size. */
export type PayloadMerger<TPayload> = (
  parts: readonly { readonly record: EdgeRecord; readonly payload: TPayload }[],
) => { readonly payload: TPayload; readonly bytes: number };

function sourcesOf(entry: QueueEntry<unknown>): MergeSource[] {
  if (entry.sources.length > 0) return [...entry.sources];
  return [{ event_id: entry.record.event_id, runtime_sequence: entry.record.runtime_sequence }];
}

function bySequenceThenId(a: MergeSource, b: MergeSource): number {
  if (a.runtime_sequence !== b.runtime_sequence) return a.runtime_sequence - b.runtime_sequence;
  if (a.event_id === b.event_id) return 0;
  return a.event_id < b.event_id ? -1 : 1;
}

/** Whether two records may be merged: same lane, scope, turn, class and sync identity. */
function isMergeable(a: EdgeRecord, b: EdgeRecord): boolean {
  return (
    a.lane === b.lane &&
    a.event_scope === b.event_scope &&
    a.turn_id === b.turn_id &&
    a.payload_class === b.payload_class &&
    a.sync_id === b.sync_id &&
    a.sync_domain === b.sync_domain
  );
}

/** Span of a merged entry's sources. */
export function mergeSpan(entry: QueueEntry<unknown>): SeqRange | undefined {
  const first = entry.sources[0];
  const last = entry.sources[entry.sources.length - 1];
  if (first === undefined || last === undefined) return undefined;
  return { start: first.runtime_sequence, end: last.runtime_sequence };
}

/**
 * Folds `incoming` into `tail`, or returns undefined when they are incompatible or the lineage
 * would exceed 64 sources. `newGroupId` is called only when `tail` is not a merge yet.
 */
export function foldIntoTail<TPayload>(
  tail: QueueEntry<TPayload>,
  incoming: QueueEntry<TPayload>,
  merger: PayloadMerger<TPayload>,
  newGroupId: () => string,
): QueueEntry<TPayload> | undefined {
  if (!isMergeable(tail.record, incoming.record)) return undefined;
  const sources = [...sourcesOf(tail), ...sourcesOf(incoming)].sort(bySequenceThenId);
  const ids = new Set(sources.map((s) => s.event_id));
  if (ids.size !== sources.length || sources.length > MAX_MERGED_SOURCES) return undefined;
  const [oldest, newest] =
    bySequenceThenId(
      { event_id: tail.record.event_id, runtime_sequence: tail.record.runtime_sequence },
      { event_id: incoming.record.event_id, runtime_sequence: incoming.record.runtime_sequence },
    ) <= 0
      ? [tail, incoming]
      : [incoming, tail];
  const merged = merger([oldest, newest]);
  const groupId = tail.record.merge_group_id ?? newGroupId();
  const last = sources[sources.length - 1] as MergeSource;
  // The merged record takes the oldest record's identity fields (media_time = start of the
  // merged audio) and the newest position, so per-lane sequence order is preserved.
  const record: EdgeRecord = Object.assign({}, oldest.record, {
    event_id: groupId,
    runtime_sequence: last.runtime_sequence,
    runtime_timestamp_ms: Math.max(
      oldest.record.runtime_timestamp_ms,
      newest.record.runtime_timestamp_ms,
    ),
    transport_sequence: newest.record.transport_sequence ?? null,
    merge_group_id: groupId,
    merged_from_event_ids: sources.map((s) => s.event_id) as [string, ...string[]],
  });
  // The key named one source event; RK-21 derives a new one for the merged event.
  delete record.idempotency_key;
  return {
    record,
    payload: merged.payload,
    bytes: merged.bytes,
    enqueuedAtMs: Math.min(tail.enqueuedAtMs, incoming.enqueuedAtMs),
    sources,
  };
}
