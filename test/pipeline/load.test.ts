import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineFile, MAX_PIPELINE_FILE_BYTES } from '../../tools/pipeline/load.ts';
import { makeTempDir, removeTempDir } from '../cli/helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('rspp-pipeline-');
});
afterAll(() => removeTempDir(dir));

async function refusal(name: string, content?: string | Buffer) {
  const file = join(dir, name);
  if (content !== undefined) await writeFile(file, content);
  const loaded = await loadPipelineFile(file);
  if (loaded.ok) throw new Error(`${name} must be refused`);
  return loaded;
}

const VALID = {
  format: 'rspp.pipeline/v1',
  pipeline_version: 'p-1',
  nodes: [{ node_id: 'llm', node_type: 'llm', providers: ['llm-sim'] }],
};

describe('loadPipelineFile', () => {
  it('loads a valid file', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, `\ufeff${JSON.stringify(VALID)}`);
    const loaded = await loadPipelineFile(file);
    expect(loaded.ok && loaded.pipeline.order).toEqual(['llm']);
  });

  it('names the line and column of a JSON syntax error, never the content', async () => {
    const text = '{\n  "format": "rspp.pipeline/v1",\n  "nodes": [,]\n}';
    const loaded = await refusal('syntax.json', text);
    expect(loaded.issues).toHaveLength(1);
    expect(loaded.issues[0]).toMatchObject({
      code: 'malformed_json',
      received: 'expected a value',
    });
    expect(loaded.message).toBe(
      `${join(dir, 'syntax.json')}: line 3 column 13: malformed_json: expected a value`,
    );
  });

  it('refuses a 10 MB file before reading it', async () => {
    const file = join(dir, 'huge.json');
    await writeFile(file, '');
    // Sparse NUL bytes: were they parsed, the error would be malformed_json.
    await truncate(file, 10 * 1024 * 1024);
    const loaded = await refusal('huge.json');
    expect(loaded.issues).toEqual([
      expect.objectContaining({
        code: 'file_too_large',
        expected: `at most ${String(MAX_PIPELINE_FILE_BYTES)} bytes (1 MiB)`,
        received: '10485760 bytes',
      }),
    ]);
  });

  it('refuses YAML, a directory, a missing file and bytes that are not UTF-8', async () => {
    expect((await refusal('p.yaml', 'format: x')).issues[0]?.code).toBe('unsupported_format');
    await mkdir(join(dir, 'folder.json'));
    expect((await refusal('folder.json')).issues[0]).toMatchObject({
      code: 'file_unreadable',
      received: 'a directory',
    });
    expect((await refusal('absent.json')).issues[0]).toMatchObject({
      code: 'file_unreadable',
      received: 'ENOENT (it does not exist)',
    });
    const latin1 = Buffer.from('{"description": "caf\xe9"}', 'latin1');
    expect((await refusal('latin1.json', latin1)).issues[0]?.expected).toBe('UTF-8 text');
  });

  it('reports the first issue and how many follow', async () => {
    const doc = { ...VALID, extra: 1, nodes: [{ node_id: 'llm', node_type: 'llm', x: 2 }] };
    const loaded = await refusal('two.json', JSON.stringify(doc));
    expect(loaded.issues.map((i) => i.pointer)).toEqual(['/extra', '/nodes/0/x']);
    expect(loaded.message).toMatch(
      /\/extra: unknown_field: expected no such field, received 1 \(1 more after this one\)$/,
    );
  });
});
