/**
 * The work a turn machine waits for, as the actors the runtime provides: `arbitrate` (RK-25,
 * RK-24, CP bundle, CP-07, CP-05 facts of pre-turn steps 1..7), `plan` (RK-04 plan freeze, step
 * 8) and `evidence` (the OR-02 baseline append before the terminal). Each reads its session's
 * services from its input, answers its turn with one event, and decides nothing the machine
 * decides: the machine evaluates the facts in the spec's order and chooses the terminal.
 */
import { fromCallback, type EventObject } from 'xstate';
import type { ResolvedTurnPlan } from '../../contracts/internal.ts';
import type { EvidenceRequested } from '../../machines/index.ts';
import type {
  ArbitrationRequest,
  EvidenceAppendRequest,
  PlanningRequest,
} from '../../machines/internal.ts';
import { resolveTurnPlan, toArbitrationPlan } from '../turn-start/plan.ts';
import { observePreTurn } from '../turn-start/pre-turn.ts';
import { servicesOf, type SessionServices } from './services.ts';
import type { RuntimeTurnFacts } from './types.ts';

/** Steps 1..7: the turn takes its input and observes the pre-turn facts. */
export const arbitrateLogic = fromCallback<EventObject, ArbitrationRequest>(
  ({ input, sendBack }) => {
    const s = servicesOf(input.services);
    s.conversation.take(input.turn_id, input.input_id);
    s.ledger.of(input.turn_id);
    const { event } = observePreTurn({
      session_id: input.session_id,
      turn_id: input.turn_id,
      tenant_id: s.identity.tenant_id,
      pipeline_version: input.pipeline_version,
      authority_epoch: input.authority_epoch,
      at_ms: input.at_ms,
      wall_ms: input.wall_ms,
      snapshot: s.snapshot,
      admission: {
        snapshot: { admission_policy_snapshot: 'admission-policy/v1' },
        capacity: {
          active_turns: s.capacity.active_turns,
          max_active_turns: s.limits.max_active_turns,
        },
      },
      authority: { authority_epoch: s.authority.epoch, authorized: s.authority.authorized },
    });
    sendBack(event);
  },
);

/** Step 8: RK-04 freezes the plan (with the graph's edge policies) or says why it cannot. */
export const planLogic = fromCallback<EventObject, PlanningRequest>(({ input, sendBack }) => {
  const s = servicesOf(input.services);
  const request = input.request;
  const result =
    request === null
      ? null
      : resolveTurnPlan({
          ...request,
          turn_id: input.turn_id,
          authority_epoch: input.authority_epoch,
          edge_buffer_policies: s.graph.edge_policies,
          ...s.graph.plan,
        });
  sendBack({
    type: 'turn.plan',
    at_ms: input.at_ms,
    wall_ms: input.wall_ms,
    plan: result === null ? { materialized: false } : toArbitrationPlan(result),
    // Deep-frozen: nothing downstream can change the plan a turn opened with.
    ...(result?.ok === true ? { resolved_plan: result.plan as ResolvedTurnPlan } : {}),
  });
});

/**
 * OR-02: appends the turn's baseline for the chosen terminal and answers the turn. The append
 * runs on a microtask (a cancel's `feed` does not wait for it), and the answer follows it in the
 * same synchronous step, so nothing can come between the evidence and its terminal. A newer
 * request (a higher-precedence terminal) stops this actor before it appends.
 */
export const evidenceLogic = fromCallback<EventObject, EvidenceAppendRequest>(
  ({ input, sendBack }) => {
    let live = true;
    queueMicrotask(() => {
      const request = input.request;
      if (!live || request === null) return;
      const s = servicesOf(input.services);
      const verdict = s.outputs.evidence.appendBaseline(request, turnFacts(s, request, input));
      const { turn_id, request_id, terminal, authority_epoch } = request;
      s.outputs.deliver({ kind: 'evidence', turn_id, request_id, appended: verdict.ok, terminal });
      // What the user heard of the reply, read before the terminal ends the turn's notes.
      const reply = s.ledger.peek(turn_id)?.reply.text ?? '';
      const committed = verdict.ok && terminal.signal === 'commit';
      sendBack({
        type: verdict.ok ? 'evidence.appended' : 'evidence.append_failed',
        request_id,
        authority_epoch,
        ...s.now(),
      });
      s.conversation.end(turn_id, { reply, interrupted: !committed });
      s.outputs.deliver({ kind: 'reply', turn_id, text: reply, interrupted: !committed });
    });
    return () => {
      live = false;
    };
  },
);

/** The runtime facts of a finalizing turn for its baseline record. */
function turnFacts(
  s: SessionServices,
  request: EvidenceRequested,
  input: EvidenceAppendRequest,
): RuntimeTurnFacts {
  const notes = s.ledger.of(request.turn_id);
  const markers = s.outputs.markers(request.turn_id);
  const plan = input.plan;
  return {
    pipeline_version: s.identity.pipeline_version,
    envelope_snapshot: `envelope/${request.turn_id}`,
    payload_tags: [...notes.tags].sort(),
    snapshot_provenance: plan === null ? null : { ...plan.snapshot_provenance },
    decision_outcomes: [...notes.decisions],
    invocation_attempts: [...notes.attempts],
    determinism_seed: plan === null ? null : plan.determinism.seed,
    ordering_markers:
      plan === null ? ['runtime_sequence', 'event_id'] : [...plan.determinism.ordering_markers],
    merge_rule_id: plan?.determinism.merge_rule_id ?? 'default-merge-rule',
    merge_rule_version: plan?.determinism.merge_rule_version ?? 'v1.0.0',
    accepted_stale_epoch_output: false,
    ...(notes.first_output_at_ms === null ? {} : { first_output_at_ms: notes.first_output_at_ms }),
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
}
