/**
 * Shared harness of the machine property tests: random action sequences (send a concrete event,
 * answer the pending OR-02 evidence request, advance the simulated clock) replayed on a real
 * actor, with the turn invariants checked after every action. A violation throws an error whose
 * message lists the whole action sequence, so fast-check's shrunk counterexample is readable.
 */
import fc from 'fast-check';
import { createActor, SimulatedClock, type AnyEventObject, type AnyStateMachine } from 'xstate';
import { checkTurnInvariants, isMachineOutput } from '../../machines/invariants.ts';

/** One random step of a run. */
export type Action =
  | { readonly kind: 'send'; readonly event: AnyEventObject }
  | { readonly kind: 'answer'; readonly ok: boolean }
  | { readonly kind: 'advance'; readonly ms: number };

/** Fixed seed and run count shared by the property tests; failures print our message too. */
export const PROPERTY_PARAMS = {
  seed: 20_250_601,
  numRuns: 10_000,
  includeErrorInReport: true,
} as const;

/** A group of interchangeable events and how often a step draws from it. */
export type EventGroup = { readonly weight: number; readonly events: readonly AnyEventObject[] };

/**
 * Groups `events` by type (weight `base` each), so that a type with many payload variants is not
 * drawn more often than a type with one; `extra` groups (e.g. the passing arbitration, so that
 * turns actually open) are added as given.
 */
export function groupEvents(
  events: readonly AnyEventObject[],
  extra: readonly EventGroup[] = [],
  base = 1,
): EventGroup[] {
  const byType = new Map<string, AnyEventObject[]>();
  for (const e of events) byType.set(e.type, [...(byType.get(e.type) ?? []), e]);
  return [...[...byType.values()].map((group) => ({ weight: base, events: group })), ...extra];
}

/** Arrays of 0..`max` actions, lengths spread over the whole range (fast-check biases to short). */
export function actionsArb(groups: readonly EventGroup[], max: number): fc.Arbitrary<Action[]> {
  return fc.array(actionArb(groups), { maxLength: max, size: 'max' });
}

/** Random actions: events from `groups`, evidence answers and clock advances up to 3 s. */
export function actionArb(groups: readonly EventGroup[]): fc.Arbitrary<Action> {
  const total = groups.reduce((n, g) => n + g.weight, 0);
  const sends = groups.map((g) => ({
    weight: g.weight,
    arbitrary: fc.constantFrom(...g.events).map((event) => ({ kind: 'send', event }) as const),
  }));
  return fc.oneof(
    ...sends,
    {
      weight: Math.ceil(total / 5),
      arbitrary: fc.boolean().map((ok) => ({ kind: 'answer', ok }) as const),
    },
    {
      weight: Math.ceil(total / 5),
      arbitrary: fc.integer({ min: 0, max: 3000 }).map((ms) => ({ kind: 'advance', ms }) as const),
    },
  );
}

/** Readable form of an action, used in failure messages. */
export function describeAction(action: Action): string {
  if (action.kind === 'advance') return `advance ${action.ms} ms`;
  if (action.kind === 'answer')
    return action.ok ? 'answer evidence: appended' : 'answer evidence: append_failed';
  const { type, at_ms: _at, ...rest } = action.event;
  return Object.keys(rest).length === 0 ? String(type) : `${String(type)} ${JSON.stringify(rest)}`;
}

/** Result of one run. */
export type RunResult = {
  readonly outputs: readonly unknown[];
  readonly value: unknown;
  readonly status: string;
};

/**
 * Replays `actions` then `finish` on a fresh actor, throwing on the first invariant violation;
 * after `finish` the run must also be complete (every opened turn terminated and closed).
 */
export function runActions(
  machine: AnyStateMachine,
  input: unknown,
  actions: readonly Action[],
  finish: readonly Action[] = [],
): RunResult {
  const clock = new SimulatedClock();
  const outputs: unknown[] = [];
  const answered = new Set<string>();
  const actor = createActor(machine, { input, clock });
  actor.on('*', (e) => void outputs.push(e));
  const errors: unknown[] = [];
  actor.subscribe({ error: (err) => void errors.push(err) });
  actor.start();
  const done: Action[] = [];
  const fail = (why: string): never => {
    const lines = done.map((a, i) => `  ${i + 1}. ${describeAction(a)}`);
    throw new Error(`${why}\nafter the actions:\n${lines.join('\n')}`);
  };
  const check = (complete: boolean): void => {
    if (errors.length > 0) fail(`actor error: ${String(errors[0])}`);
    const violations = checkTurnInvariants(outputs.filter(isMachineOutput), { complete });
    if (violations.length > 0) fail(`turn invariants violated:\n  ${violations.join('\n  ')}`);
  };
  const apply = (action: Action): void => {
    done.push(action);
    if (action.kind === 'advance') clock.increment(action.ms);
    // A finished actor takes no more events (xstate would only log that they were dropped).
    else if (actor.getSnapshot().status !== 'active') return;
    else if (action.kind === 'send') actor.send({ ...action.event, at_ms: clock.now() });
    else {
      const pending = pendingRequest(outputs, answered);
      if (pending === undefined) return;
      answered.add(pending.request_id);
      const type = action.ok ? 'evidence.appended' : 'evidence.append_failed';
      actor.send({
        type,
        at_ms: clock.now(),
        request_id: pending.request_id,
        turn_id: pending.turn_id,
      });
    }
  };
  for (const action of actions) {
    apply(action);
    check(false);
  }
  for (const action of finish) {
    apply(action);
    check(false);
  }
  if (finish.length > 0) check(true);
  const snapshot = actor.getSnapshot();
  actor.stop();
  return { outputs, value: snapshot.value as unknown, status: snapshot.status };
}

/** The latest `evidence.requested` output not answered yet. */
function pendingRequest(
  outputs: readonly unknown[],
  answered: ReadonlySet<string>,
): { request_id: string; turn_id: string } | undefined {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const o = outputs[i] as { type?: unknown; request_id?: unknown; turn_id?: unknown };
    if (o.type !== 'evidence.requested' || typeof o.request_id !== 'string') continue;
    if (answered.has(o.request_id)) return undefined;
    return { request_id: o.request_id, turn_id: String(o.turn_id) };
  }
  return undefined;
}
