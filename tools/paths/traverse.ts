/**
 * Bounded exploration of a statechart's snapshot graph with pure `machine.transition` calls, and
 * the path sets planned on it: shortest paths, simple paths and transition-cover paths.
 *
 * Every bound is checked while exploring, so a machine whose state space explodes (for example a
 * counter in context without a serializer) fails fast with a {@link PathBoundError} naming the
 * bound instead of hanging.
 */
import { createActor, fromTransition } from 'xstate';
import type { AnyMachineSnapshot, AnyStateMachine, EventObject, InspectionEvent } from 'xstate';
import type { PathStep } from './runtime.ts';
import {
  delayedEventTypes,
  handledDescriptors,
  matchesDescriptor,
  transitionKey,
  valueOf,
} from './transitions.ts';

/** Limits on the exploration; exceeding one throws a {@link PathBoundError}. */
export type PathBounds = {
  /** Distinct serialized snapshots (graph vertices). */
  readonly maxStates: number;
  /** Partial paths visited while enumerating simple paths. */
  readonly maxPaths: number;
  /** Steps in any path. */
  readonly maxDepth: number;
};

/** Bounds used when the caller does not override them. */
export const DEFAULT_BOUNDS: PathBounds = { maxStates: 2000, maxPaths: 20_000, maxDepth: 40 };

/** Thrown when exploration exceeds one of the {@link PathBounds}. */
export class PathBoundError extends Error {
  /** Creates the error for `bound`, whose value was `limit`. */
  readonly bound: keyof PathBounds;
  readonly limit: number;
  constructor(bound: keyof PathBounds, limit: number, detail: string) {
    super(`path space exceeds ${bound}=${limit}: ${detail}`);
    this.bound = bound;
    this.limit = limit;
    this.name = 'PathBoundError';
  }
}

/** Concrete events: a fixed list, or a function of the current snapshot. */
export type EventSource =
  readonly EventObject[] | ((snapshot: AnyMachineSnapshot) => readonly EventObject[]);

/** Drops an event (concrete or delayed) in a snapshot, e.g. a timer that cannot fire first. */
export type EventFilter = (snapshot: AnyMachineSnapshot, event: EventObject) => boolean;

/** Turns a snapshot into the vertex identity; defaults to value + context. */
export type SnapshotSerializer = (snapshot: AnyMachineSnapshot) => string;

/** One explored edge: the step taken and the declared transitions it took. */
export type GraphEdge = {
  readonly from: number;
  readonly to: number;
  readonly step: PathStep;
  readonly transitions: readonly string[];
};

/** The explored graph; vertex 0 is the initial snapshot. */
export type StateGraph = {
  readonly snapshots: readonly AnyMachineSnapshot[];
  readonly edges: readonly GraphEdge[];
  /** The BFS tree: the edge that first reached each vertex (undefined for vertex 0). */
  readonly parent: readonly (GraphEdge | undefined)[];
  /** Transitions taken while computing the initial snapshot (eventless ones). */
  readonly initialTransitions: readonly string[];
};

/** A planned path: the edges it follows and why it was planned. */
export type PlannedPath = {
  readonly kind: 'shortest' | 'simple' | 'transition';
  readonly edges: readonly GraphEdge[];
};

/** Default vertex identity: state value and context, actor refs by id, functions dropped. */
export function defaultSerializeState(snapshot: AnyMachineSnapshot): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(
    { value: valueOf(snapshot), context: snapshot.context as unknown },
    (_key, v: unknown) => {
      if (typeof v === 'function') return undefined;
      if (typeof v !== 'object' || v === null) return v;
      if ('sessionId' in v && 'send' in v) return `actor:${String((v as { id?: unknown }).id)}`;
      if (seen.has(v)) return '[circular]';
      seen.add(v);
      return v;
    },
  );
}

/** Builds a scope for pure transitions that reports the transitions each microstep took. */
type MachineScope = Parameters<AnyStateMachine['transition']>[2];

