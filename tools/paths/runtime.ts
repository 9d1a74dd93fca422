/**
 * Runtime of generated path suites: replays one path (concrete events and clock advances) on a
 * real actor under a simulated clock, checking the turn invariants and the expected state after
 * every step, and records which declared transitions and states the replay took.
 *
 * The generator uses the same replay to measure coverage, so what it reports is what the suite
 * will observe.
 */
import { createActor, SimulatedClock } from 'xstate';
import type {
  AnyMachineSnapshot,
  AnyStateNode,
  AnyStateMachine,
  AnyEventObject,
  InspectionEvent,
  StateValue,
} from 'xstate';
import { checkTurnInvariants, isMachineOutput } from '../../machines/invariants.ts';
import { activeStateIds, transitionKey, valueOf } from './transitions.ts';

/** One step of a path: send a concrete event, or advance the clock until a delayed event fires. */
export type PathStep =
  | { readonly send: AnyEventObject; readonly state: StateValue }
  | { readonly after: string; readonly advance_ms?: number; readonly state: StateValue };

/** What one replay observed. `failures` is empty when every check passed. */
export type PathRun = {
  readonly failures: readonly string[];
  readonly finalValue: StateValue;
  /** Keys of the declared transitions taken (see `transitions.ts`), sorted. */
  readonly covered: readonly string[];
  /** Ids of the state nodes entered, sorted. */
  readonly states: readonly string[];
  /** The steps as replayed, with `advance_ms` filled in for delayed steps. */
  readonly steps: readonly PathStep[];
  /** Number of events the machine emitted. */
  readonly emitted: number;
};

/** A simulated clock that also reports when its earliest pending timer is due. */
export class PathClock extends SimulatedClock {
  private readonly due = new Map<number, number>();

  /** Schedules `fn` after `timeout` simulated ms. */
  override setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    const id: number = super.setTimeout(() => {
      this.due.delete(id);
      fn();
    }, timeout);
    this.due.set(id, this.now() + timeout);
    return id;
  }

  /** Cancels a pending timer. */
  override clearTimeout(id: number): void {
    this.due.delete(id);
    super.clearTimeout(id);
  }

  /** Simulated time at which the earliest pending timer fires, if any. */
  nextDue(): number | undefined {
    const times = [...this.due.values()];
    return times.length === 0 ? undefined : Math.min(...times);
  }
}

/** Human-readable label of a step, used in titles and failure messages. */
export function stepLabel(step: PathStep): string {
  if ('send' in step) return step.send.type;
  return step.advance_ms === undefined ? `after ${step.after}` : `after ${step.advance_ms} ms`;
}

