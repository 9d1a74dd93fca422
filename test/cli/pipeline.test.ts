import { execFile } from 'node:child_process';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir, runCli } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rspp.js');
let dir: string;

type Spawned = { code: number; stdout: string; stderr: string };

/** Runs `node bin/rspp.js pipeline check ...` in a child process. */
async function spawnCheck(args: readonly string[], cwd = ROOT): Promise<Spawned> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [BIN, 'pipeline', 'check', ...args],
      { cwd, encoding: 'utf8', timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const noStackTrace = (run: Spawned) => {
  expect(`${run.stdout}${run.stderr}`).not.toMatch(/\n\s+at /);
};

beforeAll(async () => {
  dir = await makeTempDir();
  await writeFile(
    join(dir, 'syntax.json'),
    '{\n  "format": "rspp.pipeline/v1",\n  "nodes": [,]\n}',
  );
  await writeFile(join(dir, 'huge.json'), '');
  await truncate(join(dir, 'huge.json'), 10 * 1024 * 1024);
  const cyclic = {
    format: 'rspp.pipeline/v1',
    pipeline_version: 'loop-v1',
    nodes: [
      { node_id: 'a', node_type: 'llm', providers: ['llm-sim'] },
      { node_id: 'b', node_type: 'llm', providers: ['llm-sim'] },
    ],
    edges: [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
    ],
  };
  await writeFile(join(dir, 'cycle.json'), JSON.stringify(cyclic));
  await writeFile(join(dir, 'extra.json'), JSON.stringify({ ...cyclic, edges: [], retries: 2 }));
});

afterAll(() => removeTempDir(dir));

describe('rspp pipeline check (child process)', () => {
  it('exits 0 and prints the compiled graph of a valid example', async () => {
    const run = await spawnCheck(['examples/offline.json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok examples/offline.json');
    expect(run.stdout).toContain('run order: stt -> llm -> tts');
    expect(run.stdout).toContain('  llm (llm): llm-sim > llm-sim-b, budget 2000 ms');
    expect(run.stderr).toBe('');
  });

  it('exits 2 with the line and column of a JSON syntax error', async () => {
    const run = await spawnCheck(['syntax.json'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'rspp pipeline check: syntax.json: line 3 column 13: malformed_json: expected a value',
    );
    expect(run.stdout).toBe('');
    noStackTrace(run);
  });

  it('exits 2 on a 10 MB file with one clear error', async () => {
    const run = await spawnCheck(['huge.json'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      'rspp pipeline check: huge.json: (root): file_too_large: expected at most 1048576 bytes (1 MiB), received 10485760 bytes',
    );
    noStackTrace(run);
  });

  it('exits 2 with a JSON report of an unknown field under --json', async () => {
    const run = await spawnCheck(['extra.json', '--json'], dir);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { ok: boolean; error: Record<string, string> };
    expect(report.ok).toBe(false);
    expect(report.error).toMatchObject({
      code: 'unknown_field',
      pointer: '/retries',
      expected: 'no such field',
      received: '2',
    });
  });
});

describe('rspp pipeline check (in process)', () => {
  it('refuses a cycle, naming the edge that closes it', async () => {
    const run = await runCli(['pipeline', 'check', 'cycle.json'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'rspp pipeline check: cycle.json: /edges/1: cycle: expected an acyclic graph, received the cycle a -> b -> a',
    );
  });

  it('checks against the providers named by --providers', async () => {
    const example = join(ROOT, 'examples', 'default-voice-agent.json');
    const refused = await runCli(['pipeline', 'check', example], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('/nodes/0/providers/0: unavailable_provider');
    expect(refused.stderr).toContain('(8 more after this one)');
    const checked = await runCli(
      ['pipeline', 'check', example, '--providers', 'catalogue', '--json'],
      dir,
    );
    expect(checked.code).toBe(0);
    const report = JSON.parse(checked.stdout) as { graph_fingerprint: string; order: string[] };
    expect(report.graph_fingerprint).toBe('graph-fingerprint/pipeline-v1/graph/default/simple');
    expect(report.order).toEqual(['stt', 'llm', 'tts']);
  });

  it.each([
    [['pipeline'], 'expected the subcommand check, received none'],
    [['pipeline', 'lint', 'x.json'], 'expected the subcommand check, received lint'],
    [['pipeline', 'check'], 'missing FILE (a pipeline file)'],
    [['pipeline', 'check', 'a.json', 'b.json'], 'expected one FILE, received also b.json'],
    [
      ['pipeline', 'check', 'a.json', '--providers', 'deepgram'],
      '--providers: expected ids starting with stt-, llm- or tts- (or catalogue), received "deepgram"',
    ],
  ])('exits 2 on the usage error of %j', async (argv, message) => {
    const run = await runCli(argv, dir);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(`rspp pipeline: ${message}`);
    expect(run.stderr).toContain('rspp pipeline check FILE [--json] [--providers LIST]');
  });

  it('is listed in the help', async () => {
    const run = await runCli(['help'], dir);
    expect(run.stdout).toContain('rspp pipeline check FILE [--json] [--providers LIST]');
  });
});
