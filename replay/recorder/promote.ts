/**
 * Promotion of per-attempt records to invocation outcomes at the terminal, for a turn that gave
 * no invocation outcomes (spec/replay.md "Promotion at terminal").
 */
import type { InvocationAttempt } from '../../contracts/index.ts';
import type { InvocationOutcome } from '../../contracts/internal.ts';

function compareText(a: string, b: string): number {
  // Code-unit order, not locale order: promotion must not depend on the host.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The spec's attempt order within one invocation. */
function compareAttempts(a: InvocationAttempt, b: InvocationAttempt): number {
  return (
    a.runtime_timestamp_ms - b.runtime_timestamp_ms ||
    a.wall_clock_timestamp_ms - b.wall_clock_timestamp_ms ||
    a.runtime_sequence - b.runtime_sequence ||
    a.transport_sequence - b.transport_sequence ||
    a.attempt - b.attempt ||
    compareText(a.provider_id, b.provider_id) ||
    compareText(a.event_id, b.event_id)
  );
}

function promoteGroup(group: InvocationAttempt[]): InvocationOutcome {
  const ordered = [...group].sort(compareAttempts);
  const first = ordered[0]!;
  const final = ordered[ordered.length - 1]!;
  const previous = ordered.length > 1 ? ordered[ordered.length - 2]! : null;
  const gap =
    previous === null ? 0 : final.wall_clock_timestamp_ms - previous.wall_clock_timestamp_ms;
  const finalLatency = final.attempt_latency_ms > 0 ? final.attempt_latency_ms : Math.max(gap, 0);
  const span = Math.max(final.wall_clock_timestamp_ms - first.wall_clock_timestamp_ms, 0);
  return {
    provider_invocation_id: final.provider_invocation_id,
    modality: final.modality,
    provider_id: final.provider_id,
    outcome_class: final.outcome_class,
    retryable: final.retryable,
    // `||` on purpose: an empty decision counts as none.
    retry_decision: final.retry_decision || 'none',
    attempt_count: ordered.length,
    final_attempt_latency_ms: finalLatency,
    // The wall span misses the first attempt's own latency; never report total < final.
    total_invocation_latency_ms: Math.max(span, finalLatency),
  };
}

/** One invocation outcome per `provider_invocation_id` (sorted), from that invocation's attempts. */
export function promoteAttempts(attempts: readonly InvocationAttempt[]): InvocationOutcome[] {
  const groups = new Map<string, InvocationAttempt[]>();
  for (const attempt of attempts) {
    const group = groups.get(attempt.provider_invocation_id);
    if (group === undefined) groups.set(attempt.provider_invocation_id, [attempt]);
    else group.push(attempt);
  }
  return [...groups.keys()].sort(compareText).map((id) => promoteGroup(groups.get(id)!));
}
