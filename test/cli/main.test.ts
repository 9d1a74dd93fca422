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
});
