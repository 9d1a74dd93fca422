import { describe, expect, it } from 'vitest';
import type { DecisionOutcome, TurnTransition } from '../contracts/index.ts';
import type { TurnState } from '../contracts/internal.ts';
import { checkTurnInvariants, isMachineOutput } from './invariants.ts';
import type { MachineOutput } from './outputs.ts';
import { stampOutcome, stampSignal, transition } from './stamp.ts';

const time = { runtime_ms: 0, wall_ms: 0 };
const id = (turn_id?: string) => ({
  session_id: 's1',
  pipeline_version: 'p1',
  authority_epoch: 1,
  turn_id,
});

/** A turn-scoped lifecycle control signal. */
function sig(
  name: 'turn_open' | 'commit' | 'abort' | 'close' | 'deauthorized_drain',
  turn = 't1',
  reason?: string,
): MachineOutput {
  const fields = { signal: name, emitted_by: 'RK-03', event_scope: 'turn' } as const;
  return {
    type: 'control.signal',
    signal: stampSignal(id(turn), time, 1, reason === undefined ? fields : { ...fields, reason }),
  };
}

/** A decision outcome. */
function outcome(
  kind: DecisionOutcome['outcome_kind'],
  phase: DecisionOutcome['phase'],
  turn: string | null = 't1',
): MachineOutput {
  const fields = {
    outcome_kind: kind,
    phase,
    scope: 'turn',
    emitted_by: 'RK-24',
    reason: 'r',
  } as const;
  return {
    type: 'decision.outcome',
    outcome: stampOutcome(id(turn ?? undefined), time, 1, fields),
  };
}

/** A turn_transition record. */
function tr(from: TurnState, trigger: TurnTransition['trigger'], to: TurnState): MachineOutput {
  return { type: 'turn.transition', turn_id: 'turn-1', transition: transition(from, trigger, to) };
}

const opened = [
  tr('Idle', 'turn_open_proposed', 'Opening'),
  sig('turn_open'),
  tr('Opening', 'turn_open', 'Active'),
];
const committed = [
  ...opened,
  sig('commit'),
  tr('Active', 'commit', 'Terminal'),
  sig('close'),
  tr('Terminal', 'close', 'Closed'),
];

