import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import type { StampContext } from '../identity/stamp.ts';
import {
  cpAdmissionOutcome,
  resolveCpAdmission,
  resolveLease,
  resolvePolicy,
  resolveProviderHealth,
  resolveRoutingView,
} from './cp-runtime.ts';

const validator = createContractValidator();
const SESSION = { session_id: 'sess-1', admission_policy_snapshot: 'admission-policy/v1' };

describe('resolveRoutingView (CP-08)', () => {
  it('defaults to routing-view/v1, admission-policy/v1, abi-compat/v1', () => {
    expect(resolveRoutingView(undefined)).toEqual({
      ok: true,
      value: {
        routing_view_snapshot: 'routing-view/v1',
        admission_policy_snapshot: 'admission-policy/v1',
        abi_compatibility_snapshot: 'abi-compat/v1',
      },
      defaulted: false,
    });
    expect(resolveRoutingView({ status: 'error' })).toMatchObject({ ok: true, defaulted: true });
  });

  it('exposes the routing view epoch and refs', () => {
    const read = {
      status: 'ok',
      value: { routing_view_snapshot: 'rv/3', authority_epoch: 9 },
    } as const;
    expect(resolveRoutingView(read)).toMatchObject({
      value: { routing_view_snapshot: 'rv/3', authority_epoch: 9 },
    });
  });

  it('fails on a stale snapshot', () => {
    expect(resolveRoutingView({ status: 'stale' })).toMatchObject({
      failure: { module: 'CP-08', code: 'stale_snapshot' },
    });
  });
});

describe('resolveProviderHealth (CP-10)', () => {
  it('defaults to provider-health/v1 and keeps a backend ref', () => {
    expect(resolveProviderHealth(undefined)).toMatchObject({
      value: { provider_health_snapshot: 'provider-health/v1' },
    });
    const read = { status: 'ok', value: { provider_health_snapshot: 'ph/4' } } as const;
    expect(resolveProviderHealth(read)).toMatchObject({
      value: { provider_health_snapshot: 'ph/4' },
    });
    expect(resolveProviderHealth({ status: 'stale' })).toMatchObject({
      failure: { module: 'CP-10', code: 'stale_snapshot' },
    });
  });
});

