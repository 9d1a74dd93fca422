import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { ARTIFACT_NAMES, SEMANTIC_RULES } from '../../contracts/internal.ts';
import { loadExpectedIssues, loadFixtures } from './fixture-tree.ts';

const validator = createContractValidator();
const fixtures = loadFixtures();
const expected = loadExpectedIssues();
const valid = fixtures.filter((f) => f.kind === 'valid');
const invalid = fixtures.filter((f) => f.kind === 'invalid');

// The "Invalid contract fixtures cover" list of spec/gates.md, mapped to the fixture for each.
const GATES_LIST = {
  'abort without reason': 'control_signal/invalid/abort-without-reason.json',
  'credit_grant without amount': 'control_signal/invalid/credit_grant-without-amount.json',
  'discontinuity without sync_domain':
    'control_signal/invalid/discontinuity-without-sync_domain.json',
  'drop_notice without seq_range': 'control_signal/invalid/drop_notice-without-seq_range.json',
  'unknown emitter': 'control_signal/invalid/unknown-emitter.json',
  'lease_rotated from RK-24': 'control_signal/invalid/lease_rotated-from-RK-24.json',
  'shed without reason': 'control_signal/invalid/shed-without-reason.json',
  'watermark without edge_id': 'control_signal/invalid/watermark-without-edge_id.json',
  'admit from RK-24 (signal)': 'control_signal/invalid/admit-from-RK-24.json',
  'admit from RK-24 (outcome)': 'decision_outcome/invalid/admit-from-rk24.json',
  'shed in pre_turn': 'decision_outcome/invalid/shed-in-pre-turn.json',
  'event without lane': 'event_record/invalid/event-without-lane.json',
  'plan without snapshot_provenance':
    'resolved_turn_plan/invalid/plan-without-snapshot-provenance.json',
  'Idle -turn_open-> Active': 'turn_transition/invalid/Idle-turn_open-Active.json',
} as const;

describe('contract fixture tree', () => {
  it('has valid and invalid fixtures for every artifact', () => {
    for (const artifact of ARTIFACT_NAMES) {
      expect(
        valid.some((f) => f.artifact === artifact),
        `${artifact} valid`,
      ).toBe(true);
      expect(
        invalid.some((f) => f.artifact === artifact),
        `${artifact} invalid`,
      ).toBe(true);
    }
  });

  it('has an expectation for every invalid fixture and a fixture for every expectation', () => {
    expect(Object.keys(expected).sort()).toEqual(invalid.map((f) => f.id).sort());
  });

  it('breaks every semantic rule in some invalid fixture', () => {
    const broken = new Set(Object.values(expected).flatMap((issues) => issues.map((i) => i.rule)));
    for (const rule of Object.values(SEMANTIC_RULES)) expect(broken.has(rule), rule).toBe(true);
  });

  it('covers the invalid-fixture list of gates.md', () => {
    const ids = new Set(invalid.map((f) => f.id));
    for (const [rule, id] of Object.entries(GATES_LIST)) expect(ids.has(id), rule).toBe(true);
  });
});

describe.each(valid.map((f) => [f.id, f] as const))('valid fixture %s', (_id, fixture) => {
  it('passes its artifact', () => {
    expect(validator.validate(fixture.artifact, fixture.doc)).toEqual({ valid: true });
  });

  it('is matched as its artifact', () => {
    expect(validator.match(fixture.doc)).toEqual({ artifact: fixture.artifact });
  });
});

describe.each(invalid.map((f) => [f.id, f] as const))('invalid fixture %s', (id, fixture) => {
  it('fails its artifact for exactly the rule it is named after', () => {
    const result = validator.validate(fixture.artifact, fixture.doc);
    expect(result.valid).toBe(false);
    const issues = result.valid ? [] : result.issues;
    expect(issues.map(({ pointer, rule }) => ({ pointer, rule }))).toEqual(expected[id]);
    for (const issue of issues) {
      expect(issue.message).toContain(issue.pointer === '' ? '(root)' : issue.pointer);
      expect(issue.message).toContain(issue.rule);
    }
  });

  it('matches no artifact at all', () => {
    // `rspp validate-contracts test/fixtures/contracts` (union mode) must report every invalid
    // fixture invalid, so none may be a valid document of another artifact either.
    expect(validator.match(fixture.doc).artifact).toBeNull();
  });
});
