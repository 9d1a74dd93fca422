import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import type { PayloadClass } from '../../contracts/internal.ts';
import type { EvidenceRequested } from '../../machines/index.ts';
import { buildBaselineRecord, factsFromEvidenceRequest, type BaselineFacts } from './baseline.ts';
import { OR02_REDACTION_DEFAULTS, redactionDecisions } from './redaction.ts';
import {
  attempt,
  commitFacts,
  EPOCH,
  PLAN_HASH,
  PROVENANCE,
  SESSION,
  turnFacts,
} from './test-facts.ts';

const validator = createContractValidator();

function pointers(facts: BaselineFacts): string[] {
  const verdict = validator.validate('baseline_evidence', buildBaselineRecord(facts));
  return verdict.valid ? [] : verdict.issues.map((i) => `${i.pointer} ${i.rule}`);
}

describe('buildBaselineRecord', () => {
  it('assembles a contract-valid record from complete facts', () => {
    const record = buildBaselineRecord(commitFacts());
    expect(validator.validate('baseline_evidence', record)).toEqual({ valid: true });
    expect(record).toMatchObject({
      session_id: SESSION,
      turn_id: 'turn-1',
      plan_hash: PLAN_HASH,
      snapshot_provenance: PROVENANCE,
      authority_epoch: EPOCH,
      terminal_outcome: 'commit',
      close_emitted: true,
      turn_open_proposed_at_ms: 10,
      turn_open_at_ms: 20,
      first_output_at_ms: 45,
      accepted_stale_epoch_output: false,
      migration_markers: [],
    });
    expect(record).not.toHaveProperty('terminal_reason');
    expect(record).not.toHaveProperty('cancel_accepted_at_ms');
  });

  it('applies the L0 defaults: one decision per distinct tag, raw text and PII hashed', () => {
    const record = buildBaselineRecord({
      ...commitFacts(),
      payload_tags: ['audio_raw', 'text_raw', 'PII', 'PHI', 'derived_summary', 'metadata', 'PII'],
    });
    expect(record.payload_tags).toEqual([
      'audio_raw',
      'text_raw',
      'PII',
      'PHI',
      'derived_summary',
      'metadata',
    ]);
    expect(record.redaction_decisions).toEqual([
      { payload_class: 'audio_raw', action: 'drop' },
      { payload_class: 'text_raw', action: 'hash' },
      { payload_class: 'PII', action: 'hash' },
      { payload_class: 'PHI', action: 'drop' },
      { payload_class: 'derived_summary', action: 'allow' },
      { payload_class: 'metadata', action: 'allow' },
    ]);
    expect(validator.validate('baseline_evidence', record)).toEqual({ valid: true });
  });

  it('uses the table of the requested level', () => {
    const tags: PayloadClass[] = ['audio_raw', 'text_raw', 'PHI'];
    expect(redactionDecisions(tags, 'L1').map((d) => d.action)).toEqual(['mask', 'mask', 'hash']);
    expect(redactionDecisions(tags, 'L2').map((d) => d.action)).toEqual(['hash', 'mask', 'hash']);
    const record = buildBaselineRecord({ ...commitFacts(), recording_level: 'L2' });
    expect(record.redaction_decisions).toEqual(
      (['text_raw', 'metadata', 'PII'] as const).map((c) => ({
        payload_class: c,
        action: OR02_REDACTION_DEFAULTS.L2[c],
      })),
    );
  });

  it('records an abort with its reason and complete cancel markers', () => {
    const record = buildBaselineRecord({
      ...commitFacts(),
      terminal: { signal: 'abort', reason: 'cancelled' },
      cancel_accepted_at_ms: 30,
      cancel_fence_applied_at_ms: 31,
      cancel_sent_at_ms: 32,
      cancel_ack_at_ms: null,
    });
    expect(record).toMatchObject({ terminal_outcome: 'abort', terminal_reason: 'cancelled' });
    expect(record).not.toHaveProperty('cancel_ack_at_ms');
    expect(validator.validate('baseline_evidence', record)).toEqual({ valid: true });
  });

  it.each<[string, Partial<Record<keyof BaselineFacts, unknown>>, string]>([
    ['plan hash', { plan_hash: null }, '/plan_hash required'],
    ['snapshot provenance', { snapshot_provenance: null }, '/snapshot_provenance required'],
    ['determinism seed', { determinism_seed: null }, '/determinism_seed required'],
    ['decision outcomes', { decision_outcomes: [] }, '/decision_outcomes minItems'],
    ['ordering markers', { ordering_markers: [] }, '/ordering_markers minItems'],
    ['payload tags', { payload_tags: [] }, '/payload_tags minItems'],
    ['close', { close_emitted: false }, '/close_emitted const'],
    ['session id', { session_id: undefined }, '/session_id required'],
    ['merge rule', { merge_rule_id: undefined }, '/merge_rule_id required'],
    ['terminal', { terminal: undefined }, '/terminal_outcome required'],
    ['envelope snapshot', { envelope_snapshot: '' }, '/envelope_snapshot minLength'],
    ['cancel fence marker', { cancel_accepted_at_ms: 30 }, '/cancel_fence_applied_at_ms required'],
  ])('yields an invalid record when the %s fact is missing', (_name, change, expected) => {
    expect(validator.validate('baseline_evidence', buildBaselineRecord(commitFacts())).valid).toBe(
      true,
    );
    expect(pointers({ ...commitFacts(), ...change } as BaselineFacts)).toContain(expected);
  });

  it('promotes attempts when the turn gave no invocation outcomes, else keeps the outcomes', () => {
    const promoted = buildBaselineRecord({
      ...commitFacts(),
      invocation_attempts: [attempt('turn-1', 'inv-1', 1, 50), attempt('turn-1', 'inv-1', 2, 90)],
    });
    expect(promoted.invocation_outcomes).toEqual([
      expect.objectContaining({ provider_invocation_id: 'inv-1', attempt_count: 2 }),
    ]);
    const given = {
      provider_invocation_id: 'inv-9',
      modality: 'tts',
      provider_id: 'sim-tts',
      outcome_class: 'success',
      retryable: false,
      retry_decision: 'none',
      attempt_count: 1,
      final_attempt_latency_ms: 5,
      total_invocation_latency_ms: 5,
    } as const;
    const kept = buildBaselineRecord({ ...commitFacts(), invocation_outcomes: [given] });
    expect(kept.invocation_outcomes).toEqual([given]);
  });

  it('serializes an envelope object with sorted keys, whatever its key order', () => {
    const a = buildBaselineRecord({
      ...commitFacts(),
      envelope_snapshot: { session_id: SESSION, lane: 'DataLane' },
    });
    const b = buildBaselineRecord({
      ...commitFacts(),
      envelope_snapshot: { lane: 'DataLane', session_id: SESSION },
    });
    expect(a.envelope_snapshot).toBe('{"lane":"DataLane","session_id":"sess-1"}');
    expect(b.envelope_snapshot).toBe(a.envelope_snapshot);
  });
});

