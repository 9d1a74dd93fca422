import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { DEFAULT_PROVENANCE, SIMPLE_EDGE_POLICY } from './defaults.ts';
import { planHash, resolveTurnPlan, toArbitrationPlan, type PlanInputs } from './plan.ts';

const validator = createContractValidator();

const INPUTS: PlanInputs = {
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  graph_definition_ref: 'graph/default',
  execution_profile: 'simple',
  authority_epoch: 7,
  snapshot_provenance: DEFAULT_PROVENANCE,
};

const HASH = '31a7a773f39bb0567b541e025d990e0086ca1dc44d69ec5fad39768ee3bef2b6';

function plan(inputs: PlanInputs = INPUTS) {
  const result = resolveTurnPlan(inputs);
  if (!result.ok) throw new Error(`expected a plan, got ${result.failure.message}`);
  return result;
}

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('planHash (RK-04)', () => {
  it('is the hex SHA-256 of turn|pipeline|graph|profile|epoch', () => {
    expect(planHash(INPUTS)).toBe(HASH);
  });

  it('changes with every preimage field', () => {
    const variants: PlanInputs[] = [
      { ...INPUTS, turn_id: 'turn-2' },
      { ...INPUTS, pipeline_version: 'pipeline-v2' },
      { ...INPUTS, graph_definition_ref: 'graph/other' },
      { ...INPUTS, execution_profile: 'other' },
      { ...INPUTS, authority_epoch: 8 },
    ];
    for (const variant of variants) expect(planHash(variant)).not.toBe(HASH);
  });
});

