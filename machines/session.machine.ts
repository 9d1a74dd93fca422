/**
 * Session machine: the RK-02 session prelude and the session lifecycle. It turns final user
 * transcripts into `turn_open_proposed`, spawns one turn actor (`turnMachine`, ids `turn-1`,
 * `turn-2`, ...) per proposal, routes turn events to them, and re-emits everything its turns
 * emit so that one `actor.on('*')` sees the whole ControlLane story in order. At most one turn
 * is not yet closed: a proposal while `opening` is dropped or queued (policy), user speech while
 * `active` is a barge-in, and the next proposal starts only after the live turn is closed.
 *
 * States: `idle`, `opening` (live turn `Opening`; `quiet`, or `interrupted` once the user speaks
 * again: the turn is then cancelled as soon as it opens), `active` (`running`, `preempting` after a
 * barge-in, `closing` between the turn's terminal and its `close`), `ending` (`awaiting`,
 * `closing`: a session end waits for the live turn's terminal and close), `ended` (final; the
 * actor and its turns stop, nothing is emitted afterwards).
 *
 * Accepts: `user.speech.started`, `user.transcript.final`, `connection.signal`, `session.end`,
 * routed turn events (`turn.*`, `evidence.*`, `pipeline.*`, optional `turn_id`) and the
 * `turn.output` relays of its own turns.
 *
 * Emits: RK-02 `turn_open_proposed`; RK-23 connection signals at session scope when no turn is
 * active (an active turn emits them itself, turn-scoped); every output of its turns
 * (`control.signal`, `decision.outcome`, `turn.transition`, `evidence.requested`,
 * `turn.late_event.*`).
 */
import { and, enqueueActions, setup } from 'xstate';
import {
  connectionFields,
  initialSessionContext,
  proposalFields,
  relayed,
  routeOf,
  sessionSignal,
  sessionTime,
  turnIdOf,
} from './session/effects.ts';
import type {
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionInput,
} from './session/types.ts';
import { turnMachine } from './turn.machine.ts';

export type {
  OpeningProposalPolicy,
  RoutedTurnEvent,
  SessionContext,
  SessionEmitted,
  SessionEvent,
  SessionInput,
  SessionPolicies,
} from './session/types.ts';

