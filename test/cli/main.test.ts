import { describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

const COMMAND_NAMES = ['validate-contracts', 'bench', 'demo', 'help'];

describe('rspp main', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']]])(
    'prints the usage of every command and exits 0 for %j',
    async (argv) => {
      const run = await runCli(argv, process.cwd());
      expect(run.code).toBe(0);
      for (const name of COMMAND_NAMES) expect(run.stdout).toContain(`rspp ${name}`);
      expect(run.stdout).toContain('rspp validate-contracts [--artifact NAME]');
      expect(run.stderr).toBe('');
    },
  );

  it('rejects an unknown command with exit 2, naming it and printing the usage', async () => {
    const run = await runCli(['frobnicate', '--x'], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "frobnicate"');
    expect(run.stderr).toContain('rspp validate-contracts');
    expect(run.stdout).toBe('');
  });

  it('rejects an unknown top-level flag with exit 2, naming the flag', async () => {
    const run = await runCli(['--frobnicate'], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown flag --frobnicate');
  });

  it('prints one command usage for `help <command>` and `<command> --help`', async () => {
    const viaHelp = await runCli(['help', 'validate-contracts'], process.cwd());
    const viaFlag = await runCli(['validate-contracts', '--help'], process.cwd());
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain('Exit codes: 0');
    expect(viaHelp.stdout).toContain('event_record');
  });

  it('rejects `help` for an unknown command with exit 2', async () => {
    const run = await runCli(['help', 'nope'], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "nope"');
  });

  it('runs the embedded demo, which prints the ControlLane sequence and exits 0', async () => {
    const run = await runCli(['demo'], process.cwd());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('abort                cancelled');
  });

  it('takes a negative number as a flag value and refuses it with expected and received (issue 10 item 19)', async () => {
    const seed = await runCli(['run', '--seed', '-1'], process.cwd());
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('rspp run: --seed: expected an integer >= 0, received -1');
    expect(seed.stderr).not.toContain('needs a value');
    const bound = await runCli(['paths', '--machine', 'turn', '--max-states', '-5'], process.cwd());
    expect(bound.code).toBe(2);
    expect(bound.stderr).toContain('--max-states must be a positive integer, got -5');
  });

  it('says which value a flag is missing and what it received instead (issue 10 item 19)', async () => {
    const run = await runCli(['run', '--seed', '--json'], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'flag --seed needs a value: expected a value after it, received the flag --json',
    );
  });

  it.each([
    [['run', '--seed', '1', '--seed', '2'], '--seed'],
    [['run', '--json', '--json'], '--json'],
    [
      [
        'validate-contracts',
        '--artifact',
        'event_record',
        '--artifact=control_signal',
        'no-such.json',
      ],
      '--artifact',
    ],
    // --check: nothing is written even if the repeat went unnoticed.
    [['paths', '--machine', 'turn', '--check', '--out', 'a', '--out', 'b'], '--out'],
  ])('refuses a repeated flag, naming it, for %j (issue 10 item 19)', async (argv, flag) => {
    const run = await runCli(argv, process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `flag ${flag} repeated: expected it at most once, received it 2 times`,
    );
    expect(run.stdout).toBe('');
  });
});
