import { describe, expect, it } from 'vitest';
import { resolveTurnStartBundle, type BundleRequest } from './bundle.ts';
import { BUNDLE_ORDER, type ControlPlaneSnapshot, type CpRead } from './snapshot.ts';

const REQUEST: BundleRequest = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  requested_pipeline_version: 'pipeline-v1',
  requested_authority_epoch: 7,
};

const SECTIONS = [
  ['registry', 'CP-01'],
  ['rollout', 'CP-09'],
  ['graph_compiler', 'CP-03'],
  ['routing_view', 'CP-08'],
  ['provider_health', 'CP-10'],
  ['policy', 'CP-04'],
  ['lease', 'CP-07'],
  ['admission', 'CP-05'],
] as const;

describe('resolveTurnStartBundle', () => {
  it('resolves every module in the spec order with built-in defaults', () => {
    const result = resolveTurnStartBundle({}, REQUEST);
    expect(BUNDLE_ORDER).toEqual([
      'CP-01',
      'CP-02',
      'CP-09',
      'CP-03',
      'CP-08',
      'CP-10',
      'CP-04',
      'CP-07',
      'CP-05',
    ]);
    expect(result).toEqual({
      ok: true,
      bundle: {
        pipeline_version: 'pipeline-v1',
        graph_definition_ref: 'graph/default',
        execution_profile: 'simple',
        graph_compilation_snapshot: 'graph-compiler/v1',
        graph_fingerprint: 'graph-fingerprint/pipeline-v1/graph/default/simple',
        provider_bindings: { stt: 'stt-deepgram', llm: 'llm-anthropic', tts: 'tts-elevenlabs' },
        allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
        snapshot_provenance: {
          routing_view_snapshot: 'routing-view/v1',
          admission_policy_snapshot: 'admission-policy/v1',
          abi_compatibility_snapshot: 'abi-compat/v1',
          version_resolution_snapshot: 'version-resolution/v1',
          policy_resolution_snapshot: 'policy-resolution/v1',
          provider_health_snapshot: 'provider-health/v1',
        },
        lease: {
          lease_resolution_snapshot: 'lease-resolution/v1',
          authority_epoch: 7,
          authority_epoch_valid: true,
          authority_authorized: true,
          reason: 'lease_authorized',
        },
        admission: {
          admission_policy_snapshot: 'admission-policy/v1',
          outcome_kind: 'admit',
          scope: 'session',
          reason: 'cp_admission_allowed',
        },
        defaulted: [],
        trace: BUNDLE_ORDER,
      },
    });
  });

  it('falls back to each module defaults on a non-stale backend error', () => {
    const errors = Object.fromEntries(
      SECTIONS.map(([section]) => [section, { status: 'error', code: 'unavailable' }]),
    ) as ControlPlaneSnapshot;
    const result = resolveTurnStartBundle(errors, REQUEST);
    const defaults = resolveTurnStartBundle({}, REQUEST);
    if (!result.ok || !defaults.ok) throw new Error('expected bundles');
    expect(result.bundle.defaulted).toEqual(BUNDLE_ORDER.filter((m) => m !== 'CP-02'));
    expect({ ...result.bundle, defaulted: [] }).toEqual(defaults.bundle);
  });

  it.each(SECTIONS)('fails on a stale %s snapshot and stops at %s', (section, module) => {
    const stale: CpRead<never> = { status: 'stale', ref: 'old' };
    const result = resolveTurnStartBundle({ [section]: stale }, REQUEST);
    expect(result).toEqual({
      ok: false,
      failure: { module, code: 'stale_snapshot', message: expect.any(String) },
      trace: BUNDLE_ORDER.slice(0, BUNDLE_ORDER.indexOf(module) + 1),
    });
  });

  it('fails on an unsupported profile at CP-02 (simple only)', () => {
    const registry = {
      status: 'ok',
      value: {
        default_record: {
          pipeline_version: 'pipeline-v1',
          graph_definition_ref: 'graph/default',
          execution_profile: 'realtime',
        },
      },
    } as const;
    const result = resolveTurnStartBundle({ registry }, REQUEST);
    expect(result).toMatchObject({
      ok: false,
      failure: { module: 'CP-02', code: 'unsupported_profile' },
      trace: ['CP-01', 'CP-02'],
    });
  });

  it('compiles the version chosen by CP-09 and carries refs into provenance', () => {
    const snapshot: ControlPlaneSnapshot = {
      registry: {
        status: 'ok',
        value: {
          records: {
            'pipeline-v1': {
              pipeline_version: 'pipeline-v1',
              graph_definition_ref: 'graph/a',
              execution_profile: '',
            },
          },
        },
      },
      rollout: {
        status: 'ok',
        value: { mappings: { 'pipeline-v1': 'pipeline-v2' }, version_resolution_snapshot: 'vr/2' },
      },
      graph_compiler: { status: 'ok', value: { supported_pipeline_versions: ['pipeline-v2'] } },
      routing_view: { status: 'ok', value: { routing_view_snapshot: 'rv/2', authority_epoch: 7 } },
      provider_health: { status: 'ok', value: { provider_health_snapshot: 'ph/2' } },
      policy: {
        status: 'ok',
        value: { policy_resolution_snapshot: 'pr/2', allowed_adaptive_actions: ['degrade'] },
      },
      lease: { status: 'ok', value: { authority_epoch: 8 } },
      admission: { status: 'ok', value: { outcome_kind: 'defer' } },
    };
    const result = resolveTurnStartBundle(snapshot, { ...REQUEST, tenant_id: 'acme' });
    expect(result).toMatchObject({
      ok: true,
      bundle: {
        pipeline_version: 'pipeline-v2',
        graph_definition_ref: 'graph/a',
        execution_profile: 'simple',
        graph_fingerprint: 'graph-fingerprint/pipeline-v2/graph/a/simple',
        allowed_adaptive_actions: ['degrade'],
        routing_authority_epoch: 7,
        snapshot_provenance: {
          routing_view_snapshot: 'rv/2',
          version_resolution_snapshot: 'vr/2',
          policy_resolution_snapshot: 'pr/2',
          provider_health_snapshot: 'ph/2',
        },
        lease: { authority_epoch: 8, reason: 'lease_authorized' },
        admission: {
          outcome_kind: 'defer',
          scope: 'tenant',
          reason: 'cp_admission_defer_capacity',
        },
      },
    });
  });

  it('fails with the CP-03 error code', () => {
    const graph_compiler = {
      status: 'ok',
      value: { supported_pipeline_versions: ['pipeline-v9'] },
    } as const;
    expect(resolveTurnStartBundle({ graph_compiler }, REQUEST)).toMatchObject({
      ok: false,
      failure: { module: 'CP-03', code: 'GRAPH_COMPILE_UNSUPPORTED_VERSION' },
    });
  });

  it('turns an unreadable snapshot into a failure of the module being read', () => {
    const snapshot = {
      get routing_view(): never {
        throw new Error('boom');
      },
    } as ControlPlaneSnapshot;
    expect(resolveTurnStartBundle(snapshot, REQUEST)).toMatchObject({
      ok: false,
      failure: { module: 'CP-08', code: 'invalid_input' },
      trace: ['CP-01', 'CP-02', 'CP-09', 'CP-03'],
    });
  });

  it('gives equal bundles for equal inputs', () => {
    expect(resolveTurnStartBundle({}, REQUEST)).toEqual(resolveTurnStartBundle({}, REQUEST));
  });
});