describe('factsFromEvidenceRequest', () => {
  const request: EvidenceRequested = {
    type: 'evidence.requested',
    request_id: 'turn-1/evidence/2',
    session_id: SESSION,
    turn_id: 'turn-1',
    authority_epoch: EPOCH,
    plan_hash: PLAN_HASH,
    terminal: { signal: 'abort', reason: 'cancelled' },
    turn_open_proposed_at_ms: 10,
    turn_open_at_ms: 20,
    cancel_accepted_at_ms: 30,
    at_ms: 30,
    wall_ms: 1030,
  };

  it('takes identity, epoch, plan, terminal and lifecycle markers from the request', () => {
    const facts = factsFromEvidenceRequest(request, {
      ...turnFacts('turn-1'),
      cancel_fence_applied_at_ms: 30,
      cancel_sent_at_ms: 30,
    });
    expect(facts).toMatchObject({
      session_id: SESSION,
      turn_id: 'turn-1',
      event_id: `evt/${SESSION}/turn-1/evidence/2`,
      authority_epoch: EPOCH,
      plan_hash: PLAN_HASH,
      terminal: { signal: 'abort', reason: 'cancelled' },
      close_emitted: true,
      turn_open_proposed_at_ms: 10,
      turn_open_at_ms: 20,
      cancel_accepted_at_ms: 30,
    });
    const record = buildBaselineRecord(facts);
    expect(validator.validate('baseline_evidence', record)).toEqual({ valid: true });
  });

  it('leaves an unknown plan hash out, so the record is incomplete', () => {
    const facts = factsFromEvidenceRequest(
      { ...request, plan_hash: null, terminal: { signal: 'commit' }, cancel_accepted_at_ms: null },
      turnFacts('turn-1'),
    );
    expect(pointers(facts)).toEqual(['/plan_hash required']);
    expect(buildBaselineRecord(facts)).not.toHaveProperty('plan_hash');
  });
});
