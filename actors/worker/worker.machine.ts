/**
 * Worker machine: the admission and lifecycle of one `rspp worker` (ADR 0013, ADR 0025). While
 * `accepting`, an assignment is admitted unless it is malformed (`invalid_request`), its session
 * already runs here (`duplicate_session`) or every slot is taken (`at_capacity`); the slot is
 * reserved in the same step, so concurrent requests cannot exceed the concurrency. `draining`
 * refuses every assignment, malformed or not (`draining`), while the owner ends the sessions;
 * `closed` is final. `reconnecting` (a NATS connection is down: a session could be neither leased
 * nor run) refuses every assignment (`reconnecting`) and returns to `accepting` once every
 * connection is back; the owner gives up on its own clock (a drain, or exit). `accepting` and
 * `reconnecting` carry the tag `serving`: running sessions end one at a time there.
 *
 * Accepts: `assignment.received` (a parsed request, with the owner's `ticket` for the reply),
 * `assignment.malformed` (a request that did not parse, with the parse error),
 * `session.released` (a session's actor finished: refused or ended), `worker.disconnected`,
 * `worker.reconnected`, `worker.drain`, `worker.drained`. Emits `assignment.admitted` (run the session) or `assignment.refused` (reply
 * with the reason), each with the request's ticket. No effects of its own.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';

/** Input of the worker machine. */
export type WorkerMachineInput = {
  /** Most sessions at once; one more is refused with `at_capacity`. */
  readonly concurrency: number;
};

/** Context of the worker machine. */
export type WorkerMachineContext = {
  readonly concurrency: number;
  /** Sessions admitted and not yet released, in admission order. */
  readonly sessions: readonly string[];
};

/** Why the worker refused an assignment before its session lease was tried. */
export type WorkerRefusal =
  'at_capacity' | 'draining' | 'duplicate_session' | 'invalid_request' | 'reconnecting';

/** Events of the worker machine. */
export type WorkerMachineEvent =
  | { readonly type: 'assignment.received'; readonly ticket: number; readonly session_id: string }
  | { readonly type: 'assignment.malformed'; readonly ticket: number; readonly message: string }
  | { readonly type: 'session.released'; readonly session_id: string }
  /** A NATS connection of the worker is down. */
  | { readonly type: 'worker.disconnected' }
  /** Every NATS connection of the worker is up again. */
  | { readonly type: 'worker.reconnected' }
  | { readonly type: 'worker.drain' }
  | { readonly type: 'worker.drained' };

/** Decisions the worker machine emits, each naming the request's ticket. */
export type WorkerMachineEmitted =
  | { readonly type: 'assignment.admitted'; readonly ticket: number; readonly session_id: string }
  | {
      readonly type: 'assignment.refused';
      readonly ticket: number;
      readonly reason: WorkerRefusal;
      readonly message: string;
    };

const sessionOf = (event: WorkerMachineEvent): string =>
  event.type === 'assignment.received' || event.type === 'session.released' ? event.session_id : '';

const ticketOf = (event: WorkerMachineEvent): number =>
  event.type === 'assignment.received' || event.type === 'assignment.malformed' ? event.ticket : 0;

const refusalMessage = (
  context: WorkerMachineContext,
  event: WorkerMachineEvent,
  reason: WorkerRefusal,
): string => {
  switch (reason) {
    case 'draining':
      return 'worker is draining';
    case 'reconnecting':
      return 'worker is reconnecting to NATS';
    case 'duplicate_session':
      return `session ${sessionOf(event)} runs here`;
    case 'at_capacity':
      return `at most ${String(context.concurrency)} sessions`;
    case 'invalid_request':
      return event.type === 'assignment.malformed' ? event.message : 'request: malformed';
  }
};

/** The worker statechart (see the file comment). */
export const workerMachine = setup({
  types: {
    input: {} as WorkerMachineInput,
    context: {} as WorkerMachineContext,
    events: {} as WorkerMachineEvent,
    emitted: {} as WorkerMachineEmitted,
  },
  guards: {
    runsHere: ({ context, event }) => context.sessions.includes(sessionOf(event)),
    full: ({ context }) => context.sessions.length >= context.concurrency,
  },
  actions: {
    reserve: assign({ sessions: ({ context, event }) => [...context.sessions, sessionOf(event)] }),
    admit: emit(({ event }) => ({
      type: 'assignment.admitted' as const,
      ticket: ticketOf(event),
      session_id: sessionOf(event),
    })),
    refuse: enqueueActions(({ context, event, enqueue }, params: { reason: WorkerRefusal }) => {
      enqueue.emit({
        type: 'assignment.refused',
        ticket: ticketOf(event),
        reason: params.reason,
        message: refusalMessage(context, event, params.reason),
      });
    }),
    release: assign({
      sessions: ({ context, event }) => context.sessions.filter((id) => id !== sessionOf(event)),
    }),
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => ({ concurrency: input.concurrency, sessions: [] }),
  initial: 'accepting',
  on: { 'session.released': { actions: 'release' } },
  states: {
    accepting: {
      tags: ['accepting', 'serving'],
      on: {
        'assignment.received': [
          {
            guard: 'runsHere',
            actions: { type: 'refuse', params: { reason: 'duplicate_session' } },
          },
          { guard: 'full', actions: { type: 'refuse', params: { reason: 'at_capacity' } } },
          { actions: ['reserve', 'admit'] },
        ],
        'assignment.malformed': {
          actions: { type: 'refuse', params: { reason: 'invalid_request' } },
        },
        'worker.disconnected': 'reconnecting',
        'worker.drain': 'draining',
      },
    },
    reconnecting: {
      tags: ['serving'],
      on: {
        'assignment.received': { actions: { type: 'refuse', params: { reason: 'reconnecting' } } },
        'assignment.malformed': { actions: { type: 'refuse', params: { reason: 'reconnecting' } } },
        'worker.reconnected': 'accepting',
        'worker.drain': 'draining',
      },
    },
    draining: {
      on: {
        'assignment.received': { actions: { type: 'refuse', params: { reason: 'draining' } } },
        'assignment.malformed': { actions: { type: 'refuse', params: { reason: 'draining' } } },
        'worker.drained': 'closed',
      },
    },
    closed: { type: 'final' },
  },
});
