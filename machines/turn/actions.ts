/**
 * The turn machine's named actions. Each one builds one batch of outputs from the context and
 * the handled event (see `effects.ts`), emits it in order and records ordinal, time and any
 * context updates; none of them can throw.
 */
import { enqueueActions, type ParameterizedObject } from 'xstate';
import type { AbortReason } from '../../contracts/internal.ts';
import type { EventTime } from '../node/clock.ts';
import {
  abortWith,
  addBargeIn,
  addCancel,
  addClose,
  addConnectionSignal,
  addDeauthorizedDrain,
  addEvidenceRequest,
  addLateEventRemap,
  addLateEventReport,
  addPlaybackCancelled,
  addStaleEpochReject,
  addTerminal,
  addTransition,
  addTransportLoss,
  batch,
  eventTime,
  flush,
  noLegalPathReason,
  type Batch,
} from './effects.ts';
import {
  addPreTurnFailure,
  addTurnOpen,
  regatedEpoch,
  type PreTurnFailure,
} from './pre-turn-effects.ts';
import { carriedEpoch } from './guards.ts';
import type { TurnContext, TurnEmitted, TurnEvent } from './types.ts';

type Build<TParams> = (
  b: Batch,
  context: TurnContext,
  event: TurnEvent,
  params: TParams,
) => Partial<TurnContext> | undefined;

/**
 * An action emitting one batch stamped at the handled event's time (or at `at(context)`),
 * relayed to the parent session when there is one.
 */
function emitting<TParams extends ParameterizedObject['params'] | undefined = undefined>(
  build: Build<TParams>,
  at: (context: TurnContext, event: TurnEvent) => EventTime = eventTime,
) {
  return enqueueActions<
    TurnContext,
    TurnEvent,
    TParams,
    TurnEvent,
    never,
    never,
    never,
    never,
    TurnEmitted
  >(({ context, event, enqueue, self }, params) => {
    const b = batch(context, at(context, event));
    const updates = build(b, context, event, params) ?? {};
    flush(enqueue, self._parent !== undefined, context, b, updates);
  });
}

/** Tells the generation how it ends (node hooks differ for a barge-in) before it is stopped. */
const cancelGeneration = enqueueActions<
  TurnContext,
  TurnEvent,
  undefined,
  TurnEvent,
  never,
  never,
  never,
  never,
  TurnEmitted
>(({ context, event, enqueue }) => {
  if (event.type === 'turn.generation.completed') return;
  const time = eventTime(context, event);
  enqueue.sendTo('generation', {
    type: 'generation.cancel',
    kind: event.type === 'turn.barge_in' ? 'barge_in' : 'cancel',
    at_ms: time.at_ms,
    wall_ms: time.wall_ms,
  });
});

/** Named actions of `turnMachine`. */
export const turnActions = {
  cancelGeneration,
  rejectStaleEpoch: emitting((b, context, event) => {
    const node = event.type === 'pipeline.event' ? event.node_id : undefined;
    addStaleEpochReject(b, context, carriedEpoch(event), node);
    return undefined;
  }),
  recordProposal: emitting((b, context) => {
    addTransition(b, context, 'Idle', 'turn_open_proposed', 'Opening');
    return { proposed_at_ms: b.time.at_ms };
  }),
  // Steps 1..7 passed: the turn goes on at the re-gated epoch with what step 8 plans from.
  acceptArbitration: emitting((_b, _context, event) => {
    if (event.type !== 'turn.arbitrate') return undefined;
    return { authority_epoch: regatedEpoch(event), plan_request: event.plan_request ?? null };
  }),
  refuseTurn: emitting<{ step: PreTurnFailure }>((b, context, event, params) => {
    addPreTurnFailure(b, context, event.type === 'turn.arbitrate' ? event : null, params.step);
    return undefined;
  }),
  openTurn: emitting((b, context, event) => {
    if (event.type !== 'turn.plan' || !event.plan.materialized) return undefined;
    addTurnOpen(b, context);
    return {
      plan_hash: event.plan.plan_hash,
      plan: event.resolved_plan ?? null,
      opened_at_ms: b.time.at_ms,
    };
  }),
  drainAuthority: emitting((b, context) => {
    addDeauthorizedDrain(b, context);
    return undefined;
  }),
  signalBargeIn: emitting((b, context) => {
    addBargeIn(b, context);
    return undefined;
  }),
  signalCancel: emitting((b, context) => {
    addCancel(b, context);
    return undefined;
  }),
  signalPlaybackCancelled: emitting((b, context) => {
    addPlaybackCancelled(b, context);
    return undefined;
  }),
  signalTransportLoss: emitting((b, context, event) => {
    addTransportLoss(b, context, event.type === 'turn.connection' ? event.signal : 'disconnected');
    return undefined;
  }),
  relayConnectionSignal: emitting((b, context, event) => {
    if (event.type === 'turn.connection') addConnectionSignal(b, context, event.signal);
    return undefined;
  }),
  requestCommit: emitting((b, context) => addEvidenceRequest(b, context, { signal: 'commit' })),
  requestAbort: emitting<{ reason: AbortReason }>((b, context, _event, params) =>
    addEvidenceRequest(b, context, abortWith(params.reason)),
  ),
  requestNoLegalPathAbort: emitting((b, context, event) => {
    const reason = event.type === 'turn.failure' ? event.reason : undefined;
    return addEvidenceRequest(b, context, abortWith(noLegalPathReason(reason)));
  }),
  // Stage-A holds the evidence of this candidate: emit exactly it.
  emitTerminal: emitting((b, context) => {
    addTerminal(b, context, context.candidate ?? abortWith('deterministic_reason'));
    return { evidence: null };
  }),
  // T9: evidence failure overrides every abort reason and turns a commit into an abort.
  emitEvidenceUnavailable: emitting((b, context) => {
    const terminal = abortWith('recording_evidence_unavailable');
    addTerminal(b, context, terminal);
    return { candidate: terminal, evidence: null };
  }),
  // Terminal is transient: `close` carries the terminal's time.
  emitClose: emitting(
    (b, context) => {
      addClose(b, context);
      return undefined;
    },
    (context) => context.now,
  ),
  handleLateEvent: emitting((b, context, event) => {
    if (context.policies.late_event === 'remap') addLateEventRemap(b, context, event.type);
    else addLateEventReport(b, context, event.type);
    return undefined;
  }),
};