describe('resolvePolicy (CP-04)', () => {
  it('defaults to retry, provider_switch, fallback', () => {
    expect(resolvePolicy(undefined, 'provider-health/v1')).toEqual({
      ok: true,
      value: {
        policy_resolution_snapshot: 'policy-resolution/v1',
        provider_health_snapshot: 'provider-health/v1',
        allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
        provider_bindings: { stt: 'stt-deepgram', llm: 'llm-anthropic', tts: 'tts-elevenlabs' },
      },
      defaulted: false,
    });
  });

  it('dedupes and orders retry, provider_switch, degrade, fallback', () => {
    const read = {
      status: 'ok',
      value: {
        allowed_adaptive_actions: ['fallback', 'degrade', 'fallback', 'provider_switch', 'retry'],
      },
    } as const;
    expect(resolvePolicy(read, 'ph')).toMatchObject({
      value: { allowed_adaptive_actions: ['retry', 'provider_switch', 'degrade', 'fallback'] },
    });
  });

  it('falls back to the defaults on a backend error and fails when stale', () => {
    expect(resolvePolicy({ status: 'error' }, 'ph')).toMatchObject({
      defaulted: true,
      value: { allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'] },
    });
    expect(resolvePolicy({ status: 'stale' }, 'ph')).toMatchObject({
      failure: { module: 'CP-04', code: 'stale_snapshot' },
    });
  });
});

describe('resolveLease (CP-07)', () => {
  const lease = (value: object, requested = 5) =>
    resolveLease(
      { status: 'ok', value },
      { session_id: 'sess-1', requested_authority_epoch: requested },
    );

  it('authorizes the requested epoch by default (lease-resolution/v1)', () => {
    expect(resolveLease(undefined, { session_id: 's', requested_authority_epoch: 5 })).toEqual({
      ok: true,
      value: {
        lease_resolution_snapshot: 'lease-resolution/v1',
        authority_epoch: 5,
        authority_epoch_valid: true,
        authority_authorized: true,
        reason: 'lease_authorized',
      },
      defaulted: false,
    });
  });

  it('adopts a newer lease epoch', () => {
    expect(lease({ authority_epoch: 6 })).toMatchObject({
      value: { authority_epoch: 6, authority_epoch_valid: true, reason: 'lease_authorized' },
    });
  });

  it('reports lease_stale_epoch when invalid or when the lease epoch goes backwards', () => {
    expect(lease({ authority_epoch_valid: false })).toMatchObject({
      value: { authority_epoch_valid: false, reason: 'lease_stale_epoch' },
    });
    expect(lease({ authority_epoch: 4 })).toMatchObject({
      value: { authority_epoch: 4, authority_epoch_valid: false, reason: 'lease_stale_epoch' },
    });
  });

  it('reports lease_deauthorized', () => {
    expect(lease({ authority_authorized: false })).toMatchObject({
      value: {
        authority_epoch_valid: true,
        authority_authorized: false,
        reason: 'lease_deauthorized',
      },
    });
  });

  it.each([
    [{ session_id: '', requested_authority_epoch: 1 }, {}],
    [{ session_id: 's', requested_authority_epoch: -1 }, {}],
    [{ session_id: 's', requested_authority_epoch: 1 }, { authority_epoch: 2.5 }],
  ])('reports lease_invalid_input for %o', (input, value) => {
    expect(resolveLease({ status: 'ok', value }, input)).toMatchObject({
      ok: true,
      value: {
        authority_epoch: 0,
        authority_epoch_valid: false,
        authority_authorized: false,
        reason: 'lease_invalid_input',
      },
    });
  });

  it('falls back to the defaults on a backend error and fails when stale', () => {
    const input = { session_id: 's', requested_authority_epoch: 3 };
    expect(resolveLease({ status: 'error' }, input)).toMatchObject({
      defaulted: true,
      value: { authority_epoch: 3, reason: 'lease_authorized' },
    });
    expect(resolveLease({ status: 'stale' }, input)).toMatchObject({
      failure: { module: 'CP-07', code: 'stale_snapshot' },
    });
  });
});

describe('resolveCpAdmission (CP-05)', () => {
  const admit = (value: object, extra: object = {}) =>
    resolveCpAdmission({ status: 'ok', value }, { ...SESSION, ...extra });

  it('admits by default with cp_admission_allowed, scope session', () => {
    expect(resolveCpAdmission(undefined, SESSION)).toEqual({
      ok: true,
      value: {
        admission_policy_snapshot: 'admission-policy/v1',
        outcome_kind: 'admit',
        scope: 'session',
        reason: 'cp_admission_allowed',
      },
      defaulted: false,
    });
  });

  it('uses scope tenant when a tenant is known', () => {
    expect(admit({}, { tenant_id: 'acme' })).toMatchObject({ value: { scope: 'tenant' } });
  });

  it('gives reject and defer their default reasons', () => {
    expect(admit({ outcome_kind: 'reject' })).toMatchObject({
      value: { outcome_kind: 'reject', reason: 'cp_admission_reject_policy' },
    });
    expect(admit({ outcome_kind: 'defer' })).toMatchObject({
      value: { outcome_kind: 'defer', reason: 'cp_admission_defer_capacity' },
    });
    expect(admit({ outcome_kind: 'defer', reason: 'quota' })).toMatchObject({
      value: { reason: 'quota' },
    });
  });

  it('rejects an unknown kind or a missing session with cp_admission_invalid_input', () => {
    expect(admit({ outcome_kind: 'maybe' })).toMatchObject({
      value: { outcome_kind: 'reject', reason: 'cp_admission_invalid_input' },
    });
    expect(admit({}, { session_id: '' })).toMatchObject({
      value: { outcome_kind: 'reject', reason: 'cp_admission_invalid_input' },
    });
  });

  it('falls back to admit on a backend error and fails when stale', () => {
    expect(resolveCpAdmission({ status: 'error' }, SESSION)).toMatchObject({
      defaulted: true,
      value: { outcome_kind: 'admit' },
    });
    expect(resolveCpAdmission({ status: 'stale' }, SESSION)).toMatchObject({
      failure: { module: 'CP-05', code: 'stale_snapshot' },
    });
  });

  it('builds contract-valid CP-05 decision outcomes', () => {
    const ctx: StampContext = {
      session_id: 'sess-1',
      turn_id: 'turn-1',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 3,
      ordinal: 4,
      runtime_ms: 10,
      wall_ms: 1000,
    };
    for (const [value, extra] of [
      [{}, {}],
      [{ outcome_kind: 'defer' }, { tenant_id: 't' }],
      [{ outcome_kind: 'nope' }, {}],
    ] as const) {
      const step = admit(value, extra);
      if (!step.ok) throw new Error('expected a decision');
      const outcome = cpAdmissionOutcome(step.value, ctx);
      expect(validator.validate('decision_outcome', outcome)).toEqual({ valid: true });
      expect(outcome).toMatchObject({ phase: 'pre_turn', emitted_by: 'CP-05' });
    }
  });
});
