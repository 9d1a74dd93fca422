/**
 * `rspp worker` on a nats-server that authorizes users (docs/operations.md): the worker's user
 * comes from the environment or a creds file, never from a flag, and a wrong password is a clear
 * exit 1 that does not print the password.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

const CONFIG = fileURLToPath(new URL('../fixtures/nats/tenant-auth.conf', import.meta.url));

describe('rspp worker with NATS credentials', () => {
  let server: NatsServerHandle | undefined;
  const workers: WorkerProcess[] = [];
  const worker = (name: string, env: Record<string, string>, extra: string[] = []) => {
    if (server === undefined) throw new Error('no server');
    const started = spawnRspp(
      name,
      ['worker', '--nats-url', server.url, '--name', name, ...extra],
      env,
    );
    workers.push(started);
    return started;
  };

  beforeAll(async () => {
    server = await startNatsServer({ configFile: CONFIG });
  });

  afterAll(async () => {
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await server?.dispose();
  });

  it('serves with the worker user from RSPP_NATS_USER and RSPP_NATS_PASSWORD', async () => {
    const w = worker('cred-ok', {
      RSPP_NATS_USER: 'rspp-worker',
      RSPP_NATS_PASSWORD: 'worker-test-secret',
    });
    await w.waitForEvent((e) => e.event === 'ready', 'ready');
  });

  it('exits 1 on a wrong password, naming the refusal and not the password', async () => {
    const w = worker(
      'cred-bad',
      {
        RSPP_NATS_USER: 'rspp-worker',
        RSPP_NATS_PASSWORD: 'not-the-secret',
      },
      ['--connect-timeout-ms', '2000'],
    );
    const { code } = await w.exited;
    expect(code).toBe(1);
    expect(w.stderr()).toMatch(
      /^rspp worker: cannot start on nats:\/\/127\.0\.0\.1:\d+: .*authorization/im,
    );
    expect(w.stderr()).not.toContain('not-the-secret');
  });

  it('refuses a password without a user, and a creds file it cannot read (exit 2)', async () => {
    const lonely = worker('cred-half', { RSPP_NATS_PASSWORD: 'x' });
    expect((await lonely.exited).code).toBe(2);
    expect(lonely.stderr()).toContain(
      'RSPP_NATS_USER: expected a user name beside RSPP_NATS_PASSWORD, received none',
    );
    const missing = worker('cred-file', {}, ['--nats-creds', '/nonexistent/worker.creds']);
    expect((await missing.exited).code).toBe(2);
    expect(missing.stderr()).toContain(
      '--nats-creds /nonexistent/worker.creds: expected a readable file, received ENOENT',
    );
  });
});