function probeScope(sink: string[]): MachineScope {
  const inspect = (ev: InspectionEvent): void => {
    if (ev.type !== '@xstate.microstep') return;
    for (const t of ev._transitions) {
      const key = transitionKey(t);
      if (key !== undefined) sink.push(key);
    }
  };
  const probe = createActor(
    fromTransition((s: null) => s, null),
    { inspect },
  );
  const noop = (): void => undefined;
  const scope = { self: probe, id: 'paths', sessionId: 'paths', logger: noop, defer: noop };
  return {
    ...scope,
    system: probe.system,
    stopChild: noop,
    emit: noop,
    actionExecutor: noop,
  } as unknown as MachineScope;
}

/** Whether `error` is XState's `maxIterations` guard firing. */
const isLoopGuard = (error: unknown): boolean =>
  error instanceof Error && error.message.startsWith('Infinite loop detected');

/**
 * Why a step threw. XState's own loop guard (`options.maxIterations`) is reworded to say what to
 * look for in the statechart instead of a generic "infinite loop".
 */
function stepFailure(machine: AnyStateMachine, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!isLoopGuard(error)) return message;
  const limit = machine.options.maxIterations ?? Infinity;
  return `no stable state after ${limit} microsteps: an eventless (always) transition or a raised event loops forever; guard it or send an event to leave the loop`;
}

/** Explores the snapshot graph of `machine` breadth-first within `bounds`. */
export function exploreGraph(options: {
  readonly machine: AnyStateMachine;
  readonly events: EventSource;
  readonly input?: unknown;
  readonly serializeState?: SnapshotSerializer;
  readonly filterEvents?: EventFilter;
  readonly bounds: PathBounds;
}): StateGraph {
  const { machine, bounds } = options;
  const serialize = options.serializeState ?? defaultSerializeState;
  const taken: string[] = [];
  const scope = probeScope(taken);
  let initial: AnyMachineSnapshot;
  try {
    initial = machine.getInitialSnapshot(scope, options.input);
  } catch (error) {
    throw new Error(`the initial state threw: ${stepFailure(machine, error)}`, { cause: error });
  }
  // XState reports an error while entering the initial state in the snapshot instead of throwing.
  // Other errors become failing paths the suite reports; a loop would hang the suite itself.
  const initialError: unknown = initial.status === 'error' ? initial.error : undefined;
  if (isLoopGuard(initialError))
    throw new Error(`the initial state threw: ${stepFailure(machine, initialError)}`, {
      cause: initialError,
    });
  const initialTransitions = [...new Set(taken)];
  const snapshots: AnyMachineSnapshot[] = [initial];
  const depth: number[] = [0];
  const parent: (GraphEdge | undefined)[] = [undefined];
  const index = new Map<string, number>([[serialize(initial), 0]]);
  const edges: GraphEdge[] = [];
  for (let v = 0; v < snapshots.length; v++) {
    const snapshot = snapshots[v]!;
    if (snapshot.status !== 'active') continue;
    for (const step of stepsFrom(snapshot, options.events, options.filterEvents)) {
      taken.length = 0;
      const event = 'send' in step ? step.send : { type: step.after };
      let next: AnyMachineSnapshot;
      try {
        next = machine.transition(snapshot, event, scope);
      } catch (error) {
        throw new Error(
          `transition from ${JSON.stringify(valueOf(snapshot))} on ${event.type} threw: ${stepFailure(machine, error)}`,
          { cause: error },
        );
      }
      const key = serialize(next);
      let to = index.get(key);
      if (to === v && taken.length === 0) continue; // the event is not handled here
      if (to === undefined) {
        if (snapshots.length >= bounds.maxStates)
          throw new PathBoundError(
            'maxStates',
            bounds.maxStates,
            'too many distinct snapshots; supply a serializeState that abstracts unbounded context (counters, ids) or raise the bound',
          );
        if (depth[v]! + 1 > bounds.maxDepth)
          throw new PathBoundError(
            'maxDepth',
            bounds.maxDepth,
            `a new snapshot is only reachable in ${depth[v]! + 1} steps; supply a serializeState that abstracts unbounded context or raise the bound`,
          );
        to = snapshots.length;
        index.set(key, to);
        snapshots.push(next);
        depth.push(depth[v]! + 1);
      }
      const edge: GraphEdge = {
        from: v,
        to,
        step: { ...stepOf(step), state: valueOf(next) },
        transitions: [...new Set(taken)],
      };
      edges.push(edge);
      if (parent.length === to) parent.push(edge);
    }
  }
  return { snapshots, edges, parent, initialTransitions };
}