describe('checkTurnInvariants', () => {
  it('accepts a committed and a pre-turn rejected turn', () => {
    const rejected = [
      tr('Idle', 'turn_open_proposed', 'Opening'),
      outcome('reject', 'pre_turn', 't2'),
      tr('Opening', 'reject', 'Idle'),
    ];
    expect(checkTurnInvariants([...committed, ...rejected], { complete: true })).toEqual([]);
  });

  it('rejects both commit and abort for one turn', () => {
    const out = [...opened, sig('commit'), sig('abort', 't1', 'cancelled')];
    expect(checkTurnInvariants(out)).toContainEqual(
      expect.stringMatching(/turn t1: both commit .* and abort/),
    );
  });

  it('rejects a second terminal of the same kind', () => {
    expect(checkTurnInvariants([...opened, sig('abort', 't1', 'cancelled')])).toEqual([]);
    const out = [...opened, sig('abort', 't1', 'cancelled'), sig('abort', 't1', 'cancelled')];
    expect(checkTurnInvariants(out)).toContainEqual(expect.stringMatching(/second abort/));
  });

  it('accepts close right after a terminal and rejects close without one', () => {
    expect(checkTurnInvariants([...opened, sig('abort', 't1', 'cancelled'), sig('close')])).toEqual(
      [],
    );
    expect(checkTurnInvariants([...opened, sig('close')])).toContainEqual(
      expect.stringMatching(/close not right after a terminal \(previous: turn_open\)/),
    );
  });

  it('rejects anything of a turn after its close', () => {
    const out = [...committed, sig('deauthorized_drain')];
    expect(checkTurnInvariants(out)).toEqual([
      expect.stringMatching(/turn t1: deauthorized_drain after close/),
    ]);
    const stale = [...committed, outcome('stale_epoch_reject', 'scheduling_point')];
    expect(checkTurnInvariants(stale, { complete: true })).toEqual([]);
    const late = [...committed, outcome('defer', 'scheduling_point')];
    expect(checkTurnInvariants(late)).toEqual([
      expect.stringMatching(/turn t1: defer after close/),
    ]);
    const other = [...committed, sig('turn_open', 't2')];
    expect(checkTurnInvariants(other)).toEqual([]);
  });

  it('requires exactly one terminal then close for every opened turn when complete', () => {
    expect(checkTurnInvariants(opened)).toEqual([]);
    expect(checkTurnInvariants(opened, { complete: true })).toEqual([
      'turn t1: opened but never terminated',
    ]);
    const noClose = [...opened, sig('commit')];
    expect(checkTurnInvariants(noClose, { complete: true })).toEqual([
      'turn t1: terminated but never closed',
    ]);
    expect(checkTurnInvariants(committed, { complete: true })).toEqual([]);
  });

  it('forbids turn_open, abort and close after a pre-turn decision outcome', () => {
    const pre = [outcome('defer', 'pre_turn')];
    expect(checkTurnInvariants(pre, { complete: true })).toEqual([]);
    for (const later of [sig('turn_open'), sig('abort', 't1', 'cancelled'), sig('close')])
      expect(checkTurnInvariants([...pre, later])).toContainEqual(
        expect.stringMatching(/after a pre-turn decision/),
      );
  });

  it('treats a pre-turn admit as letting the turn open, not as a refusal', () => {
    const admitted = [outcome('admit', 'pre_turn'), ...committed];
    expect(checkTurnInvariants(admitted, { complete: true })).toEqual([]);
    const refused = [outcome('reject', 'pre_turn'), ...committed];
    expect(checkTurnInvariants(refused)).toContainEqual(
      expect.stringMatching(/after a pre-turn decision/),
    );
  });

  it('forbids lifecycle signals in a proposal that ended Opening -> Idle', () => {
    const pre = [tr('Idle', 'turn_open_proposed', 'Opening'), tr('Opening', 'defer', 'Idle')];
    expect(checkTurnInvariants(pre)).toEqual([]);
    expect(checkTurnInvariants([...pre, sig('close', 'tx')])).toContainEqual(
      expect.stringMatching(/after a pre-turn Opening -> Idle/),
    );
    const before = [
      tr('Idle', 'turn_open_proposed', 'Opening'),
      sig('turn_open'),
      tr('Opening', 'defer', 'Idle'),
    ];
    expect(checkTurnInvariants(before)).toContainEqual(
      expect.stringMatching(/pre-turn Opening -\(defer\)-> Idle after turn lifecycle/),
    );
  });

  it('requires authority_loss (or evidence loss) after an active-turn deauthorized_drain', () => {
    const drained = [
      ...opened,
      outcome('deauthorized_drain', 'active_turn'),
      sig('deauthorized_drain'),
    ];
    expect(
      checkTurnInvariants([...drained, sig('abort', 't1', 'authority_loss'), sig('close')]),
    ).toEqual([]);
    expect(
      checkTurnInvariants([...drained, sig('abort', 't1', 'recording_evidence_unavailable')]),
    ).toEqual([]);
    expect(checkTurnInvariants([...drained, sig('abort', 't1', 'cancelled')])).toContainEqual(
      expect.stringMatching(/abort reason cancelled after active-turn deauthorized_drain/),
    );
    expect(checkTurnInvariants([...drained, sig('commit')])).toContainEqual(
      expect.stringMatching(/commit after active-turn deauthorized_drain/),
    );
    const signalOnly = [...opened, sig('deauthorized_drain'), sig('abort', 't1', 'cancelled')];
    expect(checkTurnInvariants(signalOnly)).toHaveLength(1);
  });

  it('accepts legal turn_transition chains and rejects illegal edges and gaps', () => {
    expect(
      checkTurnInvariants([...committed, tr('Idle', 'turn_open_proposed', 'Opening')]),
    ).toEqual([]);
    expect(checkTurnInvariants([tr('Opening', 'commit', 'Terminal')])).toEqual([
      'illegal turn_transition Opening -(commit)-> Terminal (output #0)',
    ]);
    const gap = [tr('Idle', 'turn_open_proposed', 'Opening'), tr('Active', 'commit', 'Terminal')];
    expect(checkTurnInvariants(gap)).toEqual([
      'turn_transition Active -(commit)-> Terminal does not continue from Opening (output #1)',
    ]);
    expect(checkTurnInvariants([tr('Closed', 'close', 'Idle')])).toContainEqual(
      expect.stringMatching(/illegal/),
    );
  });

  it('requires turn ids on lifecycle signals and turn-scoped outcomes', () => {
    const noTurn: MachineOutput = {
      type: 'control.signal',
      signal: stampSignal(id(), time, 1, {
        signal: 'commit',
        emitted_by: 'RK-03',
        event_scope: 'session',
      }),
    };
    expect(checkTurnInvariants([noTurn])).toEqual(['commit carries no turn_id (output #0)']);
    expect(checkTurnInvariants([outcome('reject', 'pre_turn', null)])).toEqual([
      'reject with scope turn carries no turn_id (output #0)',
    ]);
  });

  it('recognises machine outputs', () => {
    expect(isMachineOutput(sig('commit'))).toBe(true);
    expect(isMachineOutput({ type: 'evidence.appended' })).toBe(false);
    expect(isMachineOutput(null)).toBe(false);
  });
});
