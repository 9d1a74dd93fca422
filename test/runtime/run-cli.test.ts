import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { parseRunFlags } from '../../tools/cli/commands/run.ts';
import { makeTempDir, removeTempDir, runCli } from '../cli/helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('rspp-run-');
});
afterAll(() => removeTempDir(dir));

const validator = createContractValidator();

describe('rspp run', () => {
  it('prints one readable line per ControlLane signal of the built-in script', async () => {
    const run = await runCli(['run'], dir);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toHaveLength(19);
    expect(lines[0]).toMatch(/^\s+0 ms {2}RK-23 {2}connected/);
    const fields = lines.map((l) => l.trim().split(/\s+/).join(' '));
    expect(fields.filter((l) => l.endsWith('RK-03 abort cancelled turn-2'))).toHaveLength(1);
    expect(fields.at(-1)).toBe('5392 ms RK-03 close - turn-3');
    expect(run.stderr).toBe('');
  });

  it('prints contract-valid ControlLane records with --json and writes --evidence JSONL', async () => {
    const file = join(dir, 'evidence.jsonl');
    const run = await runCli(['run', '--json', '--evidence', 'evidence.jsonl', '--seed', '5'], dir);
    expect(run.code).toBe(0);
    for (const line of run.stdout.split('\n')) {
      expect(validator.validate('control_signal', JSON.parse(line))).toEqual({ valid: true });
    }
    const evidence = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const baselines = evidence.filter((d) => validator.validate('baseline_evidence', d).valid);
    expect(baselines.map((b) => b['turn_id'])).toEqual(['turn-1', 'turn-2', 'turn-3']);
  });

  it.each([
    [['--bus', 'kafka'], '--bus: expected embedded or nats, received kafka'],
    [['--seed=-1'], '--seed: expected an integer >= 0, received -1'],
    [
      ['--nats-url', 'nats://x:1'],
      '--nats-url: expected only with --bus nats, received --bus embedded',
    ],
    [
      ['--bus', 'nats', '--nats-url', 'http://x'],
      '--nats-url: expected nats://host:port, received http://x',
    ],
    [['extra'], 'arguments: expected none, received extra'],
  ])('rejects %j with exit 2 naming field, expected and received', async (args, message) => {
    const run = await runCli(['run', ...args], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(parseRunFlags(args)).toEqual({ error: message });
  });

  it('exits 1 with a clear message when the NATS server is unreachable', async () => {
    const run = await runCli(['run', '--bus', 'nats', '--nats-url', 'nats://127.0.0.1:1'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot connect to nats://127.0.0.1:1');
  });

  it('runs as a subprocess: every line of `node bin/rspp.js run --json` validates', async () => {
    const bin = join(process.cwd(), 'bin', 'rspp.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'run', '--json'], {
      cwd: dir,
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(19);
    for (const line of lines) {
      expect(validator.validate('control_signal', JSON.parse(line))).toEqual({ valid: true });
    }
  });
});
