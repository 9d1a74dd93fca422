/**
 * What the runtime remembers of one turn between its proposal and its close: the pre-turn
 * evaluation (plan, provenance, seed), the graph run, decisions and attempts for the OR-02
 * baseline, and the reply text that becomes conversation history once the turn commits.
 */
import type { DecisionOutcome, InvocationAttempt, PayloadClass } from '../../contracts/index.ts';
import type { CancelMarkers } from '../fence/index.ts';
import type { GraphExecution } from '../graph/executor.ts';
import type { GraphItem } from '../nodes/types.ts';
import type { PreTurnEvaluation } from '../turn-start/pre-turn.ts';
import type { RuntimeTurnFacts } from './types.ts';

/** Bound of decisions and attempts kept per turn for its baseline record. */
const MAX_FACTS = 64;

/** One turn's runtime state. */
export type TurnRecord = {
  readonly turn_id: string;
  /** The user input the turn answers (transcript text and/or audio frames). */
  readonly input: readonly GraphItem[];
  evaluation: PreTurnEvaluation | null;
  execution: GraphExecution | null;
  readonly decisions: DecisionOutcome[];
  readonly attempts: InvocationAttempt[];
  readonly tags: Set<PayloadClass>;
  /** Concatenated text that reached egress (LLM deltas through TTS are audio: text of LLM). */
  reply: string;
  first_output_at_ms: number | null;
  /** Audio sent so far (media time of the next frame). */
  media_ms: number;
  /** The TTS flush marker was emitted. */
  flushed: boolean;
  /** A terminal was emitted. */
  ended: boolean;
  /** Counted in the runtime's RK-25 capacity (from `turn_open` to `close`). */
  counted: boolean;
};

/** Creates the record of a proposed turn. */
export function createTurnRecord(turn_id: string, input: readonly GraphItem[]): TurnRecord {
  return {
    turn_id,
    input,
    evaluation: null,
    execution: null,
    decisions: [],
    attempts: [],
    tags: new Set<PayloadClass>(['metadata']),
    reply: '',
    first_output_at_ms: null,
    media_ms: 0,
    flushed: false,
    ended: false,
    counted: false,
  };
}

/** Appends to a bounded fact list (the oldest stays: the gating decisions come first). */
export function keepFact<T>(list: T[], fact: T): void {
  if (list.length < MAX_FACTS) list.push(fact);
}

/** The runtime facts of a finalizing turn for its baseline record. */
export function turnFacts(
  turn: TurnRecord,
  pipeline_version: string,
  markers: CancelMarkers | undefined,
): RuntimeTurnFacts {
  const plan = turn.evaluation?.plan;
  const frozen = plan?.ok === true ? plan.plan : null;
  const optional = {
    ...(turn.first_output_at_ms === null ? {} : { first_output_at_ms: turn.first_output_at_ms }),
    ...(markers?.cancel_fence_applied_at_ms === undefined
      ? {}
      : { cancel_fence_applied_at_ms: markers.cancel_fence_applied_at_ms }),
    ...(markers?.cancel_sent_at_ms === undefined
      ? {}
      : { cancel_sent_at_ms: markers.cancel_sent_at_ms }),
    ...(markers?.cancel_ack_at_ms === undefined
      ? {}
      : { cancel_ack_at_ms: markers.cancel_ack_at_ms }),
  };
  return {
    pipeline_version,
    envelope_snapshot: `envelope/${turn.turn_id}`,
    payload_tags: [...turn.tags].sort(),
    snapshot_provenance: frozen === null ? null : { ...frozen.snapshot_provenance },
    decision_outcomes: [...turn.decisions],
    invocation_attempts: [...turn.attempts],
    determinism_seed: frozen === null ? null : frozen.determinism.seed,
    ordering_markers:
      frozen === null ? ['runtime_sequence', 'event_id'] : [...frozen.determinism.ordering_markers],
    merge_rule_id: frozen?.determinism.merge_rule_id ?? 'default-merge-rule',
    merge_rule_version: frozen?.determinism.merge_rule_version ?? 'v1.0.0',
    accepted_stale_epoch_output: false,
    ...optional,
  };
}
