import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { turnMachine, type TurnEmitted } from '../../machines/index.ts';
import { observePreTurn } from '../turn-start/pre-turn.ts';
import { normalizePipelineFile } from './normalize.ts';
import { baseFile, check } from './test-kit.ts';

const normalize = (doc: unknown) => normalizePipelineFile(doc, check);
const issues = (doc: unknown) => {
  const result = normalize(doc);
  return result.ok ? [] : result.issues;
};

describe('normalizePipelineFile (CP-02)', () => {
  it('fills every default of the simple profile', () => {
    const result = normalize(baseFile());
    if (!result.ok) throw new Error('must normalize');
    expect(result.value).toMatchObject({
      graph_definition_ref: 'graph/p-1',
      execution_profile: 'simple',
      budgets: {
        turn_budget_ms: 5000,
        node_budget_ms_default: 1500,
        path_budget_ms_default: 3000,
        edge_budget_ms_default: 500,
      },
      allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
      pre_turn: {
        snapshot_invalid: 'defer',
        capacity: 'reject',
        bundle_failure: 'defer',
        plan_failure: 'defer',
      },
      opening_proposal: 'drop',
      recording_policy: { recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] },
    });
    expect(result.value.edges.map((e) => [e.edge_id, e.pointer])).toEqual([
      ['stt-llm', '/edges/0'],
      ['llm-tts', '/edges/1'],
    ]);
  });

  it('keeps what the file declares, adaptive actions in canonical order', () => {
    const doc = {
      ...baseFile(),
      budgets: { turn_budget_ms: 8000, node_budget_ms_default: 2500 },
      policies: { adaptive_actions: ['fallback', 'retry'], pre_turn: { bundle_failure: 'reject' } },
      recording: { recording_level: 'L2' },
    };
    const result = normalize(doc);
    if (!result.ok) throw new Error('must normalize');
    expect(result.value.budgets).toMatchObject({
      turn_budget_ms: 8000,
      node_budget_ms_default: 2500,
    });
    expect(result.value.allowed_adaptive_actions).toEqual(['retry', 'fallback']);
    expect(result.value.pre_turn.bundle_failure).toBe('reject');
    expect(result.value.recording_policy).toEqual({
      recording_level: 'L2',
      allowed_replay_modes: ['replay_decisions'],
    });
  });

  it('refuses an unknown field anywhere, naming its pointer', () => {
    expect(issues({ ...baseFile(), retries: 3 })).toEqual([
      expect.objectContaining({
        code: 'unknown_field',
        pointer: '/retries',
        expected: 'no such field',
        received: '3',
      }),
    ]);
    const doc = baseFile();
    doc.edges[0] = {
      from: 'stt',
      to: 'llm',
      buffer: { strategy: 'block', max_block_time_ms: 9, size: 1 },
    };
    expect(issues(doc).map((i) => `${i.code} ${i.pointer}`)).toEqual([
      'unknown_field /edges/0/buffer/size',
    ]);
  });

  it('refuses a file of another format and a missing required field', () => {
    const { format: _format, ...rest } = baseFile();
    expect(issues(rest)[0]?.message).toBe('/format: required: expected present, received (absent)');
    expect(issues({ ...baseFile(), format: 'rspp.pipeline/v2' })[0]).toMatchObject({
      code: 'schema_violation',
      pointer: '/format',
    });
  });

  it('refuses any execution profile but simple; empty means simple', () => {
    expect(issues({ ...baseFile(), execution_profile: 'low_latency' })).toEqual([
      expect.objectContaining({
        code: 'unsupported_profile',
        pointer: '/execution_profile',
        expected: '"simple" or absent (the only execution profile)',
        received: '"low_latency"',
      }),
    ]);
    const empty = normalize({ ...baseFile(), execution_profile: '' });
    expect(empty.ok && empty.value.execution_profile).toBe('simple');
  });

  it('refuses budgets larger than the turn budget', () => {
    const doc = { ...baseFile(), budgets: { turn_budget_ms: 1000 } };
    expect(issues(doc).map((i) => `${i.code} ${i.pointer} ${i.received}`)).toEqual([
      'budget_exceeds_turn /budgets/node_budget_ms_default 1500',
      'budget_exceeds_turn /budgets/path_budget_ms_default 3000',
    ]);
  });
});

/** Runs a proposal through RK-03 with a CP snapshot; summarizes its decision outcomes and opens. */
function proposeWith(registryProfile: string, bundle_failure: 'defer' | 'reject') {
  const record = {
    pipeline_version: 'p-2',
    graph_definition_ref: 'graph/p-2',
    execution_profile: registryProfile,
  };
  const observation = observePreTurn({
    session_id: 's-1',
    turn_id: 't-1',
    pipeline_version: 'p-2',
    authority_epoch: 1,
    at_ms: 5,
    snapshot: { registry: { status: 'ok', value: { records: { 'p-2': record } } } },
    admission: { snapshot: { admission_policy_snapshot: 'admission-policy/v1' } },
  });
  const actor = createActor(turnMachine, {
    input: {
      session_id: 's-1',
      turn_id: 't-1',
      pipeline_version: 'p-2',
      authority_epoch: 1,
      policies: { bundle_failure },
    },
  });
  const outputs: TurnEmitted[] = [];
  actor.on('*', (e) => void outputs.push(e));
  actor.start();
  actor.send({ type: 'turn.propose', at_ms: 1 });
  actor.send(observation.event);
  return {
    bundle: observation.bundle,
    state: actor.getSnapshot().value,
    said: outputs.flatMap((o) =>
      o.type === 'decision.outcome'
        ? [
            `${o.outcome.emitted_by} ${o.outcome.outcome_kind}(${o.outcome.reason}) ${o.outcome.phase}`,
          ]
        : o.type === 'control.signal' && o.signal.signal === 'turn_open'
          ? ['turn_open']
          : [],
    ),
  };
}

describe('a version with another execution profile at turn start', () => {
  it('fails the bundle at CP-02 and ends pre-turn with the configured outcome', () => {
    const deferred = proposeWith('low_latency', 'defer');
    expect(deferred.bundle).toMatchObject({
      ok: false,
      failure: { module: 'CP-02', code: 'unsupported_profile' },
    });
    expect(deferred.said).toEqual(['RK-25 defer(turn_start_bundle_resolution_failed) pre_turn']);
    expect(deferred.state).toEqual({ Idle: 'released' });
    expect(proposeWith('low_latency', 'reject').said).toEqual([
      'RK-25 reject(turn_start_bundle_resolution_failed) pre_turn',
    ]);
    // The same record in simple mode passes the bundle and goes on to plan the turn.
    const simple = proposeWith('simple', 'defer');
    expect(simple.bundle.ok).toBe(true);
    expect(simple.state).toEqual({ Opening: 'planning' });
  });
});
