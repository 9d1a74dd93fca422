import { describe, expect, it } from 'vitest';
import { createContractValidator, type ControlSignal } from '../../contracts/index.ts';
import { checkTurnInvariants } from '../../machines/index.ts';
import { buildSignal } from '../identity/stamp.ts';
import { findOrphanTurns, recoverySignals } from './orphan-turns.ts';

const validator = createContractValidator();

/** A lifecycle signal of `turn` at `epoch`, as the runtime stamps it. */
const sig = (
  turn: string,
  epoch: number,
  ordinal: number,
  signal: 'turn_open' | 'commit' | 'abort' | 'close' | 'deauthorized_drain',
  reason?: string,
): ControlSignal =>
  buildSignal(
    {
      session_id: 's1',
      turn_id: turn,
      pipeline_version: 'pipeline-v1',
      authority_epoch: epoch,
      ordinal,
      runtime_ms: 100 * ordinal,
      wall_ms: 1_700_000_000_000 + ordinal,
    },
    {
      signal,
      emitted_by: signal === 'deauthorized_drain' ? 'RK-24' : 'RK-03',
      ...(reason === undefined ? {} : { reason }),
    },
  );

describe('findOrphanTurns', () => {
  it('finds turns with turn_open and no close, oldest first', () => {
    const docs = [
      sig('turn-1-e3', 3, 1, 'turn_open'),
      sig('turn-1-e3', 3, 2, 'commit'),
      sig('turn-1-e3', 3, 3, 'close'),
      sig('turn-2-e3', 3, 4, 'turn_open'),
    ];
    const orphans = findOrphanTurns(docs);
    expect(orphans.map((o) => [o.turn_id, o.authority_epoch, o.terminal])).toEqual([
      ['turn-2-e3', 3, undefined],
    ]);
    expect(orphans[0]).toMatchObject({ last_sequence: 4, last_runtime_ms: 400, drained: false });
  });

  it('keeps only turns of older epochs when a taker names its own', () => {
    const docs = [sig('turn-4-e3', 3, 1, 'turn_open'), sig('turn-1-e9', 9, 1, 'turn_open')];
    expect(findOrphanTurns(docs, { belowEpoch: 9 }).map((o) => o.turn_id)).toEqual(['turn-4-e3']);
    expect(findOrphanTurns(docs, { belowEpoch: 3 })).toEqual([]);
  });

  it('ignores records without a turn_open and documents that are not signals', () => {
    const docs = [sig('turn-7-e2', 2, 5, 'abort', 'cancelled')];
    expect(findOrphanTurns(docs)).toEqual([]);
  });
});

describe('recoverySignals', () => {
  it('ends an unterminated turn with deauthorized_drain, abort(authority_loss) and close, contract-valid', () => {
    const [orphan] = findOrphanTurns([sig('turn-2-e3', 3, 4, 'turn_open')]);
    if (orphan === undefined) throw new Error('no orphan');
    const out = recoverySignals(orphan, 1_700_000_999_000);
    expect(
      out.map((s) => [s.signal, s.emitted_by, s.reason, s.turn_id, s.authority_epoch]),
    ).toEqual([
      ['deauthorized_drain', 'RK-24', 'authority_revoked_in_turn', 'turn-2-e3', 3],
      ['abort', 'RK-03', 'authority_loss', 'turn-2-e3', 3],
      ['close', 'RK-03', undefined, 'turn-2-e3', 3],
    ]);
    for (const s of out) expect(validator.validate('control_signal', s)).toEqual({ valid: true });
    expect(out.map((s) => s.event_id)).toEqual([
      'evt/s1/turn-2-e3-recovered/000001',
      'evt/s1/turn-2-e3-recovered/000002',
      'evt/s1/turn-2-e3-recovered/000003',
    ]);
    expect(out.map((s) => s.runtime_sequence)).toEqual([5, 6, 7]);
    expect(out.every((s) => s.causal_parent_id === orphan.opened.event_id)).toBe(true);
    const outputs = [orphan.opened, ...out].map((signal) => ({
      type: 'control.signal' as const,
      signal,
    }));
    expect(checkTurnInvariants(outputs, { complete: true })).toEqual([]);
  });

  it('stamps ids that depend on the turn only, never on who recovers or when', () => {
    const [orphan] = findOrphanTurns([sig('turn-2-e3', 3, 4, 'turn_open')]);
    if (orphan === undefined) throw new Error('no orphan');
    const keys = (wall: number) => recoverySignals(orphan, wall).map((s) => s.idempotency_key);
    expect(keys(1)).toEqual(keys(2));
    const dead = [sig('turn-2-e3', 3, 1, 'turn_open'), sig('turn-2-e3', 3, 2, 'abort')];
    const deadIds = new Set(dead.map((s) => s.event_id));
    expect(recoverySignals(orphan, 1).some((s) => deadIds.has(s.event_id))).toBe(false);
  });

  it('publishes a recorded terminal again instead of a second one, then close', () => {
    const terminal = sig('turn-2-e3', 3, 5, 'commit');
    const [orphan] = findOrphanTurns([sig('turn-2-e3', 3, 4, 'turn_open'), terminal]);
    if (orphan === undefined) throw new Error('no orphan');
    const out = recoverySignals(orphan, 1);
    expect(out[0]).toBe(terminal);
    expect(out.map((s) => s.signal)).toEqual(['commit', 'close']);
    expect(out[1]?.runtime_sequence).toBe(5 + 3);
  });

  it('adds no second deauthorized_drain when one is recorded', () => {
    const docs = [
      sig('turn-2-e3', 3, 4, 'turn_open'),
      sig('turn-2-e3', 3, 5, 'deauthorized_drain', 'authority_revoked_in_turn'),
    ];
    const [orphan] = findOrphanTurns(docs);
    if (orphan === undefined) throw new Error('no orphan');
    expect(recoverySignals(orphan, 1).map((s) => s.signal)).toEqual(['abort', 'close']);
  });
});
