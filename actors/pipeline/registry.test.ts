import { describe, expect, it } from 'vitest';
import { resolveTurnStartBundle } from '../turn-start/bundle.ts';
import { createPipelineRegistry } from './registry.ts';
import { baseFile, compiled } from './test-kit.ts';

const version = (pipeline_version: string, tts = 'tts-sim') => {
  const doc = { ...baseFile(), pipeline_version };
  doc.nodes[2] = { node_id: 'tts', node_type: 'tts', providers: [tts] };
  return compiled(doc);
};

const request = (requested_pipeline_version?: string) => ({
  session_id: 's-1',
  turn_id: 't-1',
  requested_authority_epoch: 1,
  requested_pipeline_version,
});

describe('createPipelineRegistry (CP-01)', () => {
  it('keeps versions in registration order; the first is the default unless one is configured', () => {
    const registry = createPipelineRegistry();
    expect(registry.defaultVersion()).toBeUndefined();
    registry.register(version('v1'));
    registry.register(version('v2', 'tts-sim-b'));
    expect(registry.versions()).toEqual(['v1', 'v2']);
    expect(registry.defaultVersion()).toBe('v1');
    expect(registry.get('v2')?.provider_bindings.tts).toBe('tts-sim-b');
    expect(createPipelineRegistry({ default_version: 'v2' }).defaultVersion()).toBeUndefined();
    const configured = createPipelineRegistry({ default_version: 'v2' });
    configured.register(version('v1'));
    configured.register(version('v2'));
    expect(configured.defaultVersion()).toBe('v2');
  });

  it('treats a version as immutable: the same content is a no-op, other content is refused', () => {
    const registry = createPipelineRegistry();
    const first = version('v1');
    expect(registry.register(first)).toEqual({ ok: true, value: first });
    expect(registry.register(version('v1'))).toEqual({ ok: true, value: first });
    const refused = registry.register(version('v1', 'tts-sim-b'));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.issues[0]).toMatchObject({
      code: 'duplicate_version',
      pointer: '/pipeline_version',
    });
    expect(registry.get('v1')).toBe(first);
  });

  it('publishes the snapshot turn start resolves each version from', () => {
    const registry = createPipelineRegistry();
    registry.register(version('v1'));
    registry.register(version('v2', 'tts-sim-b'));
    const v2 = resolveTurnStartBundle(registry.snapshot('v2'), request('v2'));
    expect(v2.ok && v2.bundle).toMatchObject({
      pipeline_version: 'v2',
      graph_definition_ref: 'graph/v2',
      execution_profile: 'simple',
      graph_fingerprint: 'graph-fingerprint/v2/graph/v2/simple',
      provider_bindings: { stt: 'stt-sim', llm: 'llm-sim', tts: 'tts-sim-b' },
    });
    // A version the registry does not hold resolves to the default record (CP-01).
    const unknown = resolveTurnStartBundle(registry.snapshot('v1'), request('v9'));
    expect(unknown.ok && unknown.bundle.pipeline_version).toBe('v1');
  });
});
