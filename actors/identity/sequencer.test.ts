import { describe, expect, it } from 'vitest';
import {
  createContractValidator,
  type ControlSignal,
  type EventRecord,
} from '../../contracts/index.ts';
import { idempotencyKey } from './ids.ts';
import { createSequencer, isSignalOutput } from './sequencer.ts';
import { buildSignal } from './stamp.ts';

const validator = createContractValidator();

function signal(session_id: string, ordinal: number, turn_id = 'turn-1'): ControlSignal {
  return buildSignal(
    {
      session_id,
      turn_id,
      pipeline_version: 'pipeline-v1',
      authority_epoch: 2,
      ordinal,
      runtime_ms: 5,
      wall_ms: 9,
    },
    { signal: 'turn_open', emitted_by: 'RK-03' },
  );
}

function record(session_id: string, event_id: string): EventRecord {
  return {
    schema_version: 'v1.0',
    event_scope: 'session',
    session_id,
    pipeline_version: 'pipeline-v1',
    event_id,
    lane: 'DataLane',
    transport_sequence: 0,
    runtime_sequence: 0,
    runtime_timestamp_ms: 0,
    wall_clock_timestamp_ms: 0,
    payload_class: 'text_raw',
  };
}

describe('createSequencer (RK-21)', () => {
  it('stamps strictly increasing runtime sequences per (session, lane), starting at 1', () => {
    const seq = createSequencer();
    const a = seq.stamp(signal('s1', 1));
    const b = seq.stamp(signal('s1', 2));
    const c = seq.stamp(record('s1', 'e1'));
    const d = seq.stamp(signal('s2', 1));
    expect([a.runtime_sequence, b.runtime_sequence]).toEqual([1, 2]);
    expect(c.runtime_sequence).toBe(1);
    expect(d.runtime_sequence).toBe(1);
    expect(seq.last('s1', 'ControlLane')).toBe(2);
    expect(seq.last('s1', 'DataLane')).toBe(1);
    expect(seq.last('s3', 'DataLane')).toBe(0);
  });

  it('keeps sequence and idempotency key of a retried event', () => {
    const seq = createSequencer();
    const first = seq.stamp(record('s1', 'e1'));
    seq.stamp(record('s1', 'e2'));
    const retry = seq.stamp(record('s1', 'e1'));
    expect(retry.runtime_sequence).toBe(first.runtime_sequence);
    expect(retry.idempotency_key).toBe(first.idempotency_key);
    expect(first.idempotency_key).toBe(idempotencyKey('s1', undefined, 'e1'));
    expect(seq.last('s1', 'DataLane')).toBe(2);
  });

  it('forgets retries beyond the window but never reuses a sequence', () => {
    const seq = createSequencer({ retry_window: 1 });
    seq.stamp(record('s1', 'e1'));
    seq.stamp(record('s1', 'e2'));
    expect(seq.stamp(record('s1', 'e1')).runtime_sequence).toBe(3);
  });

  it('keeps an idempotency key the producer already set and does not mutate its input', () => {
    const seq = createSequencer();
    const input = record('s1', 'e1');
    input.idempotency_key = 'k-1';
    const out = seq.stamp(input);
    expect(out.idempotency_key).toBe('k-1');
    expect(input.runtime_sequence).toBe(0);
  });

  it('restamps machine outputs onto bus envelopes, signals only, in order', () => {
    const seq = createSequencer();
    seq.stamp(signal('s1', 9));
    const outputs = [
      { type: 'turn.transition' },
      { type: 'control.signal', signal: signal('s1', 1) },
      { type: 'decision.outcome' },
      { type: 'control.signal', signal: signal('s1', 2) },
    ];
    const envelopes = seq.restamp(outputs, 'tenant-a');
    expect(
      envelopes.map((e) => [e.tenant_id, e.record.event_id, e.record.runtime_sequence]),
    ).toEqual([
      ['tenant-a', 'evt/s1/turn-1/000001', 2],
      ['tenant-a', 'evt/s1/turn-1/000002', 3],
    ]);
    for (const e of envelopes)
      expect(validator.validate('control_signal', e.record)).toEqual({ valid: true });
    expect(isSignalOutput({ type: 'control.signal' })).toBe(false);
  });
});
