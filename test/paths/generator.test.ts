import { describe, expect, it } from 'vitest';
import { generatePaths, summarize } from '../../tools/paths/generate.ts';
import { createCoverage, replayPath, type PathStep } from '../../tools/paths/runtime.ts';
import {
  DEFAULT_BOUNDS,
  PathBoundError,
  dedupePaths,
  exploreGraph,
  shortestPaths,
  simplePaths,
  transitionCoverPaths,
  type PlannedPath,
} from '../../tools/paths/traverse.ts';
import { declaredTransitions, valueOf } from '../../tools/paths/transitions.ts';
import { counterMachine, counterPathEvents, counterValueOnly } from './fixtures/counter.machine.ts';
import { cycleMachine, cyclePathEvents } from './fixtures/cycle.machine.ts';
import {
  buggyLifecycleMachine,
  lifecycleMachine,
  lifecyclePathEvents,
  lifecyclePathInput,
} from './fixtures/lifecycle.machine.ts';

/** A path as its event types, for readable assertions. */
const types = (p: PlannedPath): string =>
  p.edges.map((e) => ('send' in e.step ? e.step.send.type : 'after')).join(' ');

describe('path planning on the cycle toy', () => {
  const graph = exploreGraph({
    machine: cycleMachine,
    events: cyclePathEvents,
    bounds: DEFAULT_BOUNDS,
  });

  it('explores every vertex and edge once', () => {
    expect(graph.snapshots.map(valueOf)).toEqual(['a', 'b', 'c', 'd']);
    expect(graph.edges).toHaveLength(5);
  });

  it('finds one shortest path per vertex', () => {
    expect(shortestPaths(graph).map(types)).toEqual(['', 'next', 'next next', 'next skip']);
  });

  it('finds the maximal simple paths', () => {
    expect(simplePaths(graph, DEFAULT_BOUNDS).map(types)).toEqual(['next next done', 'next skip']);
  });

  it('adds a path through the back edge that no simple path takes', () => {
    const simple = simplePaths(graph, DEFAULT_BOUNDS);
    expect(transitionCoverPaths(graph, simple).map(types)).toEqual(['next next next']);
  });

  it('removes duplicates and prefixes of longer paths', () => {
    const all = dedupePaths([...shortestPaths(graph), ...simplePaths(graph, DEFAULT_BOUNDS)]);
    expect(all.map(types).sort()).toEqual(['next next done', 'next skip']);
  });

  it('covers every transition with either strategy', () => {
    for (const strategy of ['simple', 'shortest'] as const) {
      const report = generatePaths({ machine: cycleMachine, events: cyclePathEvents, strategy });
      expect(report.paths).toHaveLength(3);
      expect(report.missingTransitions).toEqual([]);
      expect(summarize('cycle', report)).toBe(
        'cycle: 3 paths, 4/4 states, 5/5 transitions covered',
      );
    }
  });
});

describe('bounds', () => {
  it('stops an unbounded counter at maxStates with an error naming the bound', () => {
    const run = () =>
      generatePaths({
        machine: counterMachine,
        events: counterPathEvents,
        bounds: { maxStates: 50 },
      });
    expect(run).toThrow(PathBoundError);
    expect(run).toThrow(/path space exceeds maxStates=50: .*serializeState/);
  });

  it('makes the counter finite with a serializer', () => {
    const report = generatePaths({
      machine: counterMachine,
      events: counterPathEvents,
      serializeState: counterValueOnly,
    });
    expect(report.vertices).toBe(2);
    expect(report.missingTransitions).toEqual([]);
  });

  it('names maxPaths and maxDepth when they are exceeded', () => {
    const graph = exploreGraph({
      machine: cycleMachine,
      events: cyclePathEvents,
      bounds: DEFAULT_BOUNDS,
    });
    expect(() => simplePaths(graph, { ...DEFAULT_BOUNDS, maxPaths: 2 })).toThrow(/maxPaths=2/);
    const shallow = { ...DEFAULT_BOUNDS, maxDepth: 1 };
    expect(() =>
      exploreGraph({ machine: cycleMachine, events: cyclePathEvents, bounds: shallow }),
    ).toThrow(/maxDepth=1/);
  });
});

