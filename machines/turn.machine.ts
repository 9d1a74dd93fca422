/**
 * Turn machine: the RK-03 turn arbiter. One actor per proposed turn; its statechart is the
 * normative lifecycle of spec/lifecycle.md (truth table T1..T12, pre-turn evaluation order,
 * active-turn precedence). Precedence lives in guard order: the first enabled transition wins.
 *
 * States (schema `turn_state` names): `Idle` (`awaiting` a proposal, or `released` after a
 * pre-turn outcome: the proposal's dead end, never re-proposed), `Opening` (`arbitrating` the
 * facts of pre-turn steps 1..7, then `planning` step 8), `Active` (`running` the generation,
 * then `finalizing` while the OR-02 baseline is appended: `committing` / `aborting` /
 * `draining`), `Terminal` (transient), `Closed` (never left; applies T11/T12 to late events).
 * No state is an xstate final state: the actor outlives its lifecycle so that the turn itself,
 * not its session, answers late and stale events with its own ordinals.
 *
 * The work a state waits for runs as an invoked actor the runtime supplies with `provide()`
 * (each defaults to one that does nothing, so the machine stays pure and path-testable):
 * `arbitrate` while `Opening.arbitrating` (answers `turn.arbitrate`), `plan` while
 * `Opening.planning` (answers `turn.plan`), `generation` while `Active` (answers
 * `turn.generation.completed` or `turn.failure`) and `evidence` while finalizing (answers
 * `evidence.appended` / `evidence.append_failed`). Effects the runtime performs synchronously
 * are named actions it provides: `fenceEgress` (RK-16/RK-22: nothing more of the turn reaches
 * the transport), `claimCapacity` / `releaseCapacity` (the RK-25 slot held while `Active`).
 *
 * Accepts: `turn.propose`, `turn.arbitrate`, `turn.plan`, `turn.generation.completed`,
 * `turn.cancel`, `turn.barge_in`, `turn.revoke`, `turn.failure`, `turn.connection`,
 * `evidence.appended`, `evidence.append_failed`, `pipeline.event` (see `turn/types.ts`).
 *
 * Emits: `control.signal` (RK-03 `turn_open`/`commit`/`abort`/`close`; RK-24
 * `stale_epoch_reject`/`deauthorized_drain`; RK-25/CP-05 `defer`/`reject`; RK-06 `barge_in`;
 * RK-16 `cancel`; RK-22 `playback_cancelled`; RK-23 connection signals), `decision.outcome`,
 * `turn.transition`, `evidence.requested` (what the `evidence` actor is asked to append),
 * `turn.late_event.remapped` and `turn.late_event.reported`. A turn spawned by a session also
 * sends each output, in order, to its parent as `turn.output`.
 *
 * An early end (cancel, barge-in, revoke, failure, transport loss) always fences the egress and
 * emits `playback_cancelled` before the abort is chosen; a complete reply whose evidence fails
 * ends `abort(recording_evidence_unavailable)` without it (all of it was delivered).
 */
import { fromCallback, setup, type AnyActorLogic, type EventObject } from 'xstate';
import type { AbortReason } from '../contracts/internal.ts';
import { turnActions } from './turn/actions.ts';
import { initialContext } from './turn/effects.ts';
import type { PreTurnFailure } from './turn/pre-turn-effects.ts';
import { turnGuards } from './turn/guards.ts';
import type {
  ArbitrationRequest,
  EgressFenceCause,
  EvidenceAppendRequest,
  GenerationRequest,
  PlanningRequest,
  TurnContext,
  TurnEmitted,
  TurnEvent,
  TurnInput,
} from './turn/types.ts';

export type {
  ArbitrationRequest,
  ConnectionSignal,
  EgressFenceCause,
  EvidenceAppendRequest,
  EvidenceRequested,
  GenerationCancel,
  GenerationRequest,
  NoLegalPathReason,
  PlanningRequest,
  PlanRequest,
  TerminalCandidate,
  TurnArbitrateEvent,
  TurnContext,
  TurnEmitted,
  TurnEvent,
  TurnInput,
  TurnPlanEvent,
  TurnPolicies,
} from './turn/types.ts';
export { TURN_POLICY_DEFAULTS } from './turn/types.ts';

/** An invoked actor that never answers: the default of every runtime-supplied actor. */
function idle<TInput>() {
  return fromCallback<EventObject, TInput>(() => undefined);
}

/** T12 comes first in every state but `Opening`: a stale event changes nothing else. */
const STALE = { guard: 'isStaleEpoch', actions: 'rejectStaleEpoch' } as const;

const abort = (reason: AbortReason) => ({ type: 'requestAbort', params: { reason } }) as const;

const fence = (cause: EgressFenceCause) => ({ type: 'fenceEgress', params: { cause } }) as const;

/** An early end: fence the egress, announce the flush, then ask for the abort's evidence. */
const endEarly = (cause: EgressFenceCause, reason: AbortReason) =>
  [fence(cause), 'signalPlaybackCancelled', abort(reason)] as const;

