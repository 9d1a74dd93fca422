import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../tools/cli/command.ts';
import { machinesCommand } from '../../tools/cli/commands/machines.ts';
import { pathsCommand } from '../../tools/cli/commands/paths.ts';
import { RSPP_MACHINES, loadMachine } from '../../tools/paths/load.ts';
import { stateNodesOf } from '../../tools/paths/transitions.ts';
import { runCli } from '../cli/helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = 'test/paths/fixtures';

/** Runs a command in-process and captures its output. */
async function run(command: typeof pathsCommand, args: string[], cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => void out.push(l), err: (l) => void err.push(l), cwd };
  const code = await command.run(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'rspp-paths-'));

describe('rspp paths', () => {
  it('rejects an unknown machine with exit 2 and lists the valid ones', async () => {
    const r = await run(pathsCommand, ['--machine', 'toaster']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      'unknown machine "toaster" (valid: turn, session, node, invocation, session-lease, worker)',
    );
  });

  it('rejects missing flags, bad bounds and bad strategies with exit 2', async () => {
    expect((await run(pathsCommand, [])).code).toBe(2);
    expect((await run(pathsCommand, ['--module', 'x.ts'])).err).toContain(
      'both --module FILE and --export NAME',
    );
    const bound = await run(pathsCommand, ['--machine', 'turn', '--max-states', 'lots']);
    expect([bound.code, bound.err.split('\n')[0]]).toEqual([
      2,
      'rspp paths: --max-states must be a positive integer, got lots',
    ]);
    expect((await run(pathsCommand, ['--machine', 'turn', '--strategy', 'random'])).code).toBe(2);
  });

  it('rejects a module that does not exist with exit 2', async () => {
    const r = await run(pathsCommand, ['--module', 'nope/missing.ts', '--export', 'm']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`module not found: ${join(ROOT, 'nope/missing.ts')}`);
  });

  it('fails with exit 1 when the module cannot be imported', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'broken.ts'), 'export const broken = ;\n');
    const r = await run(pathsCommand, ['--module', 'broken.ts', '--export', 'broken'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot import');
  });

  it('fails with exit 1 when the export is missing or not a machine', async () => {
    const module = `${FIXTURES}/counter.machine.ts`;
    const missing = await run(pathsCommand, ['--module', module, '--export', 'toasterMachine']);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/does not export toasterMachine \(exports: .*counterMachine/);
    const notMachine = await run(pathsCommand, ['--module', module, '--export', 'notAMachine']);
    expect([notMachine.code, notMachine.err]).toEqual([
      1,
      expect.stringContaining('notAMachine in'),
    ]);
    expect(notMachine.err).toContain('is not an XState machine');
  });

  it('fails with exit 1 when the events export is missing or malformed', async () => {
    const module = `${FIXTURES}/cycle.machine.ts`;
    const r = await run(pathsCommand, [
      '--module',
      module,
      '--export',
      'cycleMachine',
      '--events-export',
      'cycleEvents',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('does not export cycleEvents: export the concrete events');
    const counter = `${FIXTURES}/counter.machine.ts`;
    const bad = await run(pathsCommand, [
      '--module',
      counter,
      '--export',
      'counterMachine',
      '--events-export',
      'badPathEvents',
    ]);
    expect(bad.err).toContain('badPathEvents in');
    expect(bad.err).toContain('[0] is not an event object with a string type');
  });

  it('stops an exploding machine at a bound and names it (exit 1)', async () => {
    const module = `${FIXTURES}/counter.machine.ts`;
    const args = ['--module', module, '--export', 'counterMachine', '--out', tmp()];
    const r = await run(pathsCommand, args);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'path space exceeds maxDepth=40: a new snapshot is only reachable in 41 steps',
    );
    expect(r.err).toContain('bound: maxDepth=40 (raise it with --max-depth)');
    const wide = await run(pathsCommand, [...args, '--max-depth', '5000', '--max-states', '300']);
    expect([wide.code, wide.err.split('\n')[0]]).toEqual([
      1,
      expect.stringContaining('path space exceeds maxStates=300'),
    ]);
  });

  it('writes a suite, prints its coverage and checks staleness', async () => {
    const out = tmp();
    const args = [
      '--module',
      `${FIXTURES}/counter.machine.ts`,
      '--export',
      'counterMachine',
      '--serializer-export',
      'counterValueOnly',
      '--out',
      out,
    ];
    const r = await run(pathsCommand, args);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('counter: 2 paths, 2/2 states, 3/3 transitions covered');
    const file = join(out, 'counter.paths.generated.test.ts');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain("it('path 01: reaches on via inc'");
    expect(text).toContain(`from '${relative(out, join(ROOT, 'tools/paths/runtime.ts'))}'`);
    expect((await run(pathsCommand, [...args, '--check'])).code).toBe(0);
    writeFileSync(file, `${text}// edited\n`);
    const stale = await run(pathsCommand, [...args, '--check']);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain('is stale: run `npx rspp paths --module');
  });

  it('warns when a declared transition is not covered by the events', async () => {
    const module = `${FIXTURES}/cycle.machine.ts`;
    const dir = tmp();
    writeFileSync(
      join(dir, 'events.ts'),
      "export const cyclePathEvents = [{ type: 'next' }, { type: 'skip' }];\n",
    );
    const r = await run(
      pathsCommand,
      [
        '--module',
        join(ROOT, module),
        '--export',
        'cycleMachine',
        '--events-module',
        'events.ts',
        '--out',
        dir,
      ],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.out).toContain('cycle: 2 paths, 4/4 states, 4/5 transitions covered');
    expect(r.err).toContain(
      "transitions no path takes (the suite's coverage check will fail): cycle.c:done:0",
    );
  });
});

