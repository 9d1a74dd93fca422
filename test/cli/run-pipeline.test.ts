/**
 * Issue 14: `rspp run --pipeline FILE` as a user runs it (`node bin/rspp.js run ...`): the
 * session runs the file's graph and providers and its records carry the file's pipeline_version;
 * a refused file, or one the transport cannot carry, exits 2 with one error and starts nothing.
 */
import { execFile } from 'node:child_process';
import { access, readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROVIDERS } from '../../tools/pipeline/load.ts';
import { runProviders } from '../../tools/run/session-run.ts';
import { clockedSimProviders } from '../../tools/worker/index.ts';
import { buildWav, tone } from '../../adapters/transport/wav/build.ts';
import { createContractValidator, type ControlSignal } from '../../contracts/index.ts';
import { parseRunFlags } from '../../tools/cli/commands/run.ts';
import { main } from '../../tools/cli/main.ts';
import { createCapturingIo, makeTempDir, removeTempDir } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'rspp.js');
const validator = createContractValidator();
let dir: string;

type Spawned = { code: number; stdout: string; stderr: string };

/** Runs `node bin/rspp.js run <args>` from the repository root. */
async function spawnRun(args: readonly string[]): Promise<Spawned> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'run', ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw error;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The `--json` lines of a run, each checked against the control_signal contract. */
function records(run: Spawned): ControlSignal[] {
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const record = JSON.parse(line) as ControlSignal;
      expect(validator.validate('control_signal', record)).toEqual({ valid: true });
      return record;
    });
}

type Invocation = { modality: string; provider_id: string };

/** The provider invocations of every turn's evidence baseline in a `--evidence` file. */
async function invocations(file: string): Promise<Invocation[]> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  return lines
    .map((line) => JSON.parse(line) as { lane?: string; invocation_outcomes?: Invocation[] })
    .filter((record) => record.lane === undefined)
    .flatMap((record) => record.invocation_outcomes ?? []);
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const nodesOf = (signals: readonly ControlSignal[]) =>
  new Set(signals.filter((s) => s.signal === 'output_accepted').map((s) => s.node_id));
const count = (signals: readonly ControlSignal[], signal: string) =>
  signals.filter((s) => s.signal === signal).length;

beforeAll(async () => {
  dir = await makeTempDir('rspp-run-pipeline-');
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
  await writeFile(
    join(dir, 'syntax.json'),
    '{\n  "format": "rspp.pipeline/v1",\n  "nodes": [,]\n}',
  );
  const speech = [tone(0.3, 16_000, 0, 0), tone(0.8, 16_000, 300, 0.3), tone(1, 16_000, 0, 0)];
  await writeFile(
    join(dir, 'in.wav'),
    buildWav({ sample_rate_hz: 16_000, bits_per_sample: 16, channels: [speech.flat()] }),
  );
});
afterAll(() => removeTempDir(dir));