const refuse = (step: PreTurnFailure) =>
  ({ target: '#turn.Idle.released', actions: { type: 'refuseTurn', params: { step } } }) as const;

/** Evidence answers and the Stage-A timeout, shared by the three finalizing substates. */
const EVIDENCE = {
  invoke: {
    id: 'evidence',
    src: 'evidence',
    input: ({ context }: { context: TurnContext }): EvidenceAppendRequest => ({
      services: context.services,
      plan: context.plan,
      input_id: context.input_id,
      // Set by `requestCommit` / `requestAbort` on the way into every finalizing state.
      request: context.evidence?.request ?? null,
    }),
  },
  on: {
    'evidence.appended': [
      STALE,
      { guard: 'isCurrentEvidence', target: '#turn.Terminal', actions: 'emitTerminal' },
    ],
    'evidence.append_failed': [
      STALE,
      { guard: 'isCurrentEvidence', target: '#turn.Terminal', actions: 'emitEvidenceUnavailable' },
    ],
  },
  after: { evidenceTimeout: { target: '#turn.Terminal', actions: 'emitEvidenceUnavailable' } },
} as const;

/** The RK-03 turn arbiter statechart; create one actor per proposal with a {@link TurnInput}. */
export const turnMachine = setup({
  types: {
    context: {} as TurnContext,
    events: {} as TurnEvent,
    input: {} as TurnInput,
    emitted: {} as TurnEmitted,
  },
  actors: {
    arbitrate: idle<ArbitrationRequest>(),
    plan: idle<PlanningRequest>(),
    // Any actor logic taking a GenerationRequest fits: the runtime's parents node actors.
    generation: idle<GenerationRequest>() as AnyActorLogic,
    evidence: idle<EvidenceAppendRequest>(),
  },
  delays: {
    evidenceTimeout: ({ context }) => context.policies.evidence_timeout_ms,
  },
  guards: turnGuards,
  actions: {
    ...turnActions,
    // Runtime effects (no-ops here): the runtime provides them with `provide()`.
    fenceEgress: (_args, _params: { cause: EgressFenceCause }) => undefined,
    claimCapacity: () => undefined,
    releaseCapacity: () => undefined,
  },
}).createMachine({
  id: 'turn',
  context: ({ input }) => initialContext(input),
  initial: 'Idle',
  states: {
    Idle: {
      initial: 'awaiting',
      on: { '*': STALE },
      states: {
        awaiting: {
          on: { 'turn.propose': [STALE, { target: '#turn.Opening', actions: 'recordProposal' }] },
        },
        // Pre-turn end (T2..T5a): the schema's `Opening -> Idle`; this proposal is spent.
        released: {},
      },
    },
    // Evaluation order of spec/lifecycle.md: the first failing step wins. Anything but the
    // step answers is ignored here: there is no authoritative turn to act on yet.
    Opening: {
      initial: 'arbitrating',
      states: {
        arbitrating: {
          invoke: {
            id: 'arbitrate',
            src: 'arbitrate',
            input: ({ context }): ArbitrationRequest => ({
              services: context.services,
              session_id: context.session_id,
              turn_id: context.turn_id,
              pipeline_version: context.pipeline_version,
              authority_epoch: context.authority_epoch,
              input_id: context.input_id,
              at_ms: context.now.at_ms,
              wall_ms: context.now.wall_ms,
            }),
          },
          on: {
            'turn.arbitrate': [
              { guard: 'snapshotInvalid', ...refuse('snapshot') },
              { guard: 'capacityExhausted', ...refuse('capacity') },
              { guard: 'epochMismatch', ...refuse('epoch') },
              { guard: 'notAuthorized', ...refuse('authorization') },
              { guard: 'bundleUnresolved', ...refuse('bundle') },
              { guard: 'leaseEpochInvalid', ...refuse('lease_epoch') },
              { guard: 'leaseNotAuthorized', ...refuse('lease_authorization') },
              { guard: 'cpNotAdmitted', ...refuse('cp_admission') },
              { target: 'planning', actions: 'acceptArbitration' },
            ],
          },
        },
        // Step 8: RK-04 freezes the plan only for a proposal past admission and authority.
        planning: {
          invoke: {
            id: 'plan',
            src: 'plan',
            input: ({ context }): PlanningRequest => ({
              services: context.services,
              session_id: context.session_id,
              turn_id: context.turn_id,
              authority_epoch: context.authority_epoch,
              request: context.plan_request,
              at_ms: context.now.at_ms,
              wall_ms: context.now.wall_ms,
            }),
          },
          on: {
            'turn.plan': [
              { guard: 'planNotMaterialized', ...refuse('plan') },
              { target: '#turn.Active', actions: 'openTurn' },
            ],
          },
        },
      },
    },
    Active: {
      initial: 'running',
      entry: 'claimCapacity',
      exit: 'releaseCapacity',
      // The graph run lives until the terminal: leaving `running` only tells it to cancel, so
      // its teardown can run after the event that ended the turn (the fence is synchronous).
      invoke: {
        id: 'generation',
        src: 'generation',
        input: ({ context }: { context: TurnContext }): GenerationRequest => ({
          services: context.services,
          session_id: context.session_id,
          turn_id: context.turn_id,
          pipeline_version: context.pipeline_version,
          authority_epoch: context.authority_epoch,
          plan: context.plan,
          at_ms: context.now.at_ms,
          wall_ms: context.now.wall_ms,
        }),
      },

      on: { '*': STALE },
      states: {
        running: {
          exit: 'cancelGeneration',
          // Active-turn precedence table, rank 1..8; connection signals that end nothing last.
          on: {
            'turn.*': [
              STALE,
              {
                guard: 'authorityRevoked',
                target: 'finalizing.draining',
                actions: [
                  'drainAuthority',
                  ...endEarly('authority_epoch_changed', 'authority_loss'),
                ],
              },
              {
                guard: 'bargeIn',
                target: 'finalizing.aborting',
                actions: ['signalBargeIn', ...endEarly('barge_in', 'cancelled')],
              },
              {
                guard: 'cancelAccepted',
                target: 'finalizing.aborting',
                actions: ['signalCancel', ...endEarly('cancel', 'cancelled')],
              },
              {
                guard: 'providerFailed',
                target: 'finalizing.aborting',
                actions: endEarly('stop', 'provider_failure'),
              },
              {
                guard: 'nodeFailed',
                target: 'finalizing.aborting',
                actions: endEarly('stop', 'node_timeout_or_failure'),
              },
              {
                guard: 'transportLost',
                target: 'finalizing.aborting',
                actions: [
                  'signalTransportLoss',
                  ...endEarly('stop', 'transport_disconnect_or_stall'),
                ],
              },
              {
                guard: 'baselineAppendFailed',
                target: 'finalizing.aborting',
                actions: endEarly('stop', 'recording_evidence_unavailable'),
              },
              {
                guard: 'noLegalPath',
                target: 'finalizing.aborting',
                actions: [fence('stop'), 'signalPlaybackCancelled', 'requestNoLegalPathAbort'],
              },
              {
                guard: 'generationCompleted',
                target: 'finalizing.committing',
                actions: 'requestCommit',
              },
              { guard: 'connectionSignal', actions: 'relayConnectionSignal' },
            ],
          },
        },
        // The terminal is chosen; it is emitted only once Stage-A holds its evidence. Until
        // then only a higher-precedence condition may replace it (new request, new timeout):
        // authority loss replaces anything (safety first), a cancel replaces a commit.
        finalizing: {
          initial: 'committing',
          states: {
            // The reply was generated completely; the transport may still be playing it.
            committing: {
              ...EVIDENCE,
              on: {
                ...EVIDENCE.on,
                'turn.*': [
                  STALE,
                  {
                    guard: 'authorityRevoked',
                    target: 'draining',
                    actions: [
                      'drainAuthority',
                      ...endEarly('authority_epoch_changed', 'authority_loss'),
                    ],
                  },
                  {
                    guard: 'bargeIn',
                    target: 'aborting',
                    actions: ['signalBargeIn', ...endEarly('barge_in', 'cancelled')],
                  },
                  {
                    guard: 'cancelAccepted',
                    target: 'aborting',
                    actions: ['signalCancel', ...endEarly('cancel', 'cancelled')],
                  },
                  { guard: 'connectionSignal', actions: 'relayConnectionSignal' },
                ],
              },
            },
            // Already fenced and flushed: only authority loss still changes the terminal.
            aborting: {
              ...EVIDENCE,
              on: {
                ...EVIDENCE.on,
                'turn.*': [
                  STALE,
                  {
                    guard: 'authorityRevoked',
                    target: 'draining',
                    actions: [
                      'drainAuthority',
                      fence('authority_epoch_changed'),
                      abort('authority_loss'),
                    ],
                  },
                  { guard: 'bargeIn', actions: 'signalBargeIn' },
                  { guard: 'connectionSignal', actions: 'relayConnectionSignal' },
                ],
              },
            },
            draining: {
              ...EVIDENCE,
              on: {
                ...EVIDENCE.on,
                'turn.*': [
                  STALE,
                  { guard: 'bargeIn', actions: 'signalBargeIn' },
                  { guard: 'connectionSignal', actions: 'relayConnectionSignal' },
                ],
              },
            },
          },
        },
      },
    },
    // Transient: exactly one terminal was just emitted; `close` follows in the same step.
    Terminal: {
      always: { target: 'Closed', actions: 'emitClose' },
    },
    // T11/T12: never reopens. A stale event is rejected (T12 beats T11); a late event of this
    // turn follows the fixed policy (drop: nothing; remap; diagnostics).
    Closed: {
      on: {
        '*': [STALE, { guard: 'keepsLateEvents', actions: 'handleLateEvent' }],
      },
    },
  },
});
