/**
 * Issue 14: `rspp worker --pipeline FILE` from a real worker process. A refused file exits 2
 * before NATS is dialled; a worker on `examples/offline.json` (or `text-only.json`) serves
 * sessions whose records carry the file's pipeline_version and whose output comes from its
 * graph, and refuses an assignment naming another version.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import { assignmentSubject } from '../../contracts/internal.ts';
import { assignSession, type AssignmentReply } from '../../tools/worker/index.ts';
import { makeTempDir, removeTempDir } from '../cli/helpers.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';
import { spawnRspp, type WorkerProcess } from './worker-process.ts';

describe('rspp worker --pipeline (issue 14)', () => {
  let server: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  let bus: NatsBus | undefined;
  let dir = '';
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    // A server of its own: no other test's worker may take these sessions.
    server = await startNatsServer();
    nc = await connect({ servers: server.url, name: 'pipeline-driver' });
    bus = await createNatsBus({ servers: server.url, name: 'pipeline-driver-bus' });
    dir = await makeTempDir('rspp-worker-pipeline-');
    const file = { format: 'rspp.pipeline/v1', pipeline_version: 'x-v1', nodes: [], retries: 2 };
    await writeFile(join(dir, 'bad.json'), JSON.stringify(file));
  }, 60_000);

  afterAll(async () => {
    await bus?.close();
    await nc?.close();
    for (const w of workers) w.kill();
    await Promise.all(workers.map((w) => w.exited));
    await server?.dispose();
    await removeTempDir(dir);
  });

  it('exits 2 on a refused file before connecting, naming the file and its first issue', async () => {
    const bad = join(dir, 'bad.json');
    // Nothing listens on port 1: had the worker dialled NATS first, it would exit 1.
    const worker = spawnRspp('bad', [
      'worker',
      '--nats-url',
      'nats://127.0.0.1:1',
      '--pipeline',
      bad,
    ]);
    workers.push(worker);
    expect((await worker.exited).code).toBe(2);
    expect(worker.stderr().trim()).toBe(
      `rspp worker: ${bad}: /retries: unknown_field: expected no such field, received 2 (1 more after this one)`,
    );
    expect(worker.events).toEqual([]);
  });

  it.each([
    ['offline', 'offline-v1', 'tts'],
    ['text-only', 'text-only-v1', 'llm'],
  ])(
    'serves sessions on %s.json: records carry %s, output comes from its %s node',
    async (name, version, node) => {
      if (server === undefined || nc === undefined || bus === undefined)
        throw new Error('no setup');
      // A tenant per worker: a worker left over by a failed case never takes the next one's session.
      const tenant_id = `pipe-${name}`;
      const worker = spawnRspp(name, [
        'worker',
        '--nats-url',
        server.url,
        '--name',
        name,
        '--tenant',
        tenant_id,
        '--pipeline',
        `examples/${name}.json`,
      ]);
      workers.push(worker);
      const ready = await worker.waitForEvent((e) => e.event === 'ready', 'ready');
      expect(ready['pipeline_version']).toBe(version);
      const refused = await nc.request(
        assignmentSubject(tenant_id),
        JSON.stringify({
          tenant_id,
          session_id: `other-${String(process.pid)}`,
          options: { pipeline_version: 'pipeline-v1' },
        }),
        { timeout: 15_000 },
      );
      expect(refused.json<AssignmentReply>()).toEqual({
        accepted: false,
        worker_id: name,
        reason: 'invalid_request',
        message: `options.pipeline_version: expected "${version}" (the worker's --pipeline) or none, received "pipeline-v1"`,
      });

      // Driven by what the worker publishes, not by the clock: the next step waits for the turn.
      const session = await assignSession(
        { nc, bus },
        { tenant_id, session_id: `${name}-${String(process.pid)}` },
      );
      try {
        await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
        await session.feed({ at_ms: 600, kind: 'speech_started' });
        await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'hello there' });
        await session.waitFor((c) => c.some((s) => s.signal === 'close'), 'the turn closed');
        await session.end();
      } finally {
        await session.close();
      }
      const signals = session.control;
      expect(signals.map((s) => s.signal)).toContain('commit');
      expect(new Set(signals.map((s) => s.pipeline_version))).toEqual(new Set([version]));
      const spoken = signals.filter((s) => s.signal === 'output_accepted').map((s) => s.node_id);
      expect(new Set(spoken)).toEqual(new Set([node]));
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    },
  );
});
