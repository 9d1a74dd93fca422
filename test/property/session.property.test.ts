import fc from 'fast-check';
import { describe, it } from 'vitest';
import { sessionMachine } from '../../machines/session.machine.ts';
import { sessionPathEvents, sessionPathInput } from '../../machines/session.path-events.ts';
import type { SessionInput } from '../../machines/session/types.ts';
import { passingArbitration, turnPathEvents } from '../../machines/turn.path-events.ts';
import { PROPERTY_PARAMS, actionsArb, groupEvents, runActions, type Action } from './harness.ts';

const inputArb: fc.Arbitrary<SessionInput> = fc
  .constantFrom('drop' as const, 'queue' as const)
  .map((opening_proposal) => ({ ...sessionPathInput, policies: { opening_proposal } }));

// External events only: the session's own inputs plus every turn event it routes to its live
// turn. The path model's forged `turn.output` relays are left out: here real turns relay.
const external = [
  ...sessionPathEvents.filter((e) => e.type !== 'turn.output' && e.type !== 'session.end'),
  ...turnPathEvents.filter((e) => e.type !== 'turn.propose'),
];
const groups = groupEvents(
  external,
  [
    { weight: 6, events: [passingArbitration] },
    { weight: 3, events: [{ type: 'user.transcript.final', at_ms: 0 }] },
    { weight: 1, events: [{ type: 'session.end', at_ms: 0 }] },
  ],
  3,
);
const actions = actionsArb(groups, 30);

/** Ends the session, answers evidence requests and waits out every timer. */
const finish: readonly Action[] = [
  { kind: 'send', event: { type: 'session.end', at_ms: 0 } },
  { kind: 'answer', ok: true },
  { kind: 'advance', ms: 60_000 },
  { kind: 'answer', ok: true },
  { kind: 'advance', ms: 60_000 },
];

describe('session machine properties', () => {
  it(
    'keeps the turn invariants over the whole ControlLane story of random sessions',
    { timeout: 60_000 },
    () => {
      fc.assert(
        fc.property(inputArb, actions, (input, run) => void runActions(sessionMachine, input, run)),
        PROPERTY_PARAMS,
      );
    },
  );

  it('terminates and closes every opened turn once the session ends', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(
        inputArb,
        actions,
        (input, run) => void runActions(sessionMachine, input, run, finish),
      ),
      PROPERTY_PARAMS,
    );
  });
});
