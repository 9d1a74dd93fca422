/**
 * RK-19 determinism service: the DeterminismContext frozen into every plan. The seed is
 * abs(first 8 bytes of SHA-256(`<plan_hash>|<authority_epoch>`) read as a signed big-endian
 * int64), computed exactly with BigInt; the plan carries it reduced to its low 53 bits so that it
 * is an exact JSON integer (ADR 0007). The exact decimal is kept as evidence.
 */
import { hash } from 'node:crypto';
import type { ResolvedTurnPlan } from '../../contracts/internal.ts';

/** The plan's `determinism` block. */
export type DeterminismContext = ResolvedTurnPlan['determinism'];

/** Ordering markers of every plan: `runtime_sequence`, then `event_id`. */
export const ORDERING_MARKERS = ['runtime_sequence', 'event_id'] as const;

/** Merge rule id and version of every plan. */
export const MERGE_RULE = { id: 'default-merge-rule', version: 'v1.0.0' } as const;

/** 2^53 - 1: the mask of the documented seed reduction (equals `Number.MAX_SAFE_INTEGER`). */
export const SEED_MASK = (1n << 53n) - 1n;

/** The seed as computed (exact) and as frozen into the plan (safe). */
export type SeedDerivation = {
  /** abs(signed big-endian int64 of the first 8 digest bytes), in [0, 2^63]. */
  readonly exact: bigint;
  /** `exact & (2^53 - 1)`: identical to `exact` whenever `exact` is a safe integer. */
  readonly seed: number;
};

/** The seed of a digest: abs of its first 8 bytes as a signed big-endian int64, then reduced. */
export function seedFromDigest(digest: Uint8Array): SeedDerivation {
  const view = new DataView(digest.buffer, digest.byteOffset, digest.byteLength);
  const signed = view.getBigInt64(0, false);
  // abs(-2^63) = 2^63 does not fit an int64 but is exact as a BigInt.
  const exact = signed < 0n ? -signed : signed;
  return { exact, seed: Number(exact & SEED_MASK) };
}

/** Derives the RK-19 seed of a plan hash and authority epoch. */
export function deriveSeed(plan_hash: string, authority_epoch: number): SeedDerivation {
  return seedFromDigest(hash('sha256', `${plan_hash}|${authority_epoch}`, 'buffer'));
}

/** Evidence of the seed derivation, for OR-02 records that must explain the plan's seed. */
export type DeterminismEvidence = {
  readonly seed_input: string;
  /** Exact decimal of {@link SeedDerivation.exact}. */
  readonly seed_exact: string;
  readonly seed_rule: 'abs_int64_be_low53';
};

/** The DeterminismContext (and its seed evidence) of a plan hash and authority epoch. */
export function determinismContext(
  plan_hash: string,
  authority_epoch: number,
): { readonly context: DeterminismContext; readonly evidence: DeterminismEvidence } {
  const { exact, seed } = deriveSeed(plan_hash, authority_epoch);
  return {
    context: {
      seed,
      ordering_markers: [...ORDERING_MARKERS],
      merge_rule_id: MERGE_RULE.id,
      merge_rule_version: MERGE_RULE.version,
      nondeterministic_inputs: [
        { input_key: 'plan_hash', source: 'other', evidence_ref: plan_hash },
      ],
    },
    evidence: {
      seed_input: `${plan_hash}|${authority_epoch}`,
      seed_exact: exact.toString(10),
      seed_rule: 'abs_int64_be_low53',
    },
  };
}
