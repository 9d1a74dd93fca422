import { describe, expect, it } from 'vitest';
import {
  checkRollout,
  resolveRollout,
  rolloutBucket,
  ROLLOUT_BUCKETS,
  type RolloutConfig,
} from './rollout.ts';

const CONFIG: RolloutConfig = {
  default_version: 'v1',
  rules: [
    { tenant_id: 'acme', pipeline_version: 'v3' },
    { percent: 10, pipeline_version: 'v2' },
    { percent: 25, pipeline_version: 'v3' },
  ],
};

describe('rolloutBucket', () => {
  it('is a stable function of the session id and the salt', () => {
    expect(rolloutBucket('sess-1')).toBe(rolloutBucket('sess-1'));
    // Pinned: a change of hash or slicing would move every live session to another version.
    expect(rolloutBucket('sess-1')).toBe(292);
    expect(rolloutBucket('sess-1', 'exp-2')).toBe(5483);
    const ids = Array.from({ length: 200 }, (_, i) => `sess-${String(i)}`);
    expect(ids.every((id) => rolloutBucket(id) >= 0 && rolloutBucket(id) < ROLLOUT_BUCKETS)).toBe(
      true,
    );
    const moved = ids.filter((id) => rolloutBucket(id) !== rolloutBucket(id, 'exp-2'));
    expect(moved.length).toBeGreaterThan(150);
  });
});

describe('resolveRollout (CP-09)', () => {
  it('gives a session the same version every time, whatever else was resolved before', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `sess-${String(i)}`);
    const first = ids.map((session_id) => resolveRollout(CONFIG, { session_id }));
    const again = [...ids].reverse().map((session_id) => resolveRollout(CONFIG, { session_id }));
    expect(again.reverse()).toEqual(first);
  });

  it('splits sessions by the declared percentages', () => {
    const counts: Record<string, number> = {};
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const { pipeline_version } = resolveRollout(CONFIG, { session_id: `session-${String(i)}` });
      counts[pipeline_version] = (counts[pipeline_version] ?? 0) + 1;
    }
    expect(Math.abs((counts['v2'] ?? 0) / n - 0.1)).toBeLessThan(0.01);
    expect(Math.abs((counts['v3'] ?? 0) / n - 0.25)).toBeLessThan(0.015);
    expect(Math.abs((counts['v1'] ?? 0) / n - 0.65)).toBeLessThan(0.015);
  });

  it('maps buckets to consecutive slices, in declared order', () => {
    const find = (test: (bucket: number) => boolean) => {
      for (let i = 0; ; i++) if (test(rolloutBucket(`s-${String(i)}`))) return `s-${String(i)}`;
    };
    expect(resolveRollout(CONFIG, { session_id: find((b) => b < 1000) })).toMatchObject({
      pipeline_version: 'v2',
      reason: 'percent',
      rule: 1,
    });
    expect(
      resolveRollout(CONFIG, { session_id: find((b) => b >= 1000 && b < 3500) }),
    ).toMatchObject({
      pipeline_version: 'v3',
      rule: 2,
    });
    expect(resolveRollout(CONFIG, { session_id: find((b) => b >= 3500) })).toMatchObject({
      pipeline_version: 'v1',
      reason: 'default',
    });
  });

  it('gives a tenant rule precedence over percentages', () => {
    const session_id = 'sess-x';
    expect(resolveRollout(CONFIG, { session_id, tenant_id: 'acme' })).toMatchObject({
      pipeline_version: 'v3',
      reason: 'tenant',
      rule: 0,
    });
    expect(resolveRollout(CONFIG, { session_id, tenant_id: 'other' }).reason).not.toBe('tenant');
  });
});

describe('checkRollout', () => {
  it('accepts a rollout of registered versions', () => {
    expect(checkRollout(CONFIG, ['v1', 'v2', 'v3'])).toEqual({ ok: true, value: CONFIG });
  });

  it('names each broken field, what it expected and what it received', () => {
    const bad: RolloutConfig = {
      default_version: 'v0',
      rules: [
        { percent: 0, pipeline_version: 'v2' },
        { percent: 0.001, pipeline_version: 'v2' },
        { percent: 70, pipeline_version: 'v9' },
        { percent: 40, pipeline_version: 'v2' },
        { tenant_id: 'a', pipeline_version: 'v2' },
        { tenant_id: 'a', pipeline_version: 'v2' },
      ],
    };
    const result = checkRollout(bad, ['v1', 'v2']);
    expect(result.ok ? [] : result.issues.map((i) => `${i.pointer}: ${i.received}`)).toEqual([
      '/default_version: "v0"',
      '/rules/0/percent: 0',
      '/rules/1/percent: 0.001',
      '/rules/2/pipeline_version: "v9"',
      '/rules/3/percent: a total of 110',
      '/rules/5/tenant_id: "a"',
    ]);
    expect(!result.ok && result.issues[0]?.message).toBe(
      '/default_version: invalid_rollout: expected a registered version (v1, v2), received "v0"',
    );
  });
});
