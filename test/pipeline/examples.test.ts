import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { catalogueProviders } from '../../actors/pipeline/catalogue.ts';
import { compileRuntimeGraph } from '../../actors/graph/graph.ts';
import { DEFAULT_PROVENANCE } from '../../actors/turn-start/defaults.ts';
import { resolveTurnPlan } from '../../actors/turn-start/plan.ts';
import { BUILT_IN_PROVIDERS, loadPipelineFile } from '../../tools/pipeline/load.ts';
import { runScriptedSession } from '../../tools/run/session-run.ts';

const validator = createContractValidator();
const examples = new URL('../../examples/', import.meta.url);
const path = (name: string) => new URL(name, examples).pathname;

async function load(name: string, providers = BUILT_IN_PROVIDERS) {
  const loaded = await loadPipelineFile(path(name), { providers });
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.pipeline;
}

describe('examples/', () => {
  it('holds the three documented pipelines', () => {
    expect(
      readdirSync(examples)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(['default-voice-agent.json', 'offline.json', 'text-only.json']);
  });

  it.each([
    ['default-voice-agent.json', catalogueProviders(), ['stt', 'llm', 'tts']],
    ['offline.json', BUILT_IN_PROVIDERS, ['stt', 'llm', 'tts']],
    ['text-only.json', BUILT_IN_PROVIDERS, ['llm']],
  ] as const)('%s compiles to a contract-valid graph', async (name, providers, order) => {
    const p = await load(name, providers);
    expect(validator.validate('graph_definition', p.definition)).toEqual({ valid: true });
    expect(p.order).toEqual(order);
    expect(compileRuntimeGraph(p.graph).ok).toBe(true);
    for (const list of Object.values(p.node_providers)) expect(list.length).toBeGreaterThan(1);
  });

  it('the default voice agent names three catalogue providers per modality, refused until registered', async () => {
    const p = await load('default-voice-agent.json', catalogueProviders());
    expect(Object.values(p.node_providers).map((list) => list.length)).toEqual([3, 3, 3]);
    const refused = await loadPipelineFile(path('default-voice-agent.json'));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.issues.map((i) => i.code)).toEqual(
      Array.from({ length: 9 }, () => 'unavailable_provider'),
    );
  });

  it('the offline pipeline freezes its L1 recording policy into every plan', async () => {
    const p = await load('offline.json');
    const result = resolveTurnPlan({
      turn_id: 't-1',
      pipeline_version: p.pipeline_version,
      graph_definition_ref: p.graph_definition_ref,
      execution_profile: p.execution_profile,
      authority_epoch: 1,
      snapshot_provenance: DEFAULT_PROVENANCE,
      edge_buffer_policies: p.edge_buffer_policies,
      ...p.plan,
    });
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.plan.recording_policy).toEqual({
      recording_level: 'L1',
      allowed_replay_modes: ['replay_decisions', 'playback_recorded_provider_outputs'],
    });
    expect(validator.validate('resolved_turn_plan', result.plan)).toEqual({ valid: true });
  });

  it.each(['offline.json', 'text-only.json'])(
    '%s runs the built-in script on the sims: every turn ends once',
    async (name) => {
      const p = await load(name);
      const bus = createEmbeddedBus();
      try {
        const run = await runScriptedSession({ bus, graph: p.graph, backups: true });
        const opens = run.control.filter((s) => s.signal === 'turn_open').length;
        const ends = run.control.filter((s) => s.signal === 'commit' || s.signal === 'abort');
        expect(opens).toBe(3);
        expect(ends).toHaveLength(3);
        expect(run.control.filter((s) => s.signal === 'commit').length).toBeGreaterThan(0);
      } finally {
        await bus.close();
      }
    },
  );
});
