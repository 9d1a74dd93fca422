import fc from 'fast-check';
import { describe, it } from 'vitest';
import { turnMachine } from '../../machines/turn.machine.ts';
import {
  passingArbitration,
  turnPathEvents,
  turnPathInput,
} from '../../machines/turn.path-events.ts';
import type { TurnInput } from '../../machines/turn/types.ts';
import { PROPERTY_PARAMS, actionsArb, groupEvents, runActions, type Action } from './harness.ts';

const inputArb: fc.Arbitrary<TurnInput> = fc
  .constantFrom('drop' as const, 'remap' as const, 'diagnostics' as const)
  .map((late_event) => ({ ...turnPathInput, policies: { late_event } }));

// Every event of the path model (stale epochs, late events, evidence for unknown requests, ...),
// with proposals and passing arbitrations boosted so that about a third of the runs open a turn.
const groups = groupEvents(turnPathEvents, [
  { weight: 2, events: [{ type: 'turn.propose', at_ms: 0 }] },
  { weight: 2, events: [passingArbitration] },
]);
const actions = actionsArb(groups, 25);

/** Cancels the turn, answers its evidence request and waits out every timer. */
const finish: readonly Action[] = [
  { kind: 'send', event: { type: 'turn.cancel', at_ms: 0 } },
  { kind: 'answer', ok: true },
  { kind: 'advance', ms: 60_000 },
  { kind: 'answer', ok: true },
  { kind: 'advance', ms: 60_000 },
];

describe('turn machine properties', () => {
  it(
    'keeps the turn invariants after every step of random event sequences',
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(inputArb, actions, (input, run) => void runActions(turnMachine, input, run)),
        PROPERTY_PARAMS,
      );
    },
  );

  it(
    'terminates and closes every opened turn once cancelled and given time',
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(
          inputArb,
          actions,
          (input, run) => void runActions(turnMachine, input, run, finish),
        ),
        PROPERTY_PARAMS,
      );
    },
  );
});
