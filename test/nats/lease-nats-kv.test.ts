/**
 * Runs the lease conformance suite against the nats-kv store on the harness's nats-server (two
 * connections, as two workers would have), plus KV-only checks: the epoch is the key's revision
 * and a stale revision is refused by the server itself.
 */
import { randomUUID } from 'node:crypto';
import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNatsKvLeases } from '../../adapters/lease/nats-kv/index.ts';
import { leaseKey } from '../../contracts/internal.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';
import { defineLeaseConformance, leaseFailure } from '../conformance/lease/lease-conformance.ts';

const RUN = randomUUID().slice(0, 8);
/** Long enough that no lease of a `stable` case lapses; the expiring bucket uses the server minimum. */
const BUCKETS = {
  stable: { name: `T_LEASES_${RUN}`, ttlMs: 60_000 },
  expiring: { name: `T_LEASES_SHORT_${RUN}`, ttlMs: 100 },
} as const;

let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect({ servers: inject('natsUrl'), name: 'lease-test-admin' });
});
afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  for (const bucket of Object.values(BUCKETS)) {
    await jsm.streams.delete(`KV_${bucket.name}`).catch(() => false);
  }
  await nc.close();
});

defineLeaseConformance({
  name: 'nats-kv',
  async create(mode) {
    const { name, ttlMs } = BUCKETS[mode];
    const connections = await Promise.all(
      ['lease-a', 'lease-b'].map((n) => connect({ servers: inject('natsUrl'), name: n })),
    );
    const [ncA, ncB] = connections as [NatsConnection, NatsConnection];
    const a = await createNatsKvLeases({ nc: ncA, ttlMs, bucket: name });
    const b = await createNatsKvLeases({ nc: ncB, ttlMs, bucket: name });
    return {
      a,
      b,
      async lapse(lease) {
        if (mode !== 'expiring') throw new Error('lapse needs the expiring fixture');
        // The server removes the lease at max age; poll for it (bounded), never assert a duration.
        await waitFor('the lease lapsed', async () => (await lease.current()) === null, 10_000);
      },
      async dispose() {
        await a.close();
        await b.close();
        for (const c of connections) if (!c.isClosed()) await c.close();
      },
    };
  },
});

describe('nats-kv lease store (KV layout and fencing)', () => {
  const open = async () => {
    const leases = await createNatsKvLeases({
      nc,
      ttlMs: BUCKETS.stable.ttlMs,
      bucket: BUCKETS.stable.name,
    });
    const kv: KV = await new Kvm(nc).open(BUCKETS.stable.name);
    return { leases, kv, tenant: `t-${randomUUID().slice(0, 8)}` };
  };

  it('stores the lease under <tenant>.<session> with epoch = the revision of the acquiring write', async () => {
    const { leases, kv, tenant } = await open();
    const lease = leases.lease(tenant, 'call:42');
    const key = `${tenant}.call=3A42`;
    expect(leaseKey(tenant, 'call:42')).toBe(key);
    const grant = await lease.acquire('worker-a');
    const acquired = await kv.get(key);
    expect(acquired?.revision).toBe(grant.epoch);
    expect(acquired?.json()).toEqual({ holder: 'worker-a' });
    const renewed = await lease.renew(grant);
    const latest = await kv.get(key);
    expect(latest?.revision).toBe(renewed.revision);
    expect(latest?.json()).toEqual({ holder: 'worker-a', epoch: grant.epoch });
    expect(await lease.release(renewed)).toBe(true);
    expect((await kv.get(key))?.operation).toBe('DEL');
  });

  it('is fenced by the server: a write conditional on a stale revision is refused with 10071', async () => {
    const { leases, kv, tenant } = await open();
    const lease = leases.lease(tenant, 's-1');
    const grant = await lease.acquire('worker-a');
    await lease.renew(grant);
    const refused: unknown = await kv
      .update(leaseKey(tenant, 's-1'), JSON.stringify({ holder: 'intruder' }), grant.revision)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(JetStreamApiError);
    expect((refused as JetStreamApiError).code).toBe(10071);
    expect(await lease.current()).toEqual({ holder: 'worker-a', epoch: grant.epoch });
  });

  it('reports a value that is not a lease record as invalid_record', async () => {
    const { leases, kv, tenant } = await open();
    await kv.put(leaseKey(tenant, 's-1'), 'not json');
    const failure = await leaseFailure(leases.lease(tenant, 's-1').current());
    expect(failure.code).toBe('invalid_record');
    expect(failure.message).not.toContain('not json');
  });

  it('refuses to open an existing bucket with another TTL, naming expected and received', async () => {
    const failure = await leaseFailure(
      createNatsKvLeases({ nc, ttlMs: 5_000, bucket: BUCKETS.stable.name }),
    );
    expect(failure.code).toBe('bucket_mismatch');
    expect(failure.message).toContain(
      `lease bucket ${BUCKETS.stable.name}: expected ttl 5000, received 60000`,
    );
  });

  it('rejects a TTL below the server minimum and a bad bucket name', async () => {
    const ttl = await leaseFailure(createNatsKvLeases({ nc, ttlMs: 50 }));
    expect(ttl.message).toBe('invalid ttlMs: expected an integer >= 100, received 50');
    const bucket = await leaseFailure(createNatsKvLeases({ nc, ttlMs: 1_000, bucket: 'a.b' }));
    expect(bucket).toMatchObject({ code: 'invalid_input', field: 'bucket' });
  });

  it('turns a transport failure into a retryable unavailable error', async () => {
    const own = await connect({ servers: inject('natsUrl'), name: 'lease-closing' });
    const leases = await createNatsKvLeases({
      nc: own,
      ttlMs: BUCKETS.stable.ttlMs,
      bucket: BUCKETS.stable.name,
    });
    await own.close();
    const failure = await leaseFailure(leases.lease('t', 's').acquire('worker-a'));
    expect(failure).toMatchObject({ code: 'unavailable', retryable: true, provider: 'nats-kv' });
  });
});
