/**
 * Turn machine: the RK-03 turn arbiter. One actor per proposed turn; its statechart is the
 * normative lifecycle of spec/lifecycle.md (truth table T1..T12, pre-turn evaluation order,
 * active-turn precedence). Precedence lives in guard order: the first enabled transition wins.
 *
 * States (schema `turn_state` names): `Idle` (`awaiting` a proposal, or `released` after a
 * pre-turn outcome: the proposal's dead end, never re-proposed), `Opening`, `Active` (`running`,
 * then `finalizing` while the OR-02 baseline is appended: `committing` / `aborting` /
 * `draining`), `Terminal` (transient), `Closed` (never left; applies T11/T12 to late events).
 * No state is an xstate final state: the actor outlives its lifecycle so that the turn itself,
 * not its session, answers late and stale events with its own ordinals.
 *
 * Accepts: `turn.propose`, `turn.arbitrate`, `turn.generation.completed`, `turn.cancel`,
 * `turn.barge_in`, `turn.revoke`, `turn.failure`, `turn.conditions`, `turn.connection`,
 * `evidence.appended`, `evidence.append_failed`, `pipeline.event` (see `turn/types.ts`).
 *
 * Emits: `control.signal` (RK-03 `turn_open`/`commit`/`abort`/`close`; RK-24
 * `stale_epoch_reject`/`deauthorized_drain`; RK-25/CP-05 `defer`/`reject`; RK-06 `barge_in`;
 * RK-16 `cancel`; RK-23 connection signals), `decision.outcome`, `turn.transition`,
 * `evidence.requested` (the runtime answers with `evidence.appended`/`evidence.append_failed`),
 * `turn.late_event.remapped` and `turn.late_event.reported`. A turn spawned by a session also
 * sends each output, in order, to its parent as `turn.output`.
 */
import { setup } from 'xstate';
import type { AbortReason } from '../contracts/index.ts';
import { turnActions } from './turn/actions.ts';
import { initialContext, type PreTurnFailure } from './turn/effects.ts';
import { turnGuards } from './turn/guards.ts';
import type { TurnContext, TurnEmitted, TurnEvent, TurnInput } from './turn/types.ts';

export type {
  ConnectionSignal,
  EvidenceRequested,
  LateEventRemapped,
  LateEventReported,
  NoLegalPathReason,
  TerminalCandidate,
  TurnArbitrateEvent,
  TurnConditions,
  TurnContext,
  TurnEmitted,
  TurnEvent,
  TurnFailureKind,
  TurnInput,
  TurnOutputEvent,
  TurnPolicies,
} from './turn/types.ts';
export { TURN_POLICY_DEFAULTS } from './turn/types.ts';

/** T12 comes first in every state but `Opening`: a stale event changes nothing else. */
const STALE = { guard: 'isStaleEpoch', actions: 'rejectStaleEpoch' } as const;

const abort = (reason: AbortReason) => ({ type: 'requestAbort', params: { reason } }) as const;

const refuse = (step: PreTurnFailure) =>
  ({ target: '#turn.Idle.released', actions: { type: 'refuseTurn', params: { step } } }) as const;

/** Evidence answers and the Stage-A timeout, shared by the three finalizing substates. */
const EVIDENCE = {
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
  delays: {
    evidenceTimeout: ({ context }) => context.policies.evidence_timeout_ms,
  },
  guards: turnGuards,
  actions: turnActions,
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
    Opening: {
      // Evaluation order of spec/lifecycle.md: the first failing step wins. Anything but
      // `turn.arbitrate` is ignored here: there is no authoritative turn to act on yet.
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
          { guard: 'planNotMaterialized', ...refuse('plan') },
          { target: '#turn.Active', actions: 'openTurn' },
        ],
      },
    },
    Active: {
      initial: 'running',
      on: { '*': STALE },
      states: {
        running: {
          // Active-turn precedence table, rank 1..8; connection signals that end nothing last.
          on: {
            'turn.*': [
              STALE,
              {
                guard: 'authorityRevoked',
                target: 'finalizing.draining',
                actions: ['drainAuthority', abort('authority_loss')],
              },
              {
                guard: 'bargeIn',
                target: 'finalizing.aborting',
                actions: ['signalBargeIn', abort('cancelled')],
              },
              {
                guard: 'cancelAccepted',
                target: 'finalizing.aborting',
                actions: abort('cancelled'),
              },
              {
                guard: 'providerFailed',
                target: 'finalizing.aborting',
                actions: abort('provider_failure'),
              },
              {
                guard: 'nodeFailed',
                target: 'finalizing.aborting',
                actions: abort('node_timeout_or_failure'),
              },
              {
                guard: 'transportLost',
                target: 'finalizing.aborting',
                actions: ['signalTransportLoss', abort('transport_disconnect_or_stall')],
              },
              {
                guard: 'baselineAppendFailed',
                target: 'finalizing.aborting',
                actions: abort('recording_evidence_unavailable'),
              },
              {
                guard: 'noLegalPath',
                target: 'finalizing.aborting',
                actions: 'requestNoLegalPathAbort',
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
            committing: {
              ...EVIDENCE,
              on: {
                ...EVIDENCE.on,
                'turn.*': [
                  STALE,
                  {
                    guard: 'authorityRevoked',
                    target: 'draining',
                    actions: ['drainAuthority', abort('authority_loss')],
                  },
                  {
                    guard: 'bargeIn',
                    target: 'aborting',
                    actions: ['signalBargeIn', abort('cancelled')],
                  },
                  { guard: 'cancelAccepted', target: 'aborting', actions: abort('cancelled') },
                  { guard: 'connectionSignal', actions: 'relayConnectionSignal' },
                ],
              },
            },
            aborting: {
              ...EVIDENCE,
              on: {
                ...EVIDENCE.on,
                'turn.*': [
                  STALE,
                  {
                    guard: 'authorityRevoked',
                    target: 'draining',
                    actions: ['drainAuthority', abort('authority_loss')],
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
