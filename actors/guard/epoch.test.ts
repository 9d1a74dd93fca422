import { describe, expect, it } from 'vitest';
import { createContractValidator, type EventRecord } from '../../contracts/index.ts';
import {
  checkEgressEpoch,
  checkIngressEpoch,
  enrichEpoch,
  type EpochCarrier,
  type EpochCheck,
} from './epoch.ts';

const validator = createContractValidator();
const OPTIONS = { ordinal: 3, runtime_ms: 50, wall_ms: 1050 };

function event(patch: Partial<EventRecord> = {}): EventRecord {
  return {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: 'sess-1',
    turn_id: 'turn-1',
    pipeline_version: 'pipeline-v1',
    event_id: 'evt/sess-1/turn-1/000009',
    node_id: 'llm',
    lane: 'DataLane',
    transport_sequence: 0,
    runtime_sequence: 9,
    runtime_timestamp_ms: 45,
    wall_clock_timestamp_ms: 1045,
    payload_class: 'text_raw',
    authority_epoch: 5,
    ...patch,
  };
}

function rejected<T extends EpochCarrier>(result: EpochCheck<T>) {
  if (result.accepted) throw new Error('expected a rejection');
  expect(validator.validate('decision_outcome', result.outcome)).toEqual({ valid: true });
  expect(validator.validate('control_signal', result.signal)).toEqual({ valid: true });
  return result;
}

describe('RK-24 epoch checks', () => {
  it('accepts ingress carrying the routing view epoch unchanged', () => {
    const e = event();
    expect(checkIngressEpoch(e, { authority_epoch: 5 }, OPTIONS)).toEqual({
      accepted: true,
      event: e,
      enriched: false,
    });
  });

  it('rejects ingress with another epoch: stale_epoch_reject at a scheduling point', () => {
    const r = rejected(
      checkIngressEpoch(event({ authority_epoch: 4 }), { authority_epoch: 5 }, OPTIONS),
    );
    expect(r.outcome).toEqual({
      outcome_kind: 'stale_epoch_reject',
      phase: 'scheduling_point',
      scope: 'node_dispatch',
      session_id: 'sess-1',
      turn_id: 'turn-1',
      event_id: 'evt/sess-1/turn-1/000003/stale_epoch_reject',
      runtime_timestamp_ms: 50,
      wall_clock_timestamp_ms: 1050,
      emitted_by: 'RK-24',
      authority_epoch: 4,
      reason: 'authority_epoch_mismatch',
    });
    expect(r.signal).toMatchObject({
      signal: 'stale_epoch_reject',
      emitted_by: 'RK-24',
      reason: 'authority_epoch_mismatch',
      event_scope: 'turn',
      authority_epoch: 4,
      node_id: 'llm',
    });
    expect(r.diagnostic).toEqual({
      code: 'stale_epoch',
      direction: 'ingress',
      session_id: 'sess-1',
      event_id: 'evt/sess-1/turn-1/000009',
      expected_epoch: 5,
      received_epoch: 4,
    });
  });

  it('enriches an ingress event without an epoch from the routing view (AE-004)', () => {
    const { authority_epoch: _drop, ...bare } = event({ event_scope: 'session' });
    const r = checkIngressEpoch(bare, { authority_epoch: 5 }, OPTIONS);
    expect(r).toEqual({ accepted: true, event: { ...bare, authority_epoch: 5 }, enriched: true });
    expect(bare).not.toHaveProperty('authority_epoch');
    expect(enrichEpoch(bare, undefined)).toEqual({ event: bare, enriched: false });
  });

  it('rejects egress of an old placement with scope node_dispatch', () => {
    const r = rejected(checkEgressEpoch(event({ authority_epoch: 4 }), 5, OPTIONS));
    expect(r.outcome).toMatchObject({
      phase: 'scheduling_point',
      scope: 'node_dispatch',
      authority_epoch: 4,
    });
    expect(r.diagnostic.direction).toBe('egress');
  });

  it('never enriches egress: an output without an epoch is rejected with epoch 0', () => {
    const { authority_epoch: _drop, ...bare } = event({ event_scope: 'session' });
    const r = rejected(checkEgressEpoch(bare, 5, OPTIONS));
    expect(r.outcome.authority_epoch).toBe(0);
    expect(r.diagnostic.received_epoch).toBeNull();
  });

  it('accepts egress with the authoritative epoch and honours a scheduling scope', () => {
    expect(checkEgressEpoch(event(), 5, OPTIONS).accepted).toBe(true);
    const r = rejected(
      checkEgressEpoch(event({ authority_epoch: 6 }), 5, { ...OPTIONS, scope: 'edge_enqueue' }),
    );
    expect(r.outcome.scope).toBe('edge_enqueue');
  });

  it('scopes the signal to the session for a session event', () => {
    const { turn_id: _t, ...session } = event({ event_scope: 'session', authority_epoch: 1 });
    const r = rejected(checkIngressEpoch(session, { authority_epoch: 2 }, OPTIONS));
    expect(r.signal.event_scope).toBe('session');
    expect(r.outcome).not.toHaveProperty('turn_id');
  });
});
