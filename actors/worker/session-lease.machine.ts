/**
 * Session lease machine: one session held by a worker under its KV lease (ADR 0015, ADR 0025).
 * Two regions run side by side. `lease`: acquire, renew every `renew_every_ms` with one renew in
 * flight, lose the lease (store refusal or local deadline), release it. `session`: open the
 * runtime session once the lease is acquired, close it on `session.end` or on loss. The lease
 * is released only after the runtime session closed, so it covers the session's last output;
 * a lost lease revokes the session's authority once and ends the session here, unreleased.
 * The assignment is refused when the store refuses the acquire, does not answer it within the
 * TTL, or the session does not open (or its lease is lost while it opens).
 *
 * The local deadline is the send time of the latest successful write plus the TTL. The server
 * counts the TTL from later (when it stored that write), so the holder gives up first, even
 * when renews hang. Each write's deadline timer starts when the write is sent and becomes the
 * deadline once the write is confirmed; a write in flight and the latest confirmed one overlap,
 * so two deadline regions (`deadlineA`, `deadlineB`) take turns: `live.current` holds the
 * deadline, `live.candidate` the timer of the write in flight, `off` nothing.
 *
 * States: `running` (parallel: `lease` = `tenure` {`writes`: `acquiring` | `holding`
 * {`waiting`, `renewing`, `retrying`}; `deadlineA`, `deadlineB`} | `lost` | `releasing` |
 * `settled`; `session` = `pending` | `opening` | `open` | `closing` | `closed` | `failed`),
 * then `refused` or `ended` (final). Tag `ingress` (on `tenure`): ingress may be fed, as the
 * lease is neither lost nor being released.
 *
 * Accepts: the results `lease.acquired`, `lease.refused`, `lease.renewed`, `lease.renew_failed`,
 * `lease.renew_refused`, `lease.released`, `lease.release_refused`, `lease.release_failed`,
 * `session.opened`, `session.open_failed`, `session.closed`, `session.close_failed` (sent back
 * by the supplied actors) and the command `session.end`.
 *
 * Requests (supplied with `provide()`, defaults do nothing): actors `acquireLease`,
 * `renewLease`, `releaseLease`, `openSession`, `closeSession`; action `revokeAuthority`
 * (RK-24: the runtime fences and revokes the live turn). Emits `session.accepted`, `lease.lost`,
 * `lease.renew_failed`, `lease.release_failed`, `session.close_failed`. Output:
 * {@link SessionLeaseOutput}.
 */
import { assign, emit, fromCallback, raise, setup, type EventObject } from 'xstate';
import type { LeaseGrant } from '../../contracts/internal.ts';
import {
  acquireInput,
  acquireRefusal,
  deadlineLoss,
  failureReport,
  grantAfter,
  grantInput,
  initialSessionLeaseContext,
  lostWhileOpening,
  messageOf,
  openRefusal,
  refusedRenewLoss,
  releaseOutcome,
  sessionLeaseOutput,
  unansweredRefusal,
} from './session-lease.records.ts';
import type {
  SessionLeaseContext,
  SessionLeaseEmitted,
  SessionLeaseEvent,
  SessionLeaseInput,
  SessionLeaseOutput,
} from './session-lease.types.ts';

/** Input of the `acquireLease` actor. */
export type AcquireLeaseInput = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly holder: string;
};

/** Input of the `renewLease`, `releaseLease` and `openSession` actors: the latest grant. */
export type GrantInput = { readonly grant: LeaseGrant };

/** Input of the `closeSession` actor. */
export type CloseSessionInput = { readonly session_id: string };

const idle = <TInput>() => fromCallback<EventObject, TInput>(() => undefined);

const TENURE = '#sessionLease.running.lease.tenure';

const LOST = { target: '#sessionLease.running.lease.lost', actions: 'noteDeadline' } as const;
// Only the first region times the acquire; it refuses the session if the acquire is unanswered.
const UNANSWERED = {
  guard: 'notAcquired',
  target: '#sessionLease.refused',
  actions: 'refuseUnanswered',
} as const;

/** One deadline region: `off`, or `live` (its timer runs) as `candidate` then `current`. */
function deadlineRegion(name: 'deadlineA' | 'deadlineB') {
  const off = `${TENURE}.${name}.off`;
  const first = name === 'deadlineA';
  return {
    initial: first ? 'live' : 'off',
    states: {
      off: { on: { 'lease.write.sent': 'live' } },
      live: {
        initial: 'candidate',
        after: { leaseTtl: first ? [UNANSWERED, LOST] : [LOST] },
        states: {
          candidate: { on: { 'lease.write.confirmed': 'current', 'lease.write.voided': off } },
          current: { on: { 'lease.write.confirmed': off } },
        },
      },
    },
  } as const;
}

