/**
 * CP-09 rollout: which registered pipeline version a new session gets. Tenant rules come first
 * (the first rule naming the session's tenant wins); then percentage rules take consecutive
 * slices of 10 000 buckets, in declared order; the rest get the default version. The bucket is a
 * stable hash of the session id (and an optional salt), so a session gets the same version on
 * every worker and on replay, and no clock or random source is read.
 */
import { sha256Hex } from '../identity/ids.ts';
import {
  pipelineIssue,
  quote,
  refused,
  type PipelineIssue,
  type PipelineResult,
} from './issues.ts';

/** Sessions of one tenant get a version. */
type TenantRule = { readonly tenant_id: string; readonly pipeline_version: string };

/** A share of sessions (0.01 to 100 percent, two decimals at most) gets a version. */
type PercentRule = { readonly percent: number; readonly pipeline_version: string };

/** One rollout rule. */
type RolloutRule = TenantRule | PercentRule;

/** A rollout: its rules and the version everyone else gets. */
export type RolloutConfig = {
  readonly default_version: string;
  readonly rules?: readonly RolloutRule[];
  /** Changes every session's bucket (start a new experiment); default none. */
  readonly salt?: string;
};

/** Which version a session gets and why. */
export type RolloutDecision = {
  readonly pipeline_version: string;
  readonly reason: 'tenant' | 'percent' | 'default';
  /** Index of the deciding rule, when a rule decided. */
  readonly rule?: number;
  /** The session's bucket in [0, 10 000). */
  readonly bucket: number;
};

/** Number of buckets: percentages have a resolution of 0.01. */
export const ROLLOUT_BUCKETS = 10_000;

/** The session's bucket: the first 32 bits of SHA-256(`<salt>|<session_id>`), mod 10 000. */
export function rolloutBucket(session_id: string, salt = ''): number {
  return Number.parseInt(sha256Hex(`${salt}|${session_id}`).slice(0, 8), 16) % ROLLOUT_BUCKETS;
}

const isTenantRule = (rule: RolloutRule): rule is TenantRule => 'tenant_id' in rule;

/** Checks a rollout against the registered versions; every issue names its pointer. */
export function checkRollout(
  config: RolloutConfig,
  versions: readonly string[],
): PipelineResult<RolloutConfig> {
  const issues: PipelineIssue[] = [];
  const known = `a registered version (${versions.join(', ')})`;
  if (!versions.includes(config.default_version))
    issues.push(
      pipelineIssue('invalid_rollout', '/default_version', known, quote(config.default_version)),
    );
  let total = 0;
  const tenants = new Set<string>();
  (config.rules ?? []).forEach((rule, i) => {
    const at = `/rules/${String(i)}`;
    if (!versions.includes(rule.pipeline_version))
      issues.push(
        pipelineIssue(
          'invalid_rollout',
          `${at}/pipeline_version`,
          known,
          quote(rule.pipeline_version),
        ),
      );
    if (isTenantRule(rule)) {
      if (rule.tenant_id.trim() === '' || tenants.has(rule.tenant_id)) {
        const expected = 'a non-empty tenant id named by no earlier rule';
        issues.push(
          pipelineIssue('invalid_rollout', `${at}/tenant_id`, expected, quote(rule.tenant_id)),
        );
      }
      tenants.add(rule.tenant_id);
      return;
    }
    const slice = rule.percent * 100;
    if (!(rule.percent > 0 && rule.percent <= 100) || Math.abs(slice - Math.round(slice)) > 1e-9) {
      const expected = 'a percentage in (0, 100] with at most two decimals';
      issues.push(
        pipelineIssue('invalid_rollout', `${at}/percent`, expected, String(rule.percent)),
      );
      return;
    }
    total += Math.round(slice);
    if (total > ROLLOUT_BUCKETS) {
      const expected = 'percentages adding up to at most 100';
      issues.push(
        pipelineIssue(
          'invalid_rollout',
          `${at}/percent`,
          expected,
          `a total of ${String(total / 100)}`,
        ),
      );
    }
  });
  return issues.length > 0 ? refused(issues) : { ok: true, value: config };
}

/** The version a new session gets (the config checked by {@link checkRollout}). */
export function resolveRollout(
  config: RolloutConfig,
  session: { readonly session_id: string; readonly tenant_id?: string | undefined },
): RolloutDecision {
  const bucket = rolloutBucket(session.session_id, config.salt);
  const rules = config.rules ?? [];
  const tenant = rules.findIndex((r) => isTenantRule(r) && r.tenant_id === session.tenant_id);
  const byTenant = rules[tenant];
  if (session.tenant_id !== undefined && byTenant !== undefined)
    return { pipeline_version: byTenant.pipeline_version, reason: 'tenant', rule: tenant, bucket };
  let upper = 0;
  for (const [i, rule] of rules.entries()) {
    if (isTenantRule(rule)) continue;
    upper += Math.round(rule.percent * 100);
    if (bucket < upper)
      return { pipeline_version: rule.pipeline_version, reason: 'percent', rule: i, bucket };
  }
  return { pipeline_version: config.default_version, reason: 'default', bucket };
}
