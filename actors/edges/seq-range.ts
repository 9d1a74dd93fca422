/** Deterministic drop lineage: dropped runtime sequences coalesced into contiguous ranges. */
import type { SeqRange } from '../../contracts/internal.ts';

/**
 * Sorts and de-duplicates sequences, then coalesces runs of consecutive values into ranges,
 * ascending, so the same drops always yield the same `drop_notice` list.
 */
export function coalesceSeqRanges(seqs: readonly number[]): SeqRange[] {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: SeqRange[] = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && seq === last.end + 1) last.end = seq;
    else ranges.push({ start: seq, end: seq });
  }
  return ranges;
}