/** Compact rendering of a state value (`Active` or `{"Active":"speaking"}`). */
export function formatValue(value: StateValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const MAX_TIMER_HOPS = 1000;

/**
 * Replays `steps` on a fresh actor of `machine` and reports what happened; never throws for a
 * misbehaving machine (an actor error becomes a failure).
 */
export function replayPath(
  machine: AnyStateMachine,
  options: { readonly input?: unknown; readonly steps: readonly PathStep[] },
): PathRun {
  const clock = new PathClock();
  const covered = new Set<string>();
  const states = new Set<string>();
  const processed: string[] = [];
  const outputs: unknown[] = [];
  const failures: string[] = [];
  const inspect = (ev: InspectionEvent): void => {
    // Only the root actor: children (spawned turns, invoked providers) have their own suites.
    if (ev.actorRef.sessionId !== ev.rootId) return;
    if (ev.type === '@xstate.event') processed.push(ev.event.type);
    if (ev.type !== '@xstate.microstep') return;
    for (const t of ev._transitions) {
      const key = transitionKey(t);
      if (key !== undefined) covered.add(key);
      // The source was active when the transition was taken (this names transient states).
      for (let n: AnyStateNode | undefined = t.source; n?.parent !== undefined; n = n.parent)
        states.add(n.id);
    }
    for (const id of activeStateIds(ev.snapshot as AnyMachineSnapshot)) states.add(id);
  };
  const actor = createActor(machine, { input: options.input, clock, inspect });
  actor.on('*', (emitted) => void outputs.push(emitted));
  actor.subscribe({ error: (err) => void failures.push(`actor error: ${describeError(err)}`) });
  actor.start();
  for (const id of activeStateIds(actor.getSnapshot())) states.add(id);
  check(failures, outputs, 'start');

  const replayed: PathStep[] = [];
  for (const [i, step] of options.steps.entries()) {
    if (failures.length > 0) break;
    const where = `step ${i + 1} (${stepLabel(step)})`;
    const before = processed.length;
    if ('send' in step) {
      actor.send(step.send);
      replayed.push(step);
    } else {
      const start = clock.now();
      if (step.advance_ms !== undefined) clock.increment(step.advance_ms);
      else advanceUntil(clock, () => processed.slice(before).includes(step.after));
      replayed.push({ after: step.after, advance_ms: clock.now() - start, state: step.state });
      if (!processed.slice(before).includes(step.after))
        failures.push(`${where}: delayed event ${step.after} did not fire`);
    }
    const value = valueOf(actor.getSnapshot());
    if (!sameValue(value, step.state))
      failures.push(
        `${where}: expected state ${formatValue(step.state)}, got ${formatValue(value)}`,
      );
    check(failures, outputs, where);
  }
  const snapshot = actor.getSnapshot();
  if (failures.length === 0 && snapshot.status === 'done') check(failures, outputs, 'end', true);
  actor.stop();
  return {
    failures,
    finalValue: valueOf(snapshot),
    covered: [...covered].sort(),
    states: [...states].sort(),
    steps: replayed,
    emitted: outputs.length,
  };
}

/** Throws an error listing every failed check of `run` (the message names the step and the rule). */
export function assertPassed(run: PathRun): void {
  if (run.failures.length === 0) return;
  const steps = run.steps.map((s, i) => `  ${i + 1}. ${stepLabel(s)} -> ${formatValue(s.state)}`);
  throw new Error(
    `path failed:\n  ${run.failures.join('\n  ')}\nsteps replayed:\n${steps.join('\n')}`,
  );
}

/** Advances `clock` timer by timer until `fired()` or no timer is pending. */
function advanceUntil(clock: PathClock, fired: () => boolean): void {
  for (let hop = 0; hop < MAX_TIMER_HOPS && !fired(); hop++) {
    const due = clock.nextDue();
    if (due === undefined) return;
    clock.increment(Math.max(0, due - clock.now()));
  }
}

/** Appends the turn-invariant violations of the outputs so far, prefixed with `where`. */
function check(
  failures: string[],
  outputs: readonly unknown[],
  where: string,
  complete = false,
): void {
  const violations = checkTurnInvariants(outputs.filter(isMachineOutput), { complete });
  for (const v of violations) failures.push(`${where}: invariant violated: ${v}`);
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Structural equality of two state values. */
export function sameValue(a: StateValue, b: StateValue): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  return ka.every((k) => {
    const va = a[k];
    const vb = b[k];
    return va !== undefined && vb !== undefined && sameValue(va, vb);
  });
}

/** Accumulates the transitions taken by the paths of one suite and reports the declared ones never taken. */
export type CoverageRecorder = {
  /** Adds the transitions one run took. */
  record(run: PathRun): void;
  /** Declared transition keys no recorded run took, in declaration order. */
  missing(): string[];
};

/** Creates a coverage recorder over the `declared` transition keys. */
export function createCoverage(declared: readonly string[]): CoverageRecorder {
  const covered = new Set<string>();
  return {
    record: (run) => run.covered.forEach((k) => covered.add(k)),
    missing: () => declared.filter((k) => !covered.has(k)),
  };
}
