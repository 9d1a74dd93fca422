import { describe, expect, it } from 'vitest';
import {
  compileGraph,
  graphFingerprint,
  normalizePipelineRecord,
  resolvePipelineRecord,
  resolvePipelineVersion,
} from './cp-pipeline.ts';
import type { PipelineRecord } from './snapshot.ts';

const DEFAULT = {
  pipeline_version: 'pipeline-v1',
  graph_definition_ref: 'graph/default',
  execution_profile: 'simple',
};
const V2: PipelineRecord = {
  pipeline_version: 'pipeline-v2',
  graph_definition_ref: 'graph/v2',
  execution_profile: '',
};

describe('resolvePipelineRecord (CP-01)', () => {
  it('returns the defaults without a backend', () => {
    expect(resolvePipelineRecord(undefined, 'pipeline-v9')).toEqual({
      ok: true,
      value: DEFAULT,
      defaulted: false,
    });
  });

  it('falls back to the defaults on a non-stale backend error', () => {
    expect(resolvePipelineRecord({ status: 'error', code: 'timeout' }, 'pipeline-v2')).toEqual({
      ok: true,
      value: DEFAULT,
      defaulted: true,
    });
  });

  it('fails on a stale snapshot', () => {
    expect(resolvePipelineRecord({ status: 'stale' }, undefined)).toEqual({
      ok: false,
      failure: { module: 'CP-01', code: 'stale_snapshot', message: expect.any(String) },
    });
  });

  it('returns the record of the requested version, else the registry default', () => {
    const read = { status: 'ok', value: { records: { 'pipeline-v2': V2 } } } as const;
    expect(resolvePipelineRecord(read, 'pipeline-v2')).toMatchObject({ ok: true, value: V2 });
    expect(resolvePipelineRecord(read, 'pipeline-v3')).toMatchObject({ ok: true, value: DEFAULT });
    expect(resolvePipelineRecord(read, 'toString')).toMatchObject({ ok: true, value: DEFAULT });
    const withDefault = { status: 'ok', value: { default_record: V2 } } as const;
    expect(resolvePipelineRecord(withDefault, undefined)).toMatchObject({ ok: true, value: V2 });
  });
});

describe('normalizePipelineRecord (CP-02)', () => {
  it('turns an empty profile into simple', () => {
    expect(normalizePipelineRecord({ ...V2, execution_profile: '  ' })).toEqual({
      ok: true,
      value: { ...V2, execution_profile: 'simple' },
      defaulted: false,
    });
  });

  it.each(['realtime', 'Simple', 'advanced'])('fails the bundle for profile %s', (profile) => {
    expect(normalizePipelineRecord({ ...V2, execution_profile: profile })).toEqual({
      ok: false,
      failure: { module: 'CP-02', code: 'unsupported_profile', message: expect.any(String) },
    });
  });
});

describe('resolvePipelineVersion (CP-09)', () => {
  const read = {
    status: 'ok',
    value: { mappings: { 'pipeline-v1': 'pipeline-v2' }, version_resolution_snapshot: 'vr/7' },
  } as const;

  it('maps the requested version', () => {
    expect(resolvePipelineVersion(read, 'pipeline-v1', 'pipeline-v1')).toEqual({
      ok: true,
      value: { pipeline_version: 'pipeline-v2', version_resolution_snapshot: 'vr/7' },
      defaulted: false,
    });
  });

  it('uses the registry version without a mapping', () => {
    expect(resolvePipelineVersion(read, 'pipeline-v5', 'pipeline-v1')).toMatchObject({
      value: { pipeline_version: 'pipeline-v1', version_resolution_snapshot: 'vr/7' },
    });
  });

  it('is deterministic under outage: the registry version and version-resolution/v1', () => {
    const outage = resolvePipelineVersion({ status: 'error' }, 'pipeline-v1', 'pipeline-v1');
    expect(outage).toEqual({
      ok: true,
      value: {
        pipeline_version: 'pipeline-v1',
        version_resolution_snapshot: 'version-resolution/v1',
      },
      defaulted: true,
    });
    expect(resolvePipelineVersion({ status: 'error' }, 'pipeline-v1', 'pipeline-v1')).toEqual(
      outage,
    );
  });

  it('fails on a stale snapshot', () => {
    expect(resolvePipelineVersion({ status: 'stale' }, 'x', 'pipeline-v1')).toMatchObject({
      ok: false,
      failure: { module: 'CP-09', code: 'stale_snapshot' },
    });
  });
});

describe('compileGraph (CP-03)', () => {
  it('returns graph-compiler/v1 and graph-fingerprint/<pipeline>/<graph_ref>/<profile>', () => {
    expect(compileGraph(undefined, DEFAULT)).toEqual({
      ok: true,
      value: {
        graph_definition_ref: 'graph/default',
        graph_compilation_snapshot: 'graph-compiler/v1',
        graph_fingerprint: 'graph-fingerprint/pipeline-v1/graph/default/simple',
      },
      defaulted: false,
    });
    expect(graphFingerprint(V2)).toBe('graph-fingerprint/pipeline-v2/graph/v2/');
  });

  it('keeps backend refs and falls back on backend errors', () => {
    const read = {
      status: 'ok',
      value: { graph_compilation_snapshot: 'gc/9', graph_fingerprint: 'fp/9' },
    } as const;
    expect(compileGraph(read, DEFAULT)).toMatchObject({
      value: { graph_compilation_snapshot: 'gc/9', graph_fingerprint: 'fp/9' },
    });
    expect(compileGraph({ status: 'error' }, DEFAULT)).toMatchObject({
      ok: true,
      defaulted: true,
      value: { graph_compilation_snapshot: 'graph-compiler/v1' },
    });
  });

  it.each([
    [{ ...DEFAULT, pipeline_version: '' }, 'GRAPH_COMPILE_EMPTY_INPUT'],
    [{ ...DEFAULT, graph_definition_ref: '' }, 'GRAPH_COMPILE_INVALID_REF'],
    [{ ...DEFAULT, graph_definition_ref: 'graph/with space' }, 'GRAPH_COMPILE_INVALID_REF'],
  ] as const)('fails %# with %s', (input, code) => {
    expect(compileGraph(undefined, input)).toMatchObject({
      ok: false,
      failure: { module: 'CP-03', code },
    });
  });

  it('fails with GRAPH_COMPILE_UNSUPPORTED_VERSION outside the supported set', () => {
    const read = { status: 'ok', value: { supported_pipeline_versions: ['pipeline-v2'] } } as const;
    expect(compileGraph(read, DEFAULT)).toMatchObject({
      ok: false,
      failure: { module: 'CP-03', code: 'GRAPH_COMPILE_UNSUPPORTED_VERSION' },
    });
    expect(compileGraph(read, { ...DEFAULT, pipeline_version: 'pipeline-v2' }).ok).toBe(true);
  });

  it('fails on a stale snapshot', () => {
    expect(compileGraph({ status: 'stale' }, DEFAULT)).toMatchObject({
      failure: { module: 'CP-03', code: 'stale_snapshot' },
    });
  });
});
