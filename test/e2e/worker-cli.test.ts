import { describe, expect, it } from 'vitest';
import { parseWorkerFlags, runWorker, workerCommand } from '../../tools/cli/commands/worker.ts';
import type { CliIo } from '../../tools/cli/command.ts';
import { findFreeLoopbackPort } from '../harness/nats-server.ts';
import { spawnRspp } from './worker-process.ts';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), cwd: process.cwd() };
  return { io, out, err };
};

const never = () => new Promise<string>(() => undefined);

describe('rspp worker: flags', () => {
  it.each([
    [[], '--nats-url: expected nats://host:port, received nothing'],
    [['--nats-url', 'not a url'], '--nats-url: expected nats://host:port, received not a url'],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--concurrency', '0'],
      '--concurrency: expected an integer 1..1024, received 0',
    ],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--concurrency', 'x'],
      '--concurrency: expected an integer 1..1024, received x',
    ],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--tenant', 'a.b'],
      "--tenant: invalid tenant_id: must not contain '.'",
    ],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--connect-timeout-ms', '5'],
      '--connect-timeout-ms: expected an integer 100..60000, received 5',
    ],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--lease-ttl-ms', '999'],
      '--lease-ttl-ms: expected an integer 1000..600000, received 999',
    ],
    [
      ['--nats-url', 'nats://127.0.0.1:1', '--reap-orphans-every-ms', '600001'],
      '--reap-orphans-every-ms: expected an integer 0..600000, received 600001',
    ],
    [['--nats-url', 'nats://127.0.0.1:1', 'extra'], 'arguments: expected none, received extra'],
  ])('rejects %j with exit 2, naming field, expected and received', async (args, message) => {
    const { io, err } = capture();
    expect(await workerCommand.run(args, io)).toBe(2);
    expect(err[0]).toContain(`rspp worker: ${message}`);
  });

  it('accepts valid flags with defaults', () => {
    expect(parseWorkerFlags(['--nats-url', 'nats://127.0.0.1:4222', '--name', 'w1'])).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      concurrency: 4,
      name: 'w1',
      connectTimeoutMs: 5000,
      leaseTtlMs: 10_000,
    });
    expect(
      parseWorkerFlags([
        '--nats-url',
        '127.0.0.1:4222',
        '--tenant',
        't1',
        '--concurrency',
        '8',
        '--lease-ttl-ms',
        '3000',
        '--reap-orphans-every-ms',
        '0',
      ]),
    ).toMatchObject({
      tenant: 't1',
      concurrency: 8,
      leaseTtlMs: 3000,
      reapOrphansEveryMs: 0,
    });
  });
});

describe('rspp worker: unreachable NATS', () => {
  it('fails with a clear error and exit 1 instead of hanging (in-process)', async () => {
    const port = await findFreeLoopbackPort();
    const { io, err } = capture();
    const flags = parseWorkerFlags([
      '--nats-url',
      `nats://127.0.0.1:${String(port)}`,
      '--connect-timeout-ms',
      '1000',
    ]);
    if ('error' in flags) throw new Error(flags.error);
    expect(await runWorker(flags, io, never)).toBe(1);
    expect(err.join('\n')).toContain(
      `rspp worker: cannot start on nats://127.0.0.1:${String(port)}`,
    );
  });

  it('exits 1 as a process', async () => {
    const port = await findFreeLoopbackPort();
    const worker = spawnRspp('unreachable', [
      'worker',
      '--nats-url',
      `nats://127.0.0.1:${String(port)}`,
    ]);
    try {
      expect(await worker.exited).toEqual({ code: 1, signal: null });
      expect(worker.stderr()).toContain('cannot start on');
    } finally {
      worker.kill();
    }
  }, 30_000);
});
