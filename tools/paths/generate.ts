/**
 * Plans the paths of a statechart (shortest, simple and transition-cover paths, deduplicated),
 * replays each on a real actor to fill in clock advances and measure coverage, and reports the
 * numbers the CLI prints and the suite renderer needs.
 */
import type { AnyStateMachine, StateValue } from 'xstate';
import { formatValue, replayPath, stepLabel, type PathRun, type PathStep } from './runtime.ts';
import {
  declaredTransitions,
  stateNodesOf,
  valueOf,
  type DeclaredTransition,
} from './transitions.ts';
import {
  DEFAULT_BOUNDS,
  dedupePaths,
  exploreGraph,
  shortestPaths,
  simplePaths,
  transitionCoverPaths,
  type EventFilter,
  type EventSource,
  type PathBounds,
  type PlannedPath,
  type SnapshotSerializer,
} from './traverse.ts';

/** Which path families to plan. `simple` includes the shortest paths (they are simple paths). */
export type PathStrategy = 'simple' | 'shortest';

/** Everything needed to generate the paths of one machine. */
export type PathModel = {
  readonly machine: AnyStateMachine;
  readonly events: EventSource;
  readonly input?: unknown;
  /** Several inputs (paths are generated for each); takes precedence over `input`. */
  readonly inputs?: readonly unknown[];
  readonly serializeState?: SnapshotSerializer;
  readonly filterEvents?: EventFilter;
  readonly bounds?: Partial<PathBounds>;
  readonly strategy?: PathStrategy;
};

/** One generated path, ready to render. */
export type GeneratedPath = {
  readonly title: string;
  readonly kind: PlannedPath['kind'];
  readonly steps: readonly PathStep[];
  readonly final: StateValue;
  /** Index into `PathModel.inputs`, when the model has several inputs. */
  readonly inputIndex?: number;
  /** The replay done at generation time (its failures are what the suite will report). */
  readonly run: PathRun;
};

/** The generated paths plus state and transition coverage. */
export type PathReport = {
  readonly paths: readonly GeneratedPath[];
  readonly declared: readonly DeclaredTransition[];
  readonly coveredTransitions: readonly string[];
  readonly missingTransitions: readonly string[];
  readonly stateIds: readonly string[];
  readonly coveredStates: readonly string[];
  readonly missingStates: readonly string[];
  /** Distinct snapshots and edges explored. */
  readonly vertices: number;
  readonly edges: number;
  readonly bounds: PathBounds;
  readonly strategy: PathStrategy;
};

/** Plans, deduplicates, replays and orders the paths of `model`. Throws `PathBoundError` on explosion. */
export function generatePaths(model: PathModel): PathReport {
  const bounds = { ...DEFAULT_BOUNDS, ...model.bounds };
  const strategy = model.strategy ?? 'simple';
  const inputs = model.inputs ?? [model.input];
  const multiple = model.inputs !== undefined;
  let vertices = 0;
  let edges = 0;
  const paths = inputs.flatMap((input, i) => {
    const graph = exploreGraph({ ...model, input, bounds });
    vertices += graph.snapshots.length;
    edges += graph.edges.length;
    const base =
      strategy === 'simple'
        ? [...shortestPaths(graph), ...simplePaths(graph, bounds)]
        : shortestPaths(graph);
    const planned = dedupePaths([...base, ...transitionCoverPaths(graph, base)]);
    const replayed = planned.map((p) => {
      const run = replayPath(model.machine, { input, steps: p.edges.map((e) => e.step) });
      return {
        kind: p.kind,
        steps: run.steps.length === p.edges.length ? run.steps : p.edges.map((e) => e.step),
        run,
        final: valueOf(graph.snapshots[p.edges.at(-1)?.to ?? 0]!),
      };
    });
    replayed.sort((x, y) => compareSteps(x.steps, y.steps));
    const titles = new Map<string, number>();
    return replayed.map((p) => {
      const title = uniqueTitle(titleOf(p.steps, p.final), titles);
      return multiple ? { ...p, inputIndex: i, title: `input ${i}: ${title}` } : { ...p, title };
    });
  });

  const declared = declaredTransitions(model.machine);
  const covered = new Set(paths.flatMap((p) => p.run.covered));
  const stateIds = stateNodesOf(model.machine).map((n) => n.id);
  const seen = new Set(paths.flatMap((p) => p.run.states));
  return {
    paths,
    declared,
    coveredTransitions: declared.map((t) => t.key).filter((k) => covered.has(k)),
    missingTransitions: declared.map((t) => t.key).filter((k) => !covered.has(k)),
    stateIds,
    coveredStates: stateIds.filter((id) => seen.has(id)),
    missingStates: stateIds.filter((id) => !seen.has(id)),
    vertices,
    edges,
    bounds,
    strategy,
  };
}

/** The one-line summary the CLI prints, e.g. `turn: 23 paths, 9/9 states, 31/31 transitions covered`. */
export function summarize(name: string, report: PathReport): string {
  const t = `${report.coveredTransitions.length}/${report.declared.length} transitions`;
  const s = `${report.coveredStates.length}/${report.stateIds.length} states`;
  return `${name}: ${report.paths.length} paths, ${s}, ${t} covered`;
}

/** Orders paths by their step labels, then length, so rendering is stable. */
function compareSteps(a: readonly PathStep[], b: readonly PathStep[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ka = stepKey(a[i]!);
    const kb = stepKey(b[i]!);
    if (ka !== kb) return ka < kb ? -1 : 1;
  }
  return a.length - b.length;
}

function stepKey(step: PathStep): string {
  return 'send' in step ? `send ${JSON.stringify(step.send)}` : `after ${step.after}`;
}

function titleOf(steps: readonly PathStep[], final: StateValue): string {
  const via = steps.length === 0 ? 'the initial state' : steps.map(stepLabel).join(' → ');
  return `reaches ${formatValue(final)} via ${via}`;
}

function uniqueTitle(title: string, seen: Map<string, number>): string {
  const n = (seen.get(title) ?? 0) + 1;
  seen.set(title, n);
  return n === 1 ? title : `${title} (#${n})`;
}
