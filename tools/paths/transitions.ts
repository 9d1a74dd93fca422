/**
 * The declared transitions of a statechart and the stable keys that name them, shared by the
 * generator (which plans paths) and the runtime (which records what a replay actually took).
 *
 * A key is `<source state id>:<event descriptor>:<index>` for `on`, `after` (`xstate.after.*`),
 * `onDone` and invoke transitions, and `<source state id>:always:<index>` for eventless ones.
 */
import type {
  StateValue,
  AnyMachineSnapshot,
  AnyStateMachine,
  AnyStateNode,
  AnyTransitionDefinition,
} from 'xstate';
import { getStateNodes } from 'xstate/graph';

/** One declared transition with the facts a reader needs to recognise it. */
export type DeclaredTransition = {
  /** Stable key, see the module comment. */
  readonly key: string;
  /** Id of the state node that declares it. */
  readonly source: string;
  /** Event descriptor (`*` and `x.*` wildcards included); `always` for eventless transitions. */
  readonly event: string;
  /** Target state ids; empty for targetless (self) transitions. */
  readonly targets: readonly string[];
  /** Guard name, when the guard is named. */
  readonly guard?: string;
  /** `after` for delayed transitions, `always` for eventless ones, `event` otherwise. */
  readonly kind: 'event' | 'after' | 'always';
};

/** Every state node of `machine` except the root, in document order. */
export function stateNodesOf(machine: AnyStateMachine): AnyStateNode[] {
  return getStateNodes(machine.root);
}

/** The name of a guard (named, `{ type }`, `and(...)`/`or(...)`/`not(...)` or inline), if any. */
export function guardName(guard: unknown): string | undefined {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown }).guards;
    if (Array.isArray(parts))
      return `${guard.name}(${parts.map((g) => guardName(g) ?? '?').join(', ')})`;
    return guard.name === '' ? 'inline' : guard.name;
  }
  if (typeof guard === 'object' && guard !== null) {
    const type = (guard as { type?: unknown }).type;
    if (typeof type === 'string') return type;
  }
  return undefined;
}

/** Every declared transition of `machine`, root included, in document order. */
export function declaredTransitions(machine: AnyStateMachine): DeclaredTransition[] {
  const out: DeclaredTransition[] = [];
  for (const node of [machine.root, ...stateNodesOf(machine)]) {
    for (const [event, defs] of node.transitions) {
      defs.forEach((t, i) => out.push(describe(t, `${node.id}:${event}:${i}`, event)));
    }
    (node.always ?? []).forEach((t, i) =>
      out.push(describe(t, `${node.id}:always:${i}`, 'always')),
    );
  }
  return out;
}

function describe(t: AnyTransitionDefinition, key: string, event: string): DeclaredTransition {
  const kind =
    event === 'always' ? 'always' : event.startsWith('xstate.after.') ? 'after' : 'event';
  const guard = guardName(t.guard);
  const base = {
    key,
    source: t.source.id,
    event,
    targets: (t.target ?? []).map((s) => s.id),
    kind,
  } as const;
  return guard === undefined ? base : { ...base, guard };
}

/** The key of a transition definition taken at runtime (as reported by `@xstate.microstep`). */
export function transitionKey(t: AnyTransitionDefinition): string | undefined {
  const source: AnyStateNode = t.source;
  const type = String(t.eventType);
  if (type === '') {
    const i = (source.always ?? []).indexOf(t);
    return i < 0 ? undefined : `${source.id}:always:${i}`;
  }
  const i = source.transitions.get(type)?.indexOf(t) ?? -1;
  return i < 0 ? undefined : `${source.id}:${type}:${i}`;
}

/** True when `type` matches an event descriptor (`a.b`, `*`, or the partial wildcard `a.*`). */
export function matchesDescriptor(descriptor: string, type: string): boolean {
  if (descriptor === '*' || descriptor === type) return true;
  return descriptor.endsWith('.*') && type.startsWith(descriptor.slice(0, -1));
}

/** The state value of a snapshot, typed. */
export function valueOf(snapshot: AnyMachineSnapshot): StateValue {
  return snapshot.value as StateValue;
}

/** The active state nodes of a snapshot (root included), typed. */
export function nodesOf(snapshot: AnyMachineSnapshot): AnyStateNode[] {
  return snapshot._nodes as AnyStateNode[];
}

/** Event descriptors the active state nodes of `snapshot` react to and a test can send. */
export function handledDescriptors(snapshot: AnyMachineSnapshot): string[] {
  const all = nodesOf(snapshot).flatMap((n) => n.ownEvents as string[]);
  // A child actor's done/error event is sent like any other event; xstate's own (delays, init,
  // a compound state's done) are not sendable.
  const sendable = (d: string): boolean =>
    !d.startsWith('xstate.') ||
    d.startsWith('xstate.done.actor.') ||
    d.startsWith('xstate.error.actor.');
  return [...new Set(all)].filter(sendable);
}

/** The delayed (`after`) event types armed by the active state nodes of `snapshot`. */
export function delayedEventTypes(snapshot: AnyMachineSnapshot): string[] {
  const types = nodesOf(snapshot).flatMap((n) => n.after.map((t) => t.eventType as string));
  return [...new Set(types)];
}

/** Ids of the active state nodes of `snapshot` (root excluded). */
export function activeStateIds(snapshot: AnyMachineSnapshot): string[] {
  const root = (snapshot.machine as AnyStateMachine).root.id;
  return nodesOf(snapshot)
    .map((n) => n.id)
    .filter((id) => id !== root);
}