/** The session lease statechart (see the file comment). */
export const sessionLeaseMachine = setup({
  types: {
    input: {} as SessionLeaseInput,
    context: {} as SessionLeaseContext,
    events: {} as SessionLeaseEvent,
    emitted: {} as SessionLeaseEmitted,
    output: {} as SessionLeaseOutput,
  },
  actors: {
    acquireLease: idle<AcquireLeaseInput>(),
    renewLease: idle<GrantInput>(),
    releaseLease: idle<GrantInput>(),
    openSession: idle<GrantInput>(),
    closeSession: idle<CloseSessionInput>(),
  },
  delays: {
    renewEvery: ({ context }) => context.renew_every_ms,
    renewRetry: ({ context }) => context.retry_ms,
    leaseTtl: ({ context }) => context.ttl_ms,
  },
  guards: {
    notAcquired: ({ context }) => context.grant === null,
    leaseLost: ({ context }) => context.loss !== null,
    refused: ({ context }) => context.refusal !== null,
  },
  actions: {
    // An emit, not a custom action: its listener runs after the step, so the runtime's own
    // machines never run inside one of this machine's actions.
    revokeAuthority: emit({ type: 'authority.revoke' as const }),
    keepGrant: assign({ grant: ({ context, event }) => grantAfter(context, event) }),
    sendWrite: raise({ type: 'lease.write.sent' }),
    confirmWrite: raise({ type: 'lease.write.confirmed' }),
    voidWrite: raise({ type: 'lease.write.voided' }),
    endSession: raise({ type: 'session.end' }),
    noteRefusal: assign({ refusal: ({ event }) => acquireRefusal(event) }),
    refuseUnanswered: assign({ refusal: ({ context }) => unansweredRefusal(context) }),
    refuseOpenFailure: assign({ refusal: ({ event }) => openRefusal(event) }),
    refuseLostWhileOpening: assign({ refusal: ({ context }) => lostWhileOpening(context) }),
    noteRenewRefused: assign({
      lease: 'lost',
      loss: ({ context, event }) => refusedRenewLoss(context, messageOf(event)),
    }),
    noteDeadline: assign({ lease: 'lost', loss: ({ context }) => deadlineLoss(context) }),
    reportLoss: emit(({ context }) => ({
      type: 'lease.lost' as const,
      ...(context.loss ?? deadlineLoss(context)),
    })),
    announceAccepted: emit(({ context }) => ({
      type: 'session.accepted' as const,
      epoch: context.grant?.epoch ?? 0,
    })),
    reportFailure: emit(({ event }) => failureReport(event)),
    noteCloseFailure: assign({ close_error: ({ event }) => messageOf(event) }),
    settle: assign({ lease: ({ event }) => releaseOutcome(event) }),
  },
}).createMachine({
  id: 'sessionLease',
  context: ({ input }) => initialSessionLeaseContext(input),
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      onDone: [{ guard: 'refused', target: 'refused' }, { target: 'ended' }],
      states: {
        lease: {
          initial: 'tenure',
          states: {
            tenure: {
              type: 'parallel',
              tags: ['ingress'],
              states: {
                writes: {
                  initial: 'acquiring',
                  states: {
                    acquiring: {
                      invoke: {
                        src: 'acquireLease',
                        input: ({ context }) => acquireInput(context),
                      },
                      on: {
                        'lease.acquired': {
                          target: 'holding',
                          actions: ['keepGrant', 'confirmWrite'],
                        },
                        'lease.refused': {
                          target: '#sessionLease.refused',
                          actions: 'noteRefusal',
                        },
                      },
                    },
                    holding: {
                      // The session closed (or never opened): release, whatever the renews do.
                      on: {
                        'session.closed': '#sessionLease.running.lease.releasing',
                        'session.close_failed': '#sessionLease.running.lease.releasing',
                        'session.open_failed': '#sessionLease.running.lease.releasing',
                      },
                      initial: 'waiting',
                      states: {
                        waiting: { after: { renewEvery: 'renewing' } },
                        renewing: {
                          entry: 'sendWrite',
                          invoke: {
                            src: 'renewLease',
                            input: ({ context }) => grantInput(context),
                          },
                          on: {
                            'lease.renewed': {
                              target: 'waiting',
                              actions: ['keepGrant', 'confirmWrite'],
                            },
                            'lease.renew_failed': {
                              target: 'retrying',
                              actions: ['voidWrite', 'reportFailure'],
                            },
                            'lease.renew_refused': {
                              target: '#sessionLease.running.lease.lost',
                              actions: 'noteRenewRefused',
                            },
                          },
                        },
                        retrying: { after: { renewRetry: 'renewing' } },
                      },
                    },
                  },
                },
                // The acquire is the first write: its timer starts with the machine.
                deadlineA: deadlineRegion('deadlineA'),
                deadlineB: deadlineRegion('deadlineB'),
              },
            },
            lost: { type: 'final', entry: ['reportLoss', 'revokeAuthority', 'endSession'] },
            releasing: {
              invoke: { src: 'releaseLease', input: ({ context }) => grantInput(context) },
              on: {
                'lease.released': { target: 'settled', actions: 'settle' },
                'lease.release_refused': { target: 'settled', actions: 'settle' },
                'lease.release_failed': {
                  target: 'settled',
                  actions: ['settle', 'reportFailure'],
                },
              },
            },
            settled: { type: 'final' },
          },
        },
        session: {
          initial: 'pending',
          states: {
            pending: { on: { 'lease.acquired': 'opening' } },
            opening: {
              invoke: { src: 'openSession', input: ({ context }) => grantInput(context) },
              on: {
                'session.opened': [
                  { guard: 'leaseLost', target: 'closing', actions: 'refuseLostWhileOpening' },
                  { target: 'open', actions: 'announceAccepted' },
                ],
                'session.open_failed': { target: 'failed', actions: 'refuseOpenFailure' },
              },
            },
            open: { on: { 'session.end': 'closing' } },
            closing: {
              invoke: {
                src: 'closeSession',
                input: ({ context }) => ({ session_id: context.session_id }),
              },
              on: {
                'session.closed': 'closed',
                'session.close_failed': {
                  target: 'closed',
                  actions: ['noteCloseFailure', 'reportFailure'],
                },
              },
            },
            closed: { type: 'final' },
            failed: { type: 'final' },
          },
        },
      },
    },
    refused: { type: 'final' },
    ended: { type: 'final' },
  },
  output: ({ context }) => sessionLeaseOutput(context),
});
