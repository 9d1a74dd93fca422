/**
 * Assembles the OR-02 `baseline_evidence` record of one turn from its facts. Assembly only
 * shapes the facts (redaction decisions by level, promotion of attempts, timing markers); whether
 * the record is complete is decided by contract validation when Stage-A appends it, so a missing
 * fact becomes an append failure (T9), never a throw.
 */
import type { DecisionOutcome, InvocationAttempt } from '../../contracts/index.ts';
import type {
  BaselineEvidence,
  EventEnvelope,
  InvocationOutcome,
  MigrationMarker,
  PayloadClass,
  SnapshotProvenance,
} from '../../contracts/internal.ts';
import type { EvidenceRequested } from '../../machines/index.ts';
import { idPart, type TerminalCandidate } from '../../machines/internal.ts';
import { promoteAttempts } from './promote.ts';
import { redactionDecisions, uniqueTags, type RecordingLevel } from './redaction.ts';

/** An optional millisecond marker: absent, unknown (`null`) or a time. */
type Millis = number | null | undefined;

/** Everything known about one turn when its terminal is chosen. */
export type BaselineFacts = {
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  /** Id of the baseline record itself. */
  readonly event_id: string;
  /** The post-ABI-validation envelope, as a ref or the envelope (serialized with sorted keys). */
  readonly envelope_snapshot: string | EventEnvelope;
  /** Payload classes seen in the turn (RK-22 tags); duplicates are merged. */
  readonly payload_tags: readonly PayloadClass[];
  /** Picks the default redaction actions (default `L0`). */
  readonly recording_level?: RecordingLevel;
  /** The frozen plan's 64-hex hash; `null` when the turn has none. */
  readonly plan_hash: string | null;
  readonly snapshot_provenance: SnapshotProvenance | null;
  /** The gating admission/policy/authority decisions. */
  readonly decision_outcomes: readonly DecisionOutcome[];
  /** Terminal invocation outcomes; when empty, `invocation_attempts` are promoted. */
  readonly invocation_outcomes?: readonly InvocationOutcome[];
  readonly invocation_attempts?: readonly InvocationAttempt[];
  readonly determinism_seed: number | null;
  readonly ordering_markers: readonly string[];
  readonly merge_rule_id: string;
  readonly merge_rule_version: string;
  readonly authority_epoch: number;
  readonly migration_markers?: readonly MigrationMarker[];
  /** The terminal the turn is about to emit. */
  readonly terminal: TerminalCandidate;
  /** The terminal is followed by `close` (the turn machine emits both in one step). */
  readonly close_emitted: boolean;
  readonly turn_open_proposed_at_ms?: Millis;
  readonly turn_open_at_ms?: Millis;
  readonly first_output_at_ms?: Millis;
  readonly cancel_accepted_at_ms?: Millis;
  readonly cancel_fence_applied_at_ms?: Millis;
  readonly cancel_sent_at_ms?: Millis;
  readonly cancel_ack_at_ms?: Millis;
  readonly accepted_stale_epoch_output: boolean;
};

/** A record assembled from facts; it is a `BaselineEvidence` only once Stage-A validated it. */
export type BaselineDraft = { readonly [K in keyof BaselineEvidence]?: unknown };

const MARKERS = [
  'turn_open_proposed_at_ms',
  'turn_open_at_ms',
  'first_output_at_ms',
  'cancel_accepted_at_ms',
  'cancel_fence_applied_at_ms',
  'cancel_sent_at_ms',
  'cancel_ack_at_ms',
] as const;

/** JSON with object keys sorted, so equal envelopes serialize to equal snapshots. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A copy of an array fact, or `undefined` when the fact is missing. */
function list<T>(value: readonly T[] | undefined): T[] | undefined {
  return Array.isArray(value) ? [...(value as readonly T[])] : undefined;
}

/**
 * Assembles the baseline record of one turn. Total: absent or `null` facts (also ones the type
 * requires, from untyped callers) leave their field out, so validation names what is missing.
 */
export function buildBaselineRecord(facts: BaselineFacts): BaselineDraft {
  const f: Partial<BaselineFacts> = facts;
  const tags = f.payload_tags === undefined ? undefined : uniqueTags(f.payload_tags);
  const outcomes = list(f.invocation_outcomes) ?? [];
  const terminal = f.terminal;
  const record: Record<string, unknown> = {
    session_id: f.session_id,
    turn_id: f.turn_id,
    pipeline_version: f.pipeline_version,
    event_id: f.event_id,
    envelope_snapshot:
      f.envelope_snapshot === undefined || typeof f.envelope_snapshot === 'string'
        ? f.envelope_snapshot
        : canonicalJson(f.envelope_snapshot),
    payload_tags: tags,
    redaction_decisions:
      tags === undefined ? undefined : redactionDecisions(tags, f.recording_level ?? 'L0'),
    plan_hash: f.plan_hash ?? undefined,
    snapshot_provenance: f.snapshot_provenance ?? undefined,
    decision_outcomes: list(f.decision_outcomes),
    invocation_outcomes:
      outcomes.length > 0 ? outcomes : promoteAttempts(f.invocation_attempts ?? []),
    determinism_seed: f.determinism_seed ?? undefined,
    ordering_markers: list(f.ordering_markers),
    merge_rule_id: f.merge_rule_id,
    merge_rule_version: f.merge_rule_version,
    authority_epoch: f.authority_epoch,
    migration_markers: list(f.migration_markers) ?? [],
    terminal_outcome: terminal?.signal,
    terminal_reason: terminal?.signal === 'abort' ? terminal.reason : undefined,
    close_emitted: f.close_emitted,
    accepted_stale_epoch_output: f.accepted_stale_epoch_output,
  };
  for (const marker of MARKERS) record[marker] = f[marker] ?? undefined;
  // Closed schema: an absent fact is an absent field, never `undefined` or `null` on the wire.
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

/** Facts of a turn that the turn machine's `evidence.requested` does not carry. */
export type TurnEvidenceFacts = Omit<
  BaselineFacts,
  | 'session_id'
  | 'turn_id'
  | 'event_id'
  | 'authority_epoch'
  | 'plan_hash'
  | 'terminal'
  | 'close_emitted'
  | 'turn_open_proposed_at_ms'
  | 'turn_open_at_ms'
  | 'cancel_accepted_at_ms'
> & {
  /** Id of the baseline record; defaults to `evt/<session>/<request_id>`. */
  readonly event_id?: string;
};

/**
 * The facts of a finalizing turn: identity, epoch, plan hash, terminal and lifecycle markers from
 * the request, the rest from the runtime. `close_emitted` is true because the turn machine emits
 * `close` in the same step as the terminal.
 */
export function factsFromEvidenceRequest(
  request: EvidenceRequested,
  turn: TurnEvidenceFacts,
): BaselineFacts {
  return {
    ...turn,
    session_id: request.session_id,
    turn_id: request.turn_id,
    event_id: turn.event_id ?? `evt/${idPart(request.session_id)}/${request.request_id}`,
    authority_epoch: request.authority_epoch,
    plan_hash: request.plan_hash,
    terminal: request.terminal,
    close_emitted: true,
    turn_open_proposed_at_ms: request.turn_open_proposed_at_ms,
    turn_open_at_ms: request.turn_open_at_ms,
    cancel_accepted_at_ms: request.cancel_accepted_at_ms,
  };
}
