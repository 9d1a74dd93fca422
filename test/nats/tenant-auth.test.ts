/**
 * Tenant isolation by the NATS server's own authorization (issue 10 item 4): a nats-server
 * started from test/fixtures/nats/tenant-auth.conf (one user per tenant, one worker user) on a
 * random loopback port. A tenant reaches its own lanes and nothing of another tenant's: publishes
 * and subscriptions are refused by the server, so nothing is delivered. Waits are bounded polls;
 * "nothing arrived" is shown by a later message on the same path arriving alone.
 */
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import {
  PermissionViolationError,
  connect,
  usernamePasswordAuthenticator,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import type { ControlSignal, Lane } from '../../contracts/index.ts';
import {
  CONTROL_STREAM_NAME,
  assignmentSubject,
  laneSubject,
  type BusDiagnostic,
} from '../../contracts/internal.ts';
import type { MachineOutput } from '../../machines/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import {
  assignSession,
  startWorker,
  type AssignmentReply,
  type Worker,
} from '../../tools/worker/index.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';
import { startNatsServer, type NatsServerHandle } from '../harness/nats-server.ts';

const CONFIG = fileURLToPath(new URL('../fixtures/nats/tenant-auth.conf', import.meta.url));
const OPERATIONS_DOC = fileURLToPath(new URL('../../docs/operations.md', import.meta.url));
/** The users of the fixture and their test passwords. */
const USERS = {
  worker: { user: 'rspp-worker', pass: 'worker-test-secret' },
  a: { user: 'tenant-a', pass: 'tenant-a-test-secret' },
  b: { user: 'tenant-b', pass: 'tenant-b-test-secret' },
} as const;
const A = 'tenant-a';
const B = 'tenant-b';
const LANES: readonly Lane[] = ['ControlLane', 'DataLane', 'TelemetryLane'];

/** A connection as one user, with every permission violation the server reported to it. */
type Client = { readonly nc: NatsConnection; readonly violations: PermissionViolationError[] };

let server: NatsServerHandle;
const clients: NatsConnection[] = [];
const buses: NatsBus[] = [];
let worker: Worker;
const workerLog: Readonly<Record<string, unknown>>[] = [];

/** Connects as `who`; a tenant gets its own inbox prefix, as the deployment requires. */
async function connectAs(who: keyof typeof USERS): Promise<Client> {
  const { user, pass } = USERS[who];
  const nc = await connect({
    servers: server.url,
    name: `tenant-auth-${user}`,
    authenticator: usernamePasswordAuthenticator(user, pass),
    ...(who === 'worker' ? {} : { inboxPrefix: `_INBOX_${user}` }),
  });
  clients.push(nc);
  const violations: PermissionViolationError[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof PermissionViolationError) {
        violations.push(status.error);
      }
    }
  })();
  return { nc, violations };
}

/** Collects the subjects a subscription receives. */
function collect(nc: NatsConnection, subject: string): { sub: Subscription; got: string[] } {
  const got: string[] = [];
  const sub = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error === null) got.push(msg.subject);
    },
  });
  return { sub, got };
}

const publishViolations = (client: Client) =>
  client.violations.filter((v) => v.operation === 'publish').map((v) => v.subject);

beforeAll(async () => {
  server = await startNatsServer({ configFile: CONFIG });
  // The worker creates the ControlLane stream and the lease bucket: deploy it before tenants.
  worker = await startWorker({
    natsUrl: server.url,
    authenticator: usernamePasswordAuthenticator(USERS.worker.user, USERS.worker.pass),
    concurrency: 2,
    worker_id: 'auth-w1',
    connectTimeoutMs: 5_000,
    log: (event) => workerLog.push(event),
  });
}, 30_000);

afterAll(async () => {
  for (const bus of buses) await bus.close();
  for (const nc of clients) await nc.close();
  await worker.drain();
  await server.dispose();
});

