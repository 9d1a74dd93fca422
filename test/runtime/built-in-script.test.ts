import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { withoutWallClock } from '../../tools/run/format.ts';
import { machineOutputs, runEmbedded, summarize } from './kit.ts';

// Delivery signals are per turn (ADR 0027): one output_accepted when the turn's output starts.
const EXPECTED = [
  'RK-23 connected -',
  'RK-02 turn_open_proposed(session_turn_intent) turn-1',
  'RK-03 turn_open turn-1',
  'RK-22 output_accepted turn-1',
  'RK-03 commit turn-1',
  'RK-03 close turn-1',
  'RK-02 turn_open_proposed(session_turn_intent) turn-2',
  'RK-03 turn_open turn-2',
  'RK-22 output_accepted turn-2',
  'RK-06 barge_in turn-2',
  'RK-16 cancel turn-2',
  'RK-22 playback_cancelled(cancel_fence_applied) turn-2',
  'RK-03 abort(cancelled) turn-2',
  'RK-03 close turn-2',
  'RK-02 turn_open_proposed(session_turn_intent) turn-3',
  'RK-03 turn_open turn-3',
  'RK-22 output_accepted turn-3',
  'RK-03 commit turn-3',
  'RK-03 close turn-3',
];

describe('runtime: built-in script', () => {
  it('produces the exact ControlLane sequence on the embedded bus', async () => {
    const { control } = await runEmbedded();
    expect(summarize(control)).toEqual(EXPECTED);
  });

  it('ends every accepted turn with exactly one terminal then close', async () => {
    const { outputs } = await runEmbedded();
    expect(checkTurnInvariants(machineOutputs(outputs), { complete: true })).toEqual([]);
  });

  it('delivers no DataLane output of the cancelled turn after its barge-in', async () => {
    const { delivered } = await runEmbedded();
    const records = delivered.map((e) => e.record);
    const bargeIn = records.findIndex((r) => r.signal === 'barge_in' && r.turn_id === 'turn-2');
    expect(bargeIn).toBeGreaterThan(0);
    const cancelAt = records[bargeIn]?.runtime_timestamp_ms ?? 0;
    const late = records.filter(
      (r) =>
        r.lane === 'DataLane' &&
        r.turn_id === 'turn-2' &&
        (r.runtime_timestamp_ms ?? 0) >= cancelAt,
    );
    expect(late).toEqual([]);
    expect(records.filter((r) => r.lane === 'DataLane' && r.turn_id === 'turn-2')).toHaveLength(3);
    expect(records.some((r) => r.late_after_cancel === true)).toBe(false);
  });

  it('publishes only contract-valid records with RK-21 ids and idempotency keys', async () => {
    const validator = createContractValidator();
    const { delivered } = await runEmbedded();
    // 19 ControlLane signals and the 6 + 3 + 6 audio frames the transport received.
    expect(delivered.filter((e) => e.record.lane === 'ControlLane')).toHaveLength(19);
    expect(delivered.filter((e) => e.record.lane === 'DataLane')).toHaveLength(15);
    for (const { record } of delivered) {
      const artifact = record.lane === 'ControlLane' ? 'control_signal' : 'event_record';
      expect(validator.validate(artifact, record)).toEqual({ valid: true });
      expect(record.event_id).toMatch(/^evt\/demo\/(demo|turn-\d+)\/\d{6}$/);
      expect(record.idempotency_key).toMatch(/^[0-9a-f]{64}$/);
    }
    const control = delivered.filter((e) => e.record.lane === 'ControlLane');
    expect(control.map((e) => e.record.runtime_sequence)).toEqual(control.map((_, i) => i + 1));
  });

  it('is deterministic: the same seed gives the same ControlLane records byte for byte', async () => {
    const first = await runEmbedded({ seed: 7 });
    const second = await runEmbedded({ seed: 7 });
    expect(JSON.stringify(second.control.map(withoutWallClock))).toBe(
      JSON.stringify(first.control.map(withoutWallClock)),
    );
  });

  it('reports the Stage-A baseline of every turn before its terminal', async () => {
    const { outputs } = await runEmbedded();
    const evidence = outputs.flatMap((o) => (o.kind === 'evidence' ? [o] : []));
    expect(evidence.map((e) => [e.turn_id, e.appended, e.terminal.signal])).toEqual([
      ['turn-1', true, 'commit'],
      ['turn-2', true, 'abort'],
      ['turn-3', true, 'commit'],
    ]);
    for (const e of evidence) {
      const at = outputs.indexOf(e);
      const terminal = outputs.findIndex(
        (o) =>
          o.kind === 'control' &&
          o.record.turn_id === e.turn_id &&
          (o.record.signal === 'commit' || o.record.signal === 'abort'),
      );
      expect(at).toBeLessThan(terminal);
    }
  });
});