describe('rspp machines', () => {
  const lifecycle = [
    '--module',
    `${FIXTURES}/lifecycle.machine.ts`,
    '--export',
    'lifecycleMachine',
  ];

  it('rejects unknown machines, formats and subcommands with exit 2', async () => {
    const machine = await run(machinesCommand, [
      'export',
      '--machine',
      'toaster',
      '--format',
      'dot',
    ]);
    expect([machine.code, machine.err.split('\n')[0]]).toEqual([
      2,
      'rspp machines: unknown machine "toaster" (valid: turn, session, node, invocation, session-lease, worker)',
    ]);
    const format = await run(machinesCommand, ['export', '--machine', 'turn', '--format', 'svg']);
    expect([format.code, format.err.split('\n')[0]]).toEqual([
      2,
      'rspp machines: unknown format "svg" (valid: json, dot, mermaid)',
    ]);
    expect((await run(machinesCommand, ['draw'])).code).toBe(2);
  });

  it('exports JSON with every state', async () => {
    const r = await run(machinesCommand, ['export', ...lifecycle, '--format', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as { id: string; states: Record<string, unknown> };
    expect(json.id).toBe('lifecycle');
    expect(Object.keys(json.states)).toEqual([
      'idle',
      'opening',
      'active',
      'terminal',
      'closed',
      'rejected',
    ]);
  });

  it('exports DOT with guards in labels and double-bordered finals', async () => {
    const r = await run(machinesCommand, ['export', ...lifecycle, '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('"lifecycle.opening" -> "lifecycle.active" [label="check [passed]"];');
    expect(r.out).toContain('"lifecycle.closed" [label="closed", peripheries=2];');
    expect(r.out).toContain('"lifecycle.active" -> "lifecycle.terminal" [label="after budget"];');
    expect(r.out).toContain(
      '"lifecycle.terminal" -> "lifecycle.closed" [label="always [committed]", style=dotted];',
    );
  });

  it('exports Mermaid stateDiagram-v2', async () => {
    const r = await run(machinesCommand, ['export', ...lifecycle, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> lifecycle_idle');
    expect(lines).toContain('  lifecycle_closed --> [*]');
    expect(lines).toContain('  lifecycle_opening --> lifecycle_active : check [passed]');
  });

  it('lists the registered machines', async () => {
    const r = await run(machinesCommand, ['list']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split('\t')[0])).toEqual([
      'turn',
      'session',
      'node',
      'invocation',
      'session-lease',
      'worker',
    ]);
  });

  it("exports every state of RSPP's machines in every format", async () => {
    for (const entry of RSPP_MACHINES) {
      const machine = await loadMachine(join(ROOT, entry.module), entry.exportName);
      const ids = stateNodesOf(machine).map((n) => n.id);
      for (const format of ['json', 'dot', 'mermaid']) {
        const r = await run(machinesCommand, [
          'export',
          '--machine',
          entry.name,
          '--format',
          format,
        ]);
        expect(r.code, `${entry.name} ${format}`).toBe(0);
        const text = format === 'json' ? JSON.stringify(JSON.parse(r.out)) : r.out;
        for (const id of ids) {
          const spelled = format === 'mermaid' ? id.replace(/[^A-Za-z0-9_]/g, '_') : id;
          expect(text, `${entry.name} ${format} ${id}`).toContain(spelled);
        }
      }
    }
  });
});

describe("rspp paths on RSPP's machines", () => {
  it(
    'writes the turn suite elsewhere with imports relative to that directory',
    { timeout: 60_000 },
    async () => {
      const out = tmp();
      const r = await run(pathsCommand, ['--machine', 'turn', '--out', out]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^turn: \d+ paths, (\d+)\/\1 states, (\d+)\/\2 transitions covered$/m);
      const text = readFileSync(join(out, 'turn.paths.generated.test.ts'), 'utf8');
      expect(text).toContain(`from '${relative(out, join(ROOT, 'machines/turn.machine.ts'))}'`);
      expect(text).toContain('// Generated by `npx rspp paths --machine turn`');
    },
  );
});

describe('rspp paths on modules that never finish (issue 10, item 18)', () => {
  it('stops an eventless cycle with a clear error instead of hanging (issue 10 item 18)', async () => {
    const module = `${FIXTURES}/eventless-cycle.machine.ts`;
    const r = await run(pathsCommand, [
      '--module',
      module,
      '--export',
      'eventlessCycleMachine',
      '--out',
      tmp(),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('rspp paths: generation failed: transition from "idle" on go threw:');
    expect(r.err).toContain('no stable state after 10000 microsteps');
    expect(r.err).toContain('an eventless (always) transition or a raised event loops');
    const initial = await run(pathsCommand, [
      '--module',
      module,
      '--export',
      'initialCycleMachine',
      '--out',
      tmp(),
    ]);
    expect(initial.code).toBe(1);
    expect(initial.err).toContain(
      'rspp paths: generation failed: the initial state threw: no stable state after 10000 microsteps',
    );
    expect(initial.out).not.toContain('wrote');
  });

  it('refuses a FIFO given as --module without opening it (issue 10 item 18)', async () => {
    const dir = tmp();
    const fifo = join(dir, 'pipe.ts');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = await run(pathsCommand, ['--module', fifo, '--export', 'm', '--out', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--module ${fifo}: expected a regular file, received a FIFO`);
  });

  it('names a module whose top-level await never settles (issue 10 item 18)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'stuck.mts'), 'await new Promise(() => {});\nexport const m = 1;\n');
    const r = await run(
      pathsCommand,
      ['--module', 'stuck.mts', '--export', 'm', '--out', dir],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `cannot import ${join(dir, 'stuck.mts')}: its top-level await never settles`,
    );
  });

  it('names a module that calls process.exit while loading, instead of a false success (issue 10 item 18)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'quits.mts'), 'process.exit(0);\nexport const m = 1;\n');
    const r = await run(
      pathsCommand,
      ['--module', 'quits.mts', '--export', 'm', '--out', dir],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot import ${join(dir, 'quits.mts')}: it called process.exit(0)`);
    expect(r.out).not.toContain('wrote');
  });

  it('bounds a module that keeps the process busy forever with --timeout-ms (issue 10 item 18)', async () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'busy.mts'),
      'await new Promise(() => setInterval(() => undefined, 60_000));\nexport const m = 1;\n',
    );
    const r = await run(
      pathsCommand,
      ['--module', 'busy.mts', '--export', 'm', '--timeout-ms', '1000'],
      dir,
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('rspp paths: generation did not finish within --timeout-ms 1000');
    expect(r.err).toContain(`(still importing ${join(dir, 'busy.mts')})`);
  });
});

describe('rspp paths output paths (issue 10, item 19)', () => {
  it('names an unusable --out directory and the reason, and leaves files alone (issue 10 item 19)', async () => {
    const dir = tmp();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'keep me\n');
    const args = ['paths', '--module', `${FIXTURES}/cycle.machine.ts`, '--export', 'cycleMachine'];
    const devNull = await runCli([...args, '--out', '/dev/null/x'], ROOT);
    expect(devNull.code).toBe(1);
    expect(devNull.stderr).not.toContain('internal error');
    expect(devNull.stderr).toContain(
      'rspp paths: --out /dev/null/x: expected a writable directory, received ENOTDIR (a parent is not a directory)',
    );
    const file = await runCli([...args, '--out', blocker], ROOT);
    expect(file.code).toBe(1);
    expect(file.stderr).toContain(`--out ${blocker}: expected a writable directory`);
    expect(readFileSync(blocker, 'utf8')).toBe('keep me\n');
  });

  it('escapes control characters in the paths it prints (issue 10 item 19)', async () => {
    const out = join(tmp(), 'out\nwrote forged.ts');
    const args = ['--module', `${FIXTURES}/cycle.machine.ts`, '--export', 'cycleMachine'];
    const r = await run(pathsCommand, [...args, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((line) => line.startsWith('wrote forged'))).toEqual([]);
    expect(r.out).toContain('out\\nwrote forged.ts/cycle.paths.generated.test.ts');
    const missing = await run(pathsCommand, ['--module', 'no\nwrote x.ts', '--export', 'm']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no\\nwrote x.ts');
    expect(missing.err.split('\n').filter((line) => line.startsWith('wrote'))).toEqual([]);
  });
});