/** The RK-02 session statechart; create one actor per session with a {@link SessionInput}. */
export const sessionMachine = setup({
  types: {
    context: {} as SessionContext,
    events: {} as SessionEvent,
    input: {} as SessionInput,
    emitted: {} as SessionEmitted,
  },
  actors: { turn: turnMachine },
  guards: {
    routesToTurn: ({ context, event }) => routeOf(context, event) !== null,
    turnOpened: ({ context, event }) => relayed.transitionTo(event, context, 'Opening', 'Active'),
    turnReleased: ({ context, event }) => relayed.transitionTo(event, context, 'Opening', 'Idle'),
    turnTerminated: ({ context, event }) =>
      relayed.transitionTo(event, context, 'Active', 'Terminal'),
    turnClosed: ({ context, event }) => relayed.transitionTo(event, context, 'Terminal', 'Closed'),
    lateEventRemapped: ({ event }) => relayed.isRemap(event),
    queuesProposals: ({ context }) => context.policies.opening_proposal === 'queue',
    hasQueuedIntent: ({ context }) => context.queued_intent,
  },
  actions: {
    proposeTurn: enqueueActions(({ context, event, enqueue }) => {
      const time = sessionTime(context, event);
      const { output, ordinal } = sessionSignal(context, time, proposalFields());
      const seq = context.turn_seq + 1;
      const id = turnIdOf(seq);
      enqueue.emit(output);
      enqueue.assign({
        ordinal,
        now: time,
        turn_seq: seq,
        current_turn: id,
        queued_intent: false,
      });
      enqueue.spawnChild('turn', {
        id,
        input: {
          session_id: context.session_id,
          turn_id: id,
          pipeline_version: context.pipeline_version,
          authority_epoch: context.authority_epoch,
          policies: context.policies.turn,
        },
      });
      enqueue.sendTo(id, { type: 'turn.propose', at_ms: time.at_ms, wall_ms: time.wall_ms });
    }),
    queueIntent: enqueueActions(({ enqueue }) => {
      enqueue.assign({ queued_intent: true });
    }),
    relay: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'turn.output') return;
      enqueue.assign({ now: sessionTime(context, event) });
      enqueue.emit(event.output);
    }),
    forwardToTurn: enqueueActions(({ context, event, enqueue }) => {
      const id = routeOf(context, event);
      if (id === null || event.type === 'turn.output') return;
      enqueue.sendTo(id, event);
    }),
    emitConnectionSignal: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'connection.signal') return;
      const time = sessionTime(context, event);
      const { output, ordinal } = sessionSignal(context, time, connectionFields(event.signal));
      enqueue.emit(output);
      enqueue.assign({ ordinal, now: time });
    }),
    forwardConnection: enqueueActions(({ context, event, enqueue }) => {
      const id = context.current_turn;
      if (id === null || event.type !== 'connection.signal') return;
      const time = sessionTime(context, event);
      enqueue.sendTo(id, {
        type: 'turn.connection',
        signal: event.signal,
        at_ms: time.at_ms,
        wall_ms: time.wall_ms,
      });
    }),
    bargeIn: enqueueActions(({ context, event, enqueue }) => {
      const id = context.current_turn;
      if (id === null) return;
      const time = sessionTime(context, event);
      enqueue.sendTo(id, { type: 'turn.barge_in', at_ms: time.at_ms, wall_ms: time.wall_ms });
    }),
    // Session end tears the transport down: an active turn ends with rank 5
    // (`disconnected`, `stall`, `abort(transport_disconnect_or_stall)`, `close`).
    teardownTurn: enqueueActions(({ context, event, enqueue }) => {
      const id = context.current_turn;
      if (id === null) return;
      const time = sessionTime(context, event);
      enqueue.sendTo(id, {
        type: 'turn.connection',
        signal: 'disconnected',
        at_ms: time.at_ms,
        wall_ms: time.wall_ms,
      });
    }),
  },
}).createMachine({
  id: 'session',
  context: ({ input }) => initialSessionContext(input),
  initial: 'idle',
  on: {
    'turn.output': { actions: 'relay' },
    'turn.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
    'evidence.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
    'pipeline.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
  },
  states: {
    idle: {
      on: {
        'user.transcript.final': { target: 'opening', actions: 'proposeTurn' },
        'connection.signal': { actions: 'emitConnectionSignal' },
        'turn.output': {
          guard: 'lateEventRemapped',
          target: 'opening',
          actions: ['relay', 'proposeTurn'],
        },
        'session.end': { target: 'ended' },
      },
    },
    opening: {
      initial: 'quiet',
      on: {
        'user.transcript.final': { guard: 'queuesProposals', actions: 'queueIntent' },
        'connection.signal': { actions: 'emitConnectionSignal' },
        'turn.output': [
          { guard: 'turnOpened', target: 'active', actions: 'relay' },
          {
            guard: and(['turnReleased', 'hasQueuedIntent']),
            target: 'opening',
            reenter: true,
            actions: ['relay', 'proposeTurn'],
          },
          { guard: 'turnReleased', target: 'idle', actions: 'relay' },
          {
            guard: and(['lateEventRemapped', 'queuesProposals']),
            actions: ['relay', 'queueIntent'],
          },
        ],
        // A turn still `Opening` holds no authority: it is stopped with the session, silently.
        'session.end': { target: 'ended' },
      },
      states: {
        quiet: {
          on: { 'user.speech.started': { target: 'interrupted' } },
        },
        // The user spoke again before the turn opened: the agent must not answer over them.
        // The turn is cancelled as soon as it opens, and what they say is proposed next.
        interrupted: {
          on: {
            'user.transcript.final': { actions: 'queueIntent' },
            'turn.output': {
              guard: 'turnOpened',
              target: '#session.active.preempting',
              actions: ['relay', 'bargeIn'],
            },
          },
        },
      },
    },
    active: {
      initial: 'running',
      on: {
        'connection.signal': { actions: 'forwardConnection' },
        'turn.output': [
          { guard: 'turnTerminated', target: '.closing', actions: 'relay' },
          {
            guard: and(['lateEventRemapped', 'queuesProposals']),
            actions: ['relay', 'queueIntent'],
          },
        ],
      },
      states: {
        running: {
          on: {
            'user.speech.started': { target: 'preempting', actions: 'bargeIn' },
            // A proposal during Active is a barge-in; it is proposed once the turn is closed.
            'user.transcript.final': { target: 'preempting', actions: ['bargeIn', 'queueIntent'] },
            'session.end': { target: '#session.ending', actions: 'teardownTurn' },
          },
        },
        preempting: {
          on: {
            'user.transcript.final': { actions: 'queueIntent' },
            'session.end': { target: '#session.ending', actions: 'teardownTurn' },
          },
        },
        closing: {
          on: {
            'turn.output': [
              {
                guard: and(['turnClosed', 'hasQueuedIntent']),
                target: '#session.opening',
                actions: ['relay', 'proposeTurn'],
              },
              { guard: 'turnClosed', target: '#session.idle', actions: 'relay' },
            ],
            'session.end': { target: '#session.ending.closing' },
          },
        },
      },
    },
    ending: {
      initial: 'awaiting',
      on: { 'connection.signal': { actions: 'forwardConnection' } },
      states: {
        awaiting: {
          on: { 'turn.output': { guard: 'turnTerminated', target: 'closing', actions: 'relay' } },
        },
        closing: {
          on: {
            'turn.output': { guard: 'turnClosed', target: '#session.ended', actions: 'relay' },
          },
        },
      },
    },
    ended: { type: 'final' },
  },
});
