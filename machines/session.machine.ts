/**
 * Session machine: the RK-02 session prelude and the session lifecycle. It turns final user
 * transcripts into `turn_open_proposed`, spawns one turn actor (`turnMachine`, ids `turn-1`,
 * `turn-2`, ...) per proposal, routes turn events to them, and re-emits everything its turns
 * emit so that one `actor.on('*')` sees the whole ControlLane story in order. At most one turn
 * is not yet closed: a proposal while `opening` is dropped or queued (policy), user speech while
 * `active` is a barge-in, and the next proposal starts only after the live turn is closed.
 * Each turn answers one user input (`input_id`); an input no turn will answer is reported
 * (`session.input.superseded`, with the reason). The most recent closed turn stays a child to
 * answer its own late events; older ones are stopped, so a long call keeps no dead actors.
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
import { nonNegativeInt } from './node/clock.ts';
import {
  connectionFields,
  initialSessionContext,
  inputIdOf,
  proposalSignal,
  relayed,
  routeOf,
  sessionSignal,
  sessionTime,
  superseded,
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
  InputSupersededReason,
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
    hasQueuedIntent: ({ context }) => context.queued !== null,
  },
  actions: {
    // A transcript proposes its own input; otherwise the queued one (or none, for a remap).
    proposeTurn: enqueueActions(({ context, event, enqueue }) => {
      const time = sessionTime(context, event);
      const seq = context.turn_seq + 1;
      const id = turnIdOf(seq, context.incarnation);
      const input_id =
        event.type === 'user.transcript.final'
          ? inputIdOf(event)
          : (context.queued?.input_id ?? null);
      enqueue.emit(proposalSignal(context, time, id, input_id));
      // The turn before the one that just ended is done answering late events.
      if (context.previous_turn !== null) enqueue.stopChild(context.previous_turn);
      enqueue.assign({
        now: time,
        turn_seq: seq,
        current_turn: id,
        previous_turn: context.current_turn,
        queued: null,
      });
      enqueue.spawnChild('turn', {
        id,
        input: {
          session_id: context.session_id,
          turn_id: id,
          pipeline_version: context.pipeline_version,
          authority_epoch: context.authority_epoch,
          policies: context.policies.turn,
          input_id,
          ...(context.services === undefined ? {} : { services: context.services }),
        },
      });
      enqueue.sendTo(id, { type: 'turn.propose', at_ms: time.at_ms, wall_ms: time.wall_ms });
    }),
    // One proposal waits; a newer input replaces an older one, which is reported superseded.
    queueIntent: enqueueActions(({ context, event, enqueue }) => {
      const time = sessionTime(context, event);
      const old = context.queued?.input_id ?? null;
      if (old !== null) enqueue.emit(superseded(context, old, 'replaced_by_newer_input', time));
      enqueue.assign({ queued: { input_id: inputIdOf(event) }, now: time });
    }),
    dropInput: enqueueActions(({ context, event, enqueue }) => {
      const id = inputIdOf(event);
      if (id === null) return;
      const time = sessionTime(context, event);
      enqueue.emit(superseded(context, id, 'dropped_while_opening', time));
    }),
    // The session is over: a waiting input and any later one will not be answered.
    abandonInputs: enqueueActions(({ context, event, enqueue }) => {
      const time = sessionTime(context, event);
      for (const id of [context.queued?.input_id ?? null, inputIdOf(event)])
        if (id !== null) enqueue.emit(superseded(context, id, 'session_ended', time));
      enqueue.assign({ queued: null });
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
    updateAuthority: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'session.authority') return;
      enqueue.assign({
        authority_epoch: nonNegativeInt(event.epoch),
        now: sessionTime(context, event),
      });
    }),
    // The live turn decides whether it can live with the change (RK-24 in the turn machine).
    forwardAuthority: enqueueActions(({ context, event, enqueue }) => {
      const id = context.current_turn;
      if (id === null || event.type !== 'session.authority') return;
      const time = sessionTime(context, event);
      enqueue.sendTo(id, {
        type: 'turn.authority',
        epoch: event.epoch,
        authorized: event.authorized,
        at_ms: time.at_ms,
        wall_ms: time.wall_ms,
      });
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
    'session.authority': { actions: ['updateAuthority', 'forwardAuthority'] },
    'turn.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
    'evidence.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
    'pipeline.*': { guard: 'routesToTurn', actions: 'forwardToTurn' },
  },
  states: {
    idle: {
      on: {
        'user.transcript.final': { target: 'opening', actions: 'proposeTurn' },
        'connection.signal': { actions: 'emitConnectionSignal' },
        // No live turn: only the epoch new turns take changes.
        'session.authority': { actions: 'updateAuthority' },
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
        'user.transcript.final': [
          { guard: 'queuesProposals', actions: 'queueIntent' },
          { actions: 'dropInput' },
        ],
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
        'session.end': { target: 'ended', actions: 'abandonInputs' },
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
            'session.end': {
              target: '#session.ending',
              actions: ['teardownTurn', 'abandonInputs'],
            },
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
            'user.transcript.final': { actions: 'queueIntent' },
            'session.end': { target: '#session.ending.closing', actions: 'abandonInputs' },
          },
        },
      },
    },
    ending: {
      initial: 'awaiting',
      on: {
        'connection.signal': { actions: 'forwardConnection' },
        'user.transcript.final': { actions: 'abandonInputs' },
      },
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