describe('coverage and replay on the lifecycle toy', () => {
  it('covers every state and transition, including the delayed and eventless ones', () => {
    const report = generatePaths({
      machine: lifecycleMachine,
      events: lifecyclePathEvents,
      input: lifecyclePathInput,
    });
    expect(report.missingTransitions).toEqual([]);
    expect(report.missingStates).toEqual([]);
    expect(report.paths.every((p) => p.run.failures.length === 0)).toBe(true);
    const delayed = report.paths.flatMap((p) => p.steps).find((s) => 'after' in s);
    expect(delayed).toMatchObject({
      after: 'xstate.after.budget.lifecycle.active',
      advance_ms: 1500,
    });
  });

  it('reports the transition an incomplete event list never takes', () => {
    const events = lifecyclePathEvents.filter((e) => e.type !== 'cancel');
    const report = generatePaths({ machine: lifecycleMachine, events, input: lifecyclePathInput });
    expect(report.missingTransitions).toEqual(['lifecycle.active:cancel:0']);
    const coverage = createCoverage(declaredTransitions(lifecycleMachine).map((t) => t.key));
    for (const p of report.paths)
      coverage.record(replayPath(lifecycleMachine, { input: lifecyclePathInput, steps: p.steps }));
    expect(coverage.missing()).toEqual(['lifecycle.active:cancel:0']);
  });

  it('fails a replay that violates a turn invariant, naming the step', () => {
    const steps: PathStep[] = [
      { send: { type: 'propose', at_ms: 1 }, state: 'opening' },
      { send: { type: 'check', at_ms: 2, ok: true }, state: 'active' },
      { send: { type: 'finish', at_ms: 3 }, state: 'closed' },
    ];
    expect(replayPath(lifecycleMachine, { input: lifecyclePathInput, steps }).failures).toEqual([]);
    expect(
      replayPath(buggyLifecycleMachine, { input: lifecyclePathInput, steps }).failures,
    ).toEqual([
      'step 3 (finish): invariant violated: turn t1: both commit (output #3) and abort (output #4)',
    ]);
  });

  it('fails a replay whose state diverges or whose timer does not fire', () => {
    const wrong: PathStep[] = [{ send: { type: 'propose', at_ms: 1 }, state: 'active' }];
    expect(
      replayPath(lifecycleMachine, { input: lifecyclePathInput, steps: wrong }).failures,
    ).toEqual(['step 1 (propose): expected state active, got opening']);
    const early: PathStep[] = [
      { send: { type: 'propose', at_ms: 1 }, state: 'opening' },
      { send: { type: 'check', at_ms: 2, ok: true }, state: 'active' },
      { after: 'xstate.after.budget.lifecycle.active', advance_ms: 10, state: 'closed' },
    ];
    expect(
      replayPath(lifecycleMachine, { input: lifecyclePathInput, steps: early }).failures,
    ).toContainEqual(
      'step 3 (after 10 ms): delayed event xstate.after.budget.lifecycle.active did not fire',
    );
  });

  it('renders paths in a stable order', () => {
    const a = generatePaths({
      machine: lifecycleMachine,
      events: lifecyclePathEvents,
      input: lifecyclePathInput,
    });
    const b = generatePaths({
      machine: lifecycleMachine,
      events: [...lifecyclePathEvents].reverse(),
      input: lifecyclePathInput,
    });
    expect(b.paths.map((p) => p.title)).toEqual(a.paths.map((p) => p.title));
  });

  it('generates paths for every input and drops filtered steps', () => {
    const inputs = [{ budget_ms: 1500 }, { budget_ms: 4000 }];
    const noCancel = (_s: unknown, e: { type: string }) => e.type !== 'cancel';
    const report = generatePaths({
      machine: lifecycleMachine,
      events: lifecyclePathEvents,
      inputs,
      filterEvents: noCancel,
    });
    expect(report.paths.map((p) => p.title)).toContain(
      'input 1: reaches closed via propose → check → after 4000 ms',
    );
    expect(new Set(report.paths.map((p) => p.inputIndex))).toEqual(new Set([0, 1]));
    expect(report.missingTransitions).toEqual(['lifecycle.active:cancel:0']);
  });
});