describe('resolveTurnPlan (RK-04)', () => {
  it('freezes a contract-valid plan with every simple-mode default', () => {
    const { plan: p } = plan();
    expect(validator.validate('resolved_turn_plan', p)).toEqual({ valid: true });
    expect(p).toEqual({
      turn_id: 'turn-1',
      pipeline_version: 'pipeline-v1',
      plan_hash: HASH,
      graph_definition_ref: 'graph/default',
      execution_profile: 'simple',
      authority_epoch: 7,
      budgets: {
        turn_budget_ms: 5000,
        node_budget_ms_default: 1500,
        path_budget_ms_default: 3000,
        edge_budget_ms_default: 500,
      },
      provider_bindings: { stt: 'stt-deepgram', llm: 'llm-anthropic', tts: 'tts-elevenlabs' },
      edge_buffer_policies: {
        default: {
          strategy: 'drop',
          max_queue_items: 64,
          max_queue_ms: 300,
          max_queue_bytes: 262144,
          max_latency_contribution_ms: 120,
          watermarks: { queue_items: { high: 48, low: 24 } },
          lane_handling: {
            DataLane: 'drop',
            ControlLane: 'non_blocking_priority',
            TelemetryLane: 'best_effort_drop',
          },
          defaulting_source: 'execution_profile_default',
        },
      },
      flow_control: {
        mode_by_lane: { DataLane: 'signal', ControlLane: 'signal', TelemetryLane: 'signal' },
        watermarks: {
          DataLane: { high: 100, low: 50 },
          ControlLane: { high: 20, low: 10 },
          TelemetryLane: { high: 200, low: 100 },
        },
        shedding_strategy_by_lane: {
          DataLane: 'drop',
          ControlLane: 'none',
          TelemetryLane: 'sample',
        },
      },
      allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
      snapshot_provenance: {
        routing_view_snapshot: 'routing-view/v1',
        admission_policy_snapshot: 'admission-policy/v1',
        abi_compatibility_snapshot: 'abi-compat/v1',
        version_resolution_snapshot: 'version-resolution/v1',
        policy_resolution_snapshot: 'policy-resolution/v1',
        provider_health_snapshot: 'provider-health/v1',
      },
      recording_policy: { recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] },
      determinism: {
        seed: 4154486247202397,
        ordering_markers: ['runtime_sequence', 'event_id'],
        merge_rule_id: 'default-merge-rule',
        merge_rule_version: 'v1.0.0',
        nondeterministic_inputs: [{ input_key: 'plan_hash', source: 'other', evidence_ref: HASH }],
      },
    });
  });

  it('keeps the exact seed as evidence', () => {
    expect(plan().evidence.seed_exact).toBe('5795783607045660253');
  });

  it('returns a deep-frozen plan that rejects mutation', () => {
    const { plan: p } = plan();
    expect(isDeepFrozen(p)).toBe(true);
    expect(() => {
      (p.budgets as { turn_budget_ms: number }).turn_budget_ms = 1;
    }).toThrow(TypeError);
    expect(p.budgets.turn_budget_ms).toBe(5000);
  });

  it('shares only frozen defaults, which cannot be mutated into the next plan', () => {
    expect(isDeepFrozen(SIMPLE_EDGE_POLICY)).toBe(true);
    expect(() => {
      (SIMPLE_EDGE_POLICY.watermarks as { queue_items?: unknown }).queue_items = undefined;
    }).toThrow(TypeError);
    const policy = plan().plan.edge_buffer_policies['default'];
    expect(policy).toBe(SIMPLE_EDGE_POLICY);
    expect(() => {
      (policy as { max_queue_items: number }).max_queue_items = 1;
    }).toThrow(TypeError);
  });

  it('gives deep-equal plans for equal inputs that share no per-turn state', () => {
    const a = plan().plan;
    const b = plan().plan;
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(a.edge_buffer_policies).not.toBe(b.edge_buffer_policies);
    expect(a.snapshot_provenance).not.toBe(b.snapshot_provenance);
    expect(a.determinism).not.toBe(b.determinism);
  });

  it('deduplicates and orders adaptive actions and drops unknown ones', () => {
    const { plan: p } = plan({
      ...INPUTS,
      allowed_adaptive_actions: ['fallback', 'degrade', 'retry', 'fallback', 'teleport'],
    });
    expect(p.allowed_adaptive_actions).toEqual(['retry', 'degrade', 'fallback']);
    expect(validator.validate('resolved_turn_plan', p)).toEqual({ valid: true });
  });

  it('fills missing bindings from the defaults and keeps extra modalities', () => {
    const { plan: p } = plan({ ...INPUTS, provider_bindings: { llm: 'llm-gemini', vad: 'vad-x' } });
    expect(p.provider_bindings).toEqual({
      stt: 'stt-deepgram',
      llm: 'llm-gemini',
      tts: 'tts-elevenlabs',
      vad: 'vad-x',
    });
  });

  it.each([
    ['turn_id', { turn_id: '' }, 'invalid_input'],
    ['pipeline_version', { pipeline_version: ' ' }, 'invalid_input'],
    ['graph_definition_ref', { graph_definition_ref: '' }, 'invalid_input'],
    ['execution_profile', { execution_profile: 'realtime' }, 'unsupported_profile'],
    ['authority_epoch', { authority_epoch: -1 }, 'invalid_input'],
    ['authority_epoch', { authority_epoch: 1.5 }, 'invalid_input'],
    [
      'snapshot_provenance.policy_resolution_snapshot',
      { snapshot_provenance: { ...DEFAULT_PROVENANCE, policy_resolution_snapshot: '' } },
      'invalid_input',
    ],
    ['provider_bindings', { provider_bindings: { stt: '' } }, 'invalid_input'],
  ] as const)('fails with a typed result when %s is bad', (field, patch, code) => {
    const result = resolveTurnPlan({ ...INPUTS, ...patch });
    expect(result).toEqual({
      ok: false,
      failure: { reason: 'plan_materialization_failed', code, field, message: expect.any(String) },
    });
    expect(toArbitrationPlan(result)).toEqual({ materialized: false });
  });

  it('turns a throwing input into an internal_error failure instead of throwing', () => {
    const hostile = {
      ...INPUTS,
      get snapshot_provenance(): never {
        throw new Error('boom');
      },
    } as PlanInputs;
    const result = resolveTurnPlan(hostile);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.failure.code).toBe('internal_error');
  });

  it('maps a plan onto the turn machine step-8 field', () => {
    expect(toArbitrationPlan(plan())).toEqual({ materialized: true, plan_hash: HASH });
  });
});
