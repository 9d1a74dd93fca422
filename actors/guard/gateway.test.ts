import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { applyAbiDefaults, createEventGateway } from './gateway.ts';

const validator = createContractValidator();
const gateway = createEventGateway(validator);

const RECORD = {
  event_scope: 'session',
  session_id: 'sess-1',
  pipeline_version: 'pipeline-v1',
  event_id: 'evt/sess-1/sess-1/000001',
  lane: 'DataLane',
  runtime_sequence: 1,
  runtime_timestamp_ms: 10,
  wall_clock_timestamp_ms: 1010,
  payload_class: 'text_raw',
} as const;

const SIGNAL = {
  ...RECORD,
  event_id: 'evt/sess-1/turn-1/000002',
  event_scope: 'turn',
  turn_id: 'turn-1',
  lane: 'ControlLane',
  payload_class: 'metadata',
  authority_epoch: 3,
  signal: 'cancel',
  emitted_by: 'RK-16',
  runtime_sequence: 2,
  transport_sequence: 2,
} as const;

describe('RK-05 gateway', () => {
  it('applies schema_version v1.0 and transport_sequence 0 and accepts valid events', () => {
    const { accepted, rejected } = gateway.admitBatch([RECORD]);
    expect(rejected).toEqual([]);
    expect(accepted).toEqual([{ ...RECORD, schema_version: 'v1.0', transport_sequence: 0 }]);
    expect(validator.validate('event_record', accepted[0])).toEqual({ valid: true });
  });

  it.each([-5, null, undefined])('maps transport_sequence %s to 0', (value) => {
    expect(applyAbiDefaults({ ...RECORD, transport_sequence: value })['transport_sequence']).toBe(
      0,
    );
  });

  it('keeps an explicit schema_version and a valid transport_sequence', () => {
    const doc = applyAbiDefaults({ ...RECORD, schema_version: 'v1.2', transport_sequence: 7 });
    expect(doc).toMatchObject({ schema_version: 'v1.2', transport_sequence: 7 });
  });

  it('defaults a ControlLane signal scope from event_scope', () => {
    expect(SIGNAL).not.toHaveProperty('scope');
    const { accepted } = gateway.admitBatch([SIGNAL]);
    expect(accepted[0]).toMatchObject({ signal: 'cancel', scope: 'turn' });
    expect(validator.validate('control_signal', accepted[0])).toEqual({ valid: true });
    expect(applyAbiDefaults(RECORD)).not.toHaveProperty('scope');
  });

  it('rejects a missing payload_class with pointer, expected and received', () => {
    const { payload_class: _p, ...bare } = RECORD;
    const { accepted, rejected } = gateway.admitBatch([bare]);
    expect(accepted).toEqual([]);
    expect(rejected).toEqual([
      expect.objectContaining({
        index: 0,
        event_id: RECORD.event_id,
        code: 'payload_class_missing',
        pointer: '/payload_class',
        expected: 'a payload class',
        received: '(absent)',
      }),
    ]);
  });

  it('rejects turn scope without turn_id', () => {
    const { rejected } = gateway.admitBatch([
      { ...RECORD, event_scope: 'turn', authority_epoch: 1 },
    ]);
    expect(rejected[0]).toMatchObject({
      code: 'turn_scope_without_turn_id',
      pointer: '/turn_id',
      received: '(absent)',
    });
  });

  it('rejects a contract violation with the validator issue', () => {
    const { rejected } = gateway.admitBatch([{ ...RECORD, lane: 'FastLane' }]);
    expect(rejected[0]).toMatchObject({
      code: 'contract_violation',
      pointer: '/lane',
      received: '"FastLane"',
    });
    expect(rejected[0]?.issues.length).toBeGreaterThan(0);
    expect(rejected[0]?.message).toContain('/lane');
  });

  it('rejects a non-object', () => {
    const { rejected } = gateway.admitBatch(['nope', null, [1]]);
    expect(rejected.map((r) => [r.index, r.code, r.pointer, r.expected])).toEqual([
      [0, 'not_an_object', '', 'an object'],
      [1, 'not_an_object', '', 'an object'],
      [2, 'not_an_object', '', 'an object'],
    ]);
  });

  it('rejects a runtime_sequence regression within a batch and keeps the rest', () => {
    const batch = [
      { ...RECORD, runtime_sequence: 5 },
      { ...RECORD, event_id: 'e2', runtime_sequence: 4 },
      { ...RECORD, event_id: 'e3', runtime_sequence: 5 },
    ];
    const { accepted, rejected } = gateway.admitBatch(batch);
    expect(accepted.map((e) => e.event_id)).toEqual([RECORD.event_id, 'e3']);
    expect(rejected).toEqual([
      expect.objectContaining({
        index: 1,
        code: 'sequence_regression',
        pointer: '/runtime_sequence',
        expected: 'an integer >= 5',
        received: '4',
      }),
    ]);
  });

  it('rejects a transport_sequence regression but ignores null transport sequences', () => {
    const batch = [
      { ...RECORD, runtime_sequence: 1, transport_sequence: 9 },
      { ...RECORD, event_id: 'e2', runtime_sequence: 2, transport_sequence: 3 },
      { ...RECORD, event_id: 'e3', runtime_sequence: 3, transport_sequence: 9 },
    ];
    const { accepted, rejected } = gateway.admitBatch(batch);
    expect(accepted.map((e) => e.event_id)).toEqual([RECORD.event_id, 'e3']);
    expect(rejected[0]).toMatchObject({
      index: 1,
      pointer: '/transport_sequence',
      expected: 'an integer >= 9',
    });
  });

  it('starts every batch afresh', () => {
    gateway.admitBatch([{ ...RECORD, runtime_sequence: 50 }]);
    expect(gateway.admitBatch([RECORD]).rejected).toEqual([]);
  });

  it('does not mutate its input', () => {
    const input = { ...RECORD };
    gateway.admitBatch([input]);
    expect(input).not.toHaveProperty('schema_version');
  });
});
