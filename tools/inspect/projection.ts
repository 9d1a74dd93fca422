/**
 * The inspector's wire format and the projections into it: XState inspection events and runtime
 * outputs become small, content-free messages (actor ids, parent, machine id, state, event
 * type; ControlLane ids, signal and reason). Event payloads, context, transcripts and replies
 * are never read into a message, so nothing of the user can leave the process this way.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { ControlSignal, DecisionOutcome } from '../../contracts/index.ts';

/** An actor of the live tree, keyed by XState's per-system-unique `sessionId` (`ref`). */
export type ActorView = {
  readonly ref: string;
  /** The actor's id in its parent (`turn-1`, `llm`, `invocation`, `attempt`...). */
  readonly id: string;
  readonly parent: string | null;
  /** The machine id (`session`, `turn`, `node`, `invocation`), or null for non-machine logic. */
  readonly machine: string | null;
  /** Dotted state value (`Active.running`), or the status for non-machine logic. */
  readonly value: string;
  /** Ids of the active state nodes (`turn.Active`, `turn.Active.running`), as in the DOT export. */
  readonly states: readonly string[];
  readonly status: ActorStatus;
  /** Type of the event that produced the current state. */
  readonly event: string;
};

/** An actor's lifecycle status as XState reports it. */
export type ActorStatus = 'active' | 'done' | 'error' | 'stopped';

/** One ControlLane signal or decision outcome on the timeline: ids, names and times only. */
export type TimelineEntry = {
  readonly kind: 'signal' | 'decision';
  readonly session: string;
  readonly turn: string | null;
  /** The signal name, or the outcome kind of a decision. */
  readonly name: string;
  readonly reason: string | null;
  readonly emitted_by: string;
  readonly at_ms: number;
  readonly event_id: string;
};

/** Counters the page shows so the operator knows what was left out. */
export type InspectorStats = {
  /** Messages this client did not get because its queue was full (it was sent a reset). */
  readonly dropped: number;
  /** Actors not tracked because the tree was at its limit. */
  readonly untracked: number;
  readonly limits: { readonly actors: number; readonly timeline: number; readonly queue: number };
};

/** What travels over the inspector's WebSocket, as a JSON array of these per frame. */
export type InspectorMessage =
  | { readonly t: 'actor'; readonly actor: ActorView }
  | { readonly t: 'state'; readonly actor: ActorView }
  | { readonly t: 'timeline'; readonly entry: TimelineEntry }
  | {
      readonly t: 'reset';
      readonly actors: readonly ActorView[];
      readonly timeline: readonly TimelineEntry[];
      readonly stats: InspectorStats;
    }
  | { readonly t: 'stats'; readonly stats: InspectorStats };

const MAX_NAME = 80;

/** A name safe to show: a string of at most 80 printable ASCII characters, else `?`. */
function name(value: unknown): string {
  if (typeof value !== 'string') return '?';
  const cut = value.slice(0, MAX_NAME);
  return /^[\x20-\x7e]*$/.test(cut) ? cut : cut.replace(/[^\x20-\x7e]/g, '?');
}

type LogicLike = { readonly id?: unknown; readonly root?: unknown };

/** The machine id of an actor's logic, or null when the logic is not a state machine. */
function machineIdOf(ref: AnyActorRef): string | null {
  const logic = (ref as { logic?: LogicLike }).logic;
  return logic !== undefined && logic.root !== undefined ? name(logic.id) : null;
}

/** The dotted value and the active state node ids of a machine state value. */
export function flattenStateValue(
  machineId: string,
  value: unknown,
): { value: string; states: string[] } {
  const states: string[] = [];
  const leaves: string[] = [];
  const walk = (prefix: string, v: unknown, path: string): void => {
    if (typeof v === 'string') {
      states.push(`${prefix}.${name(v)}`);
      leaves.push(path === '' ? name(v) : `${path}.${name(v)}`);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const id = `${prefix}.${name(key)}`;
      states.push(id);
      const childPath = path === '' ? name(key) : `${path}.${name(key)}`;
      if (typeof child === 'object' && child !== null && Object.keys(child).length === 0)
        leaves.push(childPath);
      else walk(id, child, childPath);
    }
  };
  walk(machineId, value, '');
  return { value: leaves.join(', '), states };
}

function statusOf(snapshot: unknown): ActorStatus {
  const status = (snapshot as { status?: unknown } | undefined)?.status;
  return status === 'done' || status === 'error' || status === 'stopped' ? status : 'active';
}

function view(ref: AnyActorRef, snapshot: unknown, event: string): ActorView {
  const machine = machineIdOf(ref);
  const status = statusOf(snapshot);
  const flat =
    machine === null
      ? { value: status, states: [] }
      : flattenStateValue(machine, (snapshot as { value?: unknown } | undefined)?.value);
  return {
    ref: name(ref.sessionId),
    id: name(ref.id),
    parent: ref._parent === undefined ? null : name(ref._parent.sessionId),
    machine,
    value: flat.value,
    states: flat.states,
    status,
    event: name(event),
  };
}

/**
 * Projects one XState inspection event: an actor's creation or a snapshot. Other events
 * (`@xstate.event`, `@xstate.action`, `@xstate.microstep`) give null: the snapshot that follows
 * carries the event type, and nothing else of them is shown.
 */
export function projectInspection(event: InspectionEvent): InspectorMessage | null {
  switch (event.type) {
    case '@xstate.actor':
      // Created, not yet started: its initial state comes with its first snapshot event.
      return {
        t: 'actor',
        actor: view(event.actorRef as AnyActorRef, { status: 'active' }, 'xstate.init'),
      };
    case '@xstate.snapshot':
      return {
        t: 'state',
        actor: view(event.actorRef as AnyActorRef, event.snapshot, event.event.type),
      };
    case '@xstate.event':
    case '@xstate.action':
    case '@xstate.microstep':
    case '@xstate.transition':
      return null;
  }
}

/** A ControlLane signal as a timeline entry (its ids, signal, reason and time only). */
export function signalEntry(record: ControlSignal): TimelineEntry {
  return {
    kind: 'signal',
    session: name(record.session_id),
    turn: typeof record.turn_id === 'string' ? name(record.turn_id) : null,
    name: name(record.signal),
    reason: typeof record.reason === 'string' ? name(record.reason) : null,
    emitted_by: name(record.emitted_by),
    at_ms: record.runtime_timestamp_ms ?? 0,
    event_id: name(record.event_id),
  };
}

/** A decision outcome as a timeline entry. */
export function decisionEntry(outcome: DecisionOutcome): TimelineEntry {
  return {
    kind: 'decision',
    session: name(outcome.session_id),
    turn: outcome.turn_id === undefined ? null : name(outcome.turn_id),
    name: name(outcome.outcome_kind),
    reason: name(outcome.reason),
    emitted_by: name(outcome.emitted_by),
    at_ms: outcome.runtime_timestamp_ms,
    event_id: name(outcome.event_id),
  };
}