describe('rspp run --pipeline (issue 14)', () => {
  it('checks a file against the providers the run builds: the sims and their -b backups', () => {
    const ids = (list: readonly { provider_id: string }[]) => list.map((p) => p.provider_id).sort();
    expect(ids(runProviders())).toEqual(ids(BUILT_IN_PROVIDERS));
    expect(ids(clockedSimProviders())).toEqual(ids(BUILT_IN_PROVIDERS));
  });

  it('runs the built-in graph without the flag: pipeline-v1, replies spoken by the tts node', async () => {
    const signals = records(await spawnRun(['--json']));
    expect(new Set(signals.map((s) => s.pipeline_version))).toEqual(new Set(['pipeline-v1']));
    expect(nodesOf(signals)).toEqual(new Set(['tts']));
  });

  it('runs offline.json: its pipeline_version on every record, stt, llm and tts on the sims', async () => {
    const evidence = join(dir, 'offline.jsonl');
    const run = await spawnRun([
      '--pipeline',
      'examples/offline.json',
      '--json',
      '--evidence',
      evidence,
    ]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const signals = records(run);
    expect(new Set(signals.map((s) => s.pipeline_version))).toEqual(new Set(['offline-v1']));
    expect(count(signals, 'turn_open')).toBe(3);
    expect(nodesOf(signals)).toEqual(new Set(['tts']));
    // The second reply is spoken when the user barges in: its playback is cancelled.
    expect(count(signals, 'playback_cancelled')).toBe(1);
    const calls = await invocations(evidence);
    expect(new Set(calls.map((c) => c.modality))).toEqual(new Set(['stt', 'llm', 'tts']));
    for (const call of calls) expect(call.provider_id).toMatch(/^(stt|llm|tts)-sim(-b)?$/);
  });

  it('runs text-only.json: one llm node, text out, no audio and nothing to cancel', async () => {
    const evidence = join(dir, 'text-only.jsonl');
    const run = await spawnRun([
      '--pipeline',
      'examples/text-only.json',
      '--json',
      '--evidence',
      evidence,
    ]);
    expect(run.code).toBe(0);
    const signals = records(run);
    expect(new Set(signals.map((s) => s.pipeline_version))).toEqual(new Set(['text-only-v1']));
    expect(nodesOf(signals)).toEqual(new Set(['llm']));
    expect(count(signals, 'turn_open')).toBe(3);
    expect(count(signals, 'commit')).toBe(3);
    expect(count(signals, 'playback_cancelled')).toBe(0);
    const calls = await invocations(evidence);
    expect(new Set(calls.map((c) => c.modality))).toEqual(new Set(['llm']));
    const baselines = (await readFile(evidence, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { lane?: string; payload_tags?: string[] })
      .filter((record) => record.lane === undefined);
    expect(baselines).toHaveLength(3);
    for (const b of baselines) expect(b.payload_tags).not.toContain('audio_raw');
  });

  it('runs a wav file through offline.json: its pipeline_version on every record', async () => {
    const out = join(dir, 'out.wav');
    const run = await spawnRun([
      '--transport',
      'wav',
      '--input',
      join(dir, 'in.wav'),
      '--output',
      out,
      '--pipeline',
      'examples/offline.json',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const signals = records(run);
    expect(new Set(signals.map((s) => s.pipeline_version))).toEqual(new Set(['offline-v1']));
    expect(count(signals, 'commit')).toBe(1);
    expect(await exists(out)).toBe(true);
  });

  it('chats on the console with text-only.json: its sessions carry its pipeline_version', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const evidence = join(dir, 'console.jsonl');
    const io = { ...createCapturingIo(ROOT), terminal: { input, output, tty: false } };
    input.end('hello there\n');
    const argv = ['run', '--transport', 'console', '--pipeline', 'examples/text-only.json'];
    expect(await main([...argv, '--evidence', evidence], io)).toBe(0);
    expect(screen).toContain('[turn-1 commit]');
    const lines = (await readFile(evidence, 'utf8')).trim().split('\n');
    const versions = lines.map(
      (line) => (JSON.parse(line) as { pipeline_version: string }).pipeline_version,
    );
    expect(new Set(versions)).toEqual(new Set(['text-only-v1']));
  });

  it.each([
    ['malformed JSON', 'syntax.json', 'line 3 column 13: malformed_json: expected a value'],
    [
      'an unknown field',
      'extra.json',
      '/retries: unknown_field: expected no such field, received 2',
    ],
    [
      'a cycle',
      'cycle.json',
      '/edges/1: cycle: expected an acyclic graph, received the cycle a -> b -> a',
    ],
  ])('exits 2 on %s with one error, and runs nothing', async (_what, name, issue) => {
    const file = join(dir, name);
    const evidence = join(dir, `${name}.jsonl`);
    const run = await spawnRun(['--pipeline', file, '--json', '--evidence', evidence]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(`rspp run: ${file}: ${issue}`);
    expect(await exists(evidence)).toBe(false);
  });

  it.each([
    [
      'wav with a pipeline without audio nodes',
      [
        '--transport',
        'wav',
        '--input',
        'IN',
        '--output',
        'NEVER',
        '--pipeline',
        'examples/text-only.json',
      ],
      'rspp run: --pipeline: expected a pipeline with stt and tts nodes for --transport wav (audio in, audio out), received text-only-v1 (nodes: llm)',
    ],
    [
      'console with a pipeline of audio nodes',
      ['--transport', 'console', '--pipeline', 'examples/offline.json'],
      'rspp run: --pipeline: expected a pipeline of llm nodes only for --transport console (text in, text out), received offline-v1 (nodes: stt, llm, tts)',
    ],
    [
      'a catalogue pipeline whose adapters this build does not have',
      ['--pipeline', 'examples/default-voice-agent.json'],
      'rspp run: examples/default-voice-agent.json: /nodes/0/providers/0: unavailable_provider: expected a registered stt provider (registered: stt-sim, stt-sim-b), received "stt-deepgram" (in the spec catalogue; its adapter is not registered) (8 more after this one)',
    ],
  ])('refuses %s with exit 2 naming flag, expected and received', async (_what, args, message) => {
    const io = createCapturingIo(ROOT);
    const paths: Record<string, string> = {
      IN: join(dir, 'in.wav'),
      NEVER: join(dir, 'never.wav'),
    };
    expect(await main(['run', ...args.map((a) => paths[a] ?? a)], io)).toBe(2);
    expect(io.stderr).toEqual([message]);
    expect(io.stdout).toEqual([]);
    expect(await exists(join(dir, 'never.wav'))).toBe(false);
  });

  it('refuses an empty --pipeline as a usage error', () => {
    expect(parseRunFlags(['--pipeline', ''])).toEqual({
      error: '--pipeline: expected a pipeline file path, received an empty string',
    });
  });
});
