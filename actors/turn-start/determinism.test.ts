import { describe, expect, it } from 'vitest';
import {
  MERGE_RULE,
  ORDERING_MARKERS,
  SEED_MASK,
  deriveSeed,
  determinismContext,
  seedFromDigest,
} from './determinism.ts';

// plan_hash of turn-1|pipeline-v1|graph/default|simple|7 (checked in plan.test.ts); the
// expected seeds were computed independently (Python: struct.unpack('>q', sha256(...)[:8])).
const HASH = '31a7a773f39bb0567b541e025d990e0086ca1dc44d69ec5fad39768ee3bef2b6';

describe('deriveSeed (RK-19)', () => {
  it('computes abs(int64 BE of the first 8 digest bytes) exactly as a BigInt', () => {
    const { exact, seed } = deriveSeed(HASH, 7);
    expect(exact).toBe(5795783607045660253n);
    expect(exact > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    // Plan value: the low 53 bits of the exact value.
    expect(seed).toBe(4154486247202397);
    expect(Number.isSafeInteger(seed)).toBe(true);
  });

  it('takes the absolute value of a negative int64', () => {
    const { exact, seed } = deriveSeed(HASH, 3);
    expect(exact).toBe(5529697358843600817n);
    expect(seed).toBe(8284215687372721);
  });

  it('depends on the authority epoch', () => {
    expect(deriveSeed(HASH, 7).exact).not.toBe(deriveSeed(HASH, 8).exact);
  });

  it('maps -2^63 to 2^63 exactly and to 0 in the plan', () => {
    const digest = new Uint8Array(32);
    digest[0] = 0x80;
    expect(seedFromDigest(digest)).toEqual({ exact: 1n << 63n, seed: 0 });
  });

  it('keeps a value that is already a safe integer unchanged', () => {
    const digest = new Uint8Array(32);
    digest.set([0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(seedFromDigest(digest)).toEqual({ exact: SEED_MASK, seed: Number.MAX_SAFE_INTEGER });
  });

  it('reads the first 8 bytes of a subarray view, not of its buffer', () => {
    const backing = new Uint8Array(40);
    backing[8] = 0x01;
    expect(seedFromDigest(backing.subarray(8)).exact).toBe(1n << 56n);
  });
});

describe('determinismContext (RK-19)', () => {
  it('fixes markers, merge rule and the plan_hash nondeterministic input', () => {
    const { context, evidence } = determinismContext(HASH, 7);
    expect(context).toEqual({
      seed: 4154486247202397,
      ordering_markers: ['runtime_sequence', 'event_id'],
      merge_rule_id: 'default-merge-rule',
      merge_rule_version: 'v1.0.0',
      nondeterministic_inputs: [{ input_key: 'plan_hash', source: 'other', evidence_ref: HASH }],
    });
    expect(evidence).toEqual({
      seed_input: `${HASH}|7`,
      seed_exact: '5795783607045660253',
      seed_rule: 'abs_int64_be_low53',
    });
    expect(ORDERING_MARKERS).toEqual(['runtime_sequence', 'event_id']);
    expect(MERGE_RULE).toEqual({ id: 'default-merge-rule', version: 'v1.0.0' });
  });

  it('returns equal contexts for equal inputs', () => {
    expect(determinismContext(HASH, 7)).toEqual(determinismContext(HASH, 7));
  });
});
