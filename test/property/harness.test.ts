import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buggyLifecycleMachine,
  lifecycleMachine,
  lifecyclePathEvents,
  lifecyclePathInput,
} from '../paths/fixtures/lifecycle.machine.ts';
import { PROPERTY_PARAMS, actionsArb, groupEvents, runActions } from './harness.ts';

const actions = actionsArb(groupEvents(lifecyclePathEvents), 10);
const property = (machine: typeof lifecycleMachine) =>
  fc.property(actions, (run) => void runActions(machine, lifecyclePathInput, run));

describe('property harness', () => {
  it('passes a machine that keeps the invariants', () => {
    expect(() =>
      fc.assert(property(lifecycleMachine), { ...PROPERTY_PARAMS, numRuns: 300 }),
    ).not.toThrow();
  });

  it('reports the shrunk event sequence of a violation', () => {
    let message = '';
    try {
      fc.assert(property(buggyLifecycleMachine), { ...PROPERTY_PARAMS, numRuns: 300 });
    } catch (error) {
      message = error instanceof Error ? error.message : String(error);
    }
    expect(message).toContain('Counterexample:');
    expect(message).toContain(
      'turn invariants violated:\n  turn t1: both commit (output #3) and abort (output #4)',
    );
    expect(message).toContain(
      'after the actions:\n  1. propose\n  2. check {"ok":true}\n  3. finish\n',
    );
  });
});