type RawStep = { readonly send: EventObject } | { readonly after: string };

function stepOf(step: RawStep): RawStep {
  return 'send' in step ? { send: step.send } : { after: step.after };
}

/** The concrete events a snapshot reacts to, then its armed delayed events. */
function stepsFrom(
  snapshot: AnyMachineSnapshot,
  source: EventSource,
  filter: EventFilter | undefined,
): RawStep[] {
  const events = typeof source === 'function' ? source(snapshot) : source;
  const handled = handledDescriptors(snapshot);
  const keep = (e: EventObject): boolean => filter === undefined || filter(snapshot, e);
  const sends = events.filter((e) => handled.some((d) => matchesDescriptor(d, e.type)) && keep(e));
  const delayed = delayedEventTypes(snapshot).filter((type) => keep({ type }));
  return [...sends.map((send) => ({ send })), ...delayed.map((after) => ({ after }))];
}

/** The BFS-tree path to vertex `v`. */
function treePath(graph: StateGraph, v: number): GraphEdge[] {
  const path: GraphEdge[] = [];
  for (let e = graph.parent[v]; e !== undefined; e = graph.parent[e.from]) path.unshift(e);
  return path;
}

/** One shortest path to every vertex. */
export function shortestPaths(graph: StateGraph): PlannedPath[] {
  return graph.snapshots.map((_, v) => ({ kind: 'shortest', edges: treePath(graph, v) }));
}

/** Every maximal simple path from the initial vertex (no vertex twice), within `bounds`. */
export function simplePaths(graph: StateGraph, bounds: PathBounds): PlannedPath[] {
  const out: PlannedPath[] = [];
  const onPath = new Set<number>([0]);
  const stack: GraphEdge[] = [];
  const adjacency = graph.snapshots.map(() => [] as GraphEdge[]);
  for (const e of graph.edges) if (e.to !== e.from) adjacency[e.from]!.push(e);
  let visited = 0;
  const walk = (v: number): void => {
    if (++visited > bounds.maxPaths)
      throw new PathBoundError(
        'maxPaths',
        bounds.maxPaths,
        'too many simple paths; use the shortest-path strategy or raise the bound',
      );
    let extended = false;
    for (const e of adjacency[v]!) {
      if (onPath.has(e.to)) continue;
      if (stack.length + 1 > bounds.maxDepth)
        throw new PathBoundError('maxDepth', bounds.maxDepth, 'a simple path is longer');
      extended = true;
      onPath.add(e.to);
      stack.push(e);
      walk(e.to);
      stack.pop();
      onPath.delete(e.to);
    }
    if (!extended) out.push({ kind: 'simple', edges: [...stack] });
  };
  walk(0);
  return out;
}

/** Adds, for each edge taking a transition no planned path takes, the shortest path through it. */
export function transitionCoverPaths(
  graph: StateGraph,
  planned: readonly PlannedPath[],
): PlannedPath[] {
  const covered = new Set(graph.initialTransitions);
  for (const p of planned) for (const e of p.edges) e.transitions.forEach((k) => covered.add(k));
  const out: PlannedPath[] = [];
  for (const e of graph.edges) {
    if (e.transitions.every((k) => covered.has(k))) continue;
    e.transitions.forEach((k) => covered.add(k));
    out.push({ kind: 'transition', edges: [...treePath(graph, e.from), e] });
  }
  return out;
}

/** Removes duplicate paths and paths that are a prefix of another (earlier kinds win ties). */
export function dedupePaths(paths: readonly PlannedPath[]): PlannedPath[] {
  const keyOf = (e: GraphEdge): string => `${e.from}>${e.to}:${JSON.stringify(stepOf(e.step))}`;
  const order = [...paths.entries()].sort(
    ([ia, a], [ib, b]) => b.edges.length - a.edges.length || ia - ib,
  );
  const prefixes = new Set<string>();
  const kept: PlannedPath[] = [];
  for (const [, p] of order) {
    const full = p.edges.map(keyOf).join('\n');
    if (prefixes.has(full)) continue;
    kept.push(p);
    let acc = '';
    p.edges.forEach((e, i) => prefixes.add((acc = i === 0 ? keyOf(e) : `${acc}\n${keyOf(e)}`)));
    prefixes.add('');
  }
  return kept;
}