describe('NATS tenant authorization (issue 10 item 4)', () => {
  it('is the configuration docs/operations.md shows: every conf snippet is copied from the fixture', () => {
    const doc = readFileSync(OPERATIONS_DOC, 'utf8');
    const snippets = [...doc.matchAll(/```conf\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    expect(snippets.length).toBe(3);
    const fixture = readFileSync(CONFIG, 'utf8');
    for (const snippet of snippets) expect(fixture).toContain(snippet);
  });

  it('refuses a client without valid credentials', async () => {
    await expect(
      connect({
        servers: server.url,
        authenticator: usernamePasswordAuthenticator(A, 'wrong'),
        reconnect: false,
      }),
    ).rejects.toThrow(/Authorization Violation/);
  });

  it('lets a tenant publish its ingress and read its egress on every lane, and the worker the other way round', async () => {
    const a = await connectAs('a');
    const w = await connectAs('worker');
    const ingress = collect(w.nc, 'rspp.v1.*.*.in.*');
    const egress = LANES.map((lane) => collect(a.nc, laneSubject(A, 'own-1', lane, 'egress')));
    await Promise.all([a.nc.flush(), w.nc.flush()]);
    for (const lane of LANES) {
      a.nc.publish(laneSubject(A, 'own-1', lane, 'ingress'), 'x');
      w.nc.publish(laneSubject(A, 'own-1', lane, 'egress'), 'x');
    }
    await waitFor('ingress at the worker', () => ingress.got.length === LANES.length);
    await waitFor('egress at the tenant', () => egress.every((e) => e.got.length === 1));
    expect(ingress.got).toEqual(LANES.map((lane) => laneSubject(A, 'own-1', lane, 'ingress')));
    expect(a.violations).toEqual([]);
    expect(w.violations).toEqual([]);
  });

  it("refuses a tenant publishing on another tenant's lanes, and delivers none of it", async () => {
    const a = await connectAs('a');
    const b = await connectAs('b');
    const w = await connectAs('worker');
    const ingress = collect(w.nc, 'rspp.v1.*.*.in.*');
    const bEgress = collect(b.nc, `rspp.v1.${B}.*.out.*`);
    await Promise.all([b.nc.flush(), w.nc.flush()]);
    const foreign = LANES.flatMap((lane) => [
      laneSubject(B, 'theirs-1', lane, 'ingress'),
      laneSubject(B, 'theirs-1', lane, 'egress'),
    ]);
    for (const subject of foreign) a.nc.publish(subject, 'spoofed');
    // The server answers each refused publish in order; a later allowed one goes through.
    a.nc.publish(laneSubject(A, 'own-2', 'DataLane', 'ingress'), 'sentinel');
    await waitFor('one violation per foreign subject', () => a.violations.length >= 6);
    expect(publishViolations(a)).toEqual(foreign);
    await waitFor('the sentinel at the worker', () => ingress.got.length > 0);
    w.nc.publish(laneSubject(B, 'theirs-1', 'DataLane', 'egress'), 'sentinel');
    await waitFor("the worker's sentinel at tenant B", () => bEgress.got.length > 0);
    expect(ingress.got).toEqual([laneSubject(A, 'own-2', 'DataLane', 'ingress')]);
    expect(bEgress.got).toEqual([laneSubject(B, 'theirs-1', 'DataLane', 'egress')]);
  });

  it("refuses a tenant subscribing to another tenant's lanes, its inboxes or everything", async () => {
    const a = await connectAs('a');
    const foreign = [
      ...LANES.map((lane) => laneSubject(B, 'theirs-2', lane, 'egress')),
      `rspp.v1.${B}.*.in.*`,
      `rspp.v1.${B}.>`,
      'rspp.v1.>',
      '>',
      '_INBOX.>',
      `_INBOX_${B}.>`,
      // Its own ingress too: only the worker reads ingress.
      `rspp.v1.${A}.*.in.*`,
    ];
    const closed = await Promise.all(foreign.map((subject) => a.nc.subscribe(subject).closed));
    for (const [i, error] of closed.entries()) {
      expect(error).toBeInstanceOf(PermissionViolationError);
      expect(error).toMatchObject({ operation: 'subscription', subject: foreign[i] });
    }
  });

  it("keeps another tenant's ControlLane out of reach through the JetStream API", async () => {
    const a = await connectAs('a');
    const jsm = await jetstreamManager(a.nc);
    const refused = [
      // A consumer filtered on B's ControlLane (the create subject names the filter).
      jsm.consumers.add(CONTROL_STREAM_NAME, {
        durable_name: 'a_reads_b',
        filter_subject: laneSubject(B, 'theirs-3', 'ControlLane', 'egress'),
        ack_policy: AckPolicy.Explicit,
      }),
      // A consumer without a filter: every tenant's ControlLane.
      jsm.consumers.add(CONTROL_STREAM_NAME, {
        durable_name: 'a_reads_all',
        ack_policy: AckPolicy.Explicit,
      }),
      jsm.streams.getMessage(CONTROL_STREAM_NAME, { seq: 1 }),
      jsm.streams.info(CONTROL_STREAM_NAME),
      (async () => {
        for await (const consumer of jsm.consumers.list(CONTROL_STREAM_NAME)) void consumer;
      })(),
    ];
    for (const attempt of refused) await expect(attempt).rejects.toThrow(/Permissions Violation/);
    // Its own filter in the subject but B's in the body: the server refuses the mismatch.
    const mismatch = await a.nc.request(
      `$JS.API.CONSUMER.CREATE.${CONTROL_STREAM_NAME}.a_smuggles.rspp.v1.${A}.>`,
      JSON.stringify({
        stream_name: CONTROL_STREAM_NAME,
        config: {
          name: 'a_smuggles',
          durable_name: 'a_smuggles',
          filter_subject: `rspp.v1.${B}.>`,
          ack_policy: 'explicit',
        },
      }),
      { timeout: 5_000 },
    );
    expect(mismatch.json<{ error?: { err_code: number } }>().error?.err_code).toBe(10131);
  });

  it("runs a tenant's session under its own users; another tenant can neither assign, read nor end it", async () => {
    const a = await connectAs('a');
    const b = await connectAs('b');
    const diagnostics: Record<'a' | 'b', BusDiagnostic[]> = { a: [], b: [] };
    const tenantBus = async (who: 'a' | 'b') => {
      const bus = await createNatsBus({
        servers: server.url,
        name: `tenant-auth-bus-${who}`,
        authenticator: usernamePasswordAuthenticator(USERS[who].user, USERS[who].pass),
        inboxPrefix: `_INBOX_${USERS[who].user}`,
        onDiagnostic: (d) => diagnostics[who].push(d),
      });
      buses.push(bus);
      return bus;
    };
    const busA = await tenantBus('a');
    const busB = await tenantBus('b');
    const session_id = `auth-${String(process.pid)}`;
    const session = await assignSession({ nc: a.nc, bus: busA }, { tenant_id: A, session_id });
    try {
      expect(session.worker_id).toBe('auth-w1');
      await session.feed({ at_ms: 0, kind: 'connection', text: 'connected' });
      await session.feed({ at_ms: 600, kind: 'speech_started' });
      await session.feed({ at_ms: 1000, kind: 'transcript_final', text: 'hello there' });
      await session.waitFor((c) => c.some((s) => s.signal === 'turn_open'), 'turn_open');

      const body = JSON.stringify({ tenant_id: A, session_id: `${session_id}-b` });
      await expect(
        b.nc.request(assignmentSubject(A), body, { timeout: 5_000 }),
      ).rejects.toMatchObject({ cause: expect.any(PermissionViolationError) as unknown });
      // On its own subject, claiming A in the body: the worker refuses (the subject's tenant wins).
      const claimed = await b.nc.request(assignmentSubject(B), body, { timeout: 5_000 });
      expect(claimed.json<AssignmentReply>()).toMatchObject({
        accepted: false,
        reason: 'invalid_request',
        message: expect.stringContaining(`tenant_id: expected "${B}"`) as unknown,
      });
      await expect(
        busB.subscribe(A, session_id, () => undefined, { direction: 'egress' }),
      ).rejects.toThrow(/Permissions Violation/);
      // The session's end inbox lies under A's subjects: B cannot end it.
      expect(session.session_inbox).toMatch(new RegExp(`^${assignmentSubject(A)}\\.`));
      b.nc.publish(session.session_inbox, JSON.stringify({ op: 'end' }));
      await waitFor('the end refused', () => publishViolations(b).includes(session.session_inbox));
      expect(worker.active()).toBe(1);

      const ended = await session.end();
      expect(ended.ended).toBe(true);
      const outputs: MachineOutput[] = session.control.map((signal: ControlSignal) => ({
        type: 'control.signal',
        signal,
      }));
      expect(checkTurnInvariants(outputs, { complete: true })).toEqual([]);
      expect(session.control.at(-1)?.signal).toBe('close');
      expect(a.violations).toEqual([]);
      expect(diagnostics.a.filter((d) => d.severity === 'error')).toEqual([]);
      expect(workerLog.filter((e) => e['event'] === 'bus_diagnostic')).toEqual([]);
    } finally {
      await session.close();
    }
  }, 60_000);
});
