/**
 * The lease conformance suite: one definition of the observable lease behaviour (ADR 0015), run
 * against every implementation (memory.test.ts here, test/nats/lease-nats-kv.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LeaseError,
  type LeaseGrant,
  type LeasePort,
  type LeaseState,
  type SessionLease,
} from '../../../contracts/internal.ts';
import { waitFor } from '../bus/fixtures.ts';

/** Two stores over the same storage (one instance, or two connections) and a way to let time pass. */
export interface LeaseFixture {
  /** The store of holder `worker-a`. */
  readonly a: LeasePort;
  /** The store of holder `worker-b`. */
  readonly b: LeasePort;
  /** Lets the TTL pass with no write, until `lease` is free again. */
  readonly lapse: (lease: SessionLease) => Promise<void>;
  /** Closes both stores (idempotent). */
  dispose(): Promise<void>;
}

/** What the suite needs from an implementation. */
export interface LeaseConformanceTarget {
  /** Name shown in the describe block. */
  readonly name: string;
  /**
   * A fresh fixture. `stable`: leases never lapse during a test (`lapse` may throw);
   * `expiring`: a short TTL, used only by the cases that call `lapse`.
   */
  create(mode: 'stable' | 'expiring'): Promise<LeaseFixture>;
}

/** Rejection of `promise` as a LeaseError (fails the test if it resolved or threw another type). */
export async function leaseFailure(promise: Promise<unknown>): Promise<LeaseError> {
  const error: unknown = await promise.then(
    () => new Error('expected a LeaseError, the call resolved'),
    (failure: unknown) => failure,
  );
  if (!(error instanceof LeaseError)) throw error;
  return error;
}

/** Defines the shared describe block for one implementation. */
export function defineLeaseConformance(target: LeaseConformanceTarget): void {
  describe(`lease conformance: ${target.name}`, () => {
    const fixtures: LeaseFixture[] = [];
    const open = async (mode: 'stable' | 'expiring' = 'stable') => {
      const fixture = await target.create(mode);
      fixtures.push(fixture);
      // A fresh tenant per test keeps cases apart on a shared bucket.
      const tenant = `t-${randomUUID().slice(0, 8)}`;
      return {
        ...fixture,
        tenant,
        leases: (session = 's-1') => ({
          a: fixture.a.lease(tenant, session),
          b: fixture.b.lease(tenant, session),
        }),
      };
    };
    afterEach(async () => {
      for (const fixture of fixtures.splice(0)) await fixture.dispose();
    });

    it('acquires a free lease: the epoch is the revision of that write, and current() reports it', async () => {
      const { leases } = await open();
      const { a, b } = leases();
      expect(await a.current()).toBeNull();
      const grant = await a.acquire('worker-a');
      expect(grant).toMatchObject({
        tenant_id: a.tenant_id,
        session_id: 's-1',
        holder: 'worker-a',
      });
      expect(grant.epoch).toBeGreaterThanOrEqual(1);
      expect(grant.revision).toBe(grant.epoch);
      expect(await a.current()).toEqual({ holder: 'worker-a', epoch: grant.epoch });
      expect(await b.current()).toEqual({ holder: 'worker-a', epoch: grant.epoch });
    });

    it('refuses a second holder while the lease is held, naming the current holder', async () => {
      const { leases } = await open();
      const { a, b } = leases();
      const grant = await a.acquire('worker-a');
      const refused = await leaseFailure(b.acquire('worker-b'));
      expect(refused.code).toBe('lease_held');
      expect(refused.retryable).toBe(false);
      expect(refused.current).toEqual({ holder: 'worker-a', epoch: grant.epoch });
      expect(refused.message).toContain('worker-a');
      // The refused attempt changed nothing: the holder still renews.
      expect((await a.renew(grant)).epoch).toBe(grant.epoch);
    });

    it('renews with the same epoch and a new revision; a renew with a stale revision fails lease_lost', async () => {
      const { leases } = await open();
      const { a } = leases();
      const first = await a.acquire('worker-a');
      const second = await a.renew(first);
      expect(second.epoch).toBe(first.epoch);
      expect(second.revision).toBeGreaterThan(first.revision);
      const stale = await leaseFailure(a.renew(first));
      expect(stale.code).toBe('lease_lost');
      expect(await a.current()).toEqual({ holder: 'worker-a', epoch: first.epoch });
      const third = await a.renew(second);
      expect(third.revision).toBeGreaterThan(second.revision);
    });

    it('hands the lease over after a release: the new epoch is larger and the old grant is fenced', async () => {
      const { leases } = await open();
      const { a, b } = leases();
      const old = await a.acquire('worker-a');
      expect(await a.release(old)).toBe(true);
      expect(await b.current()).toBeNull();
      const next = await b.acquire('worker-b');
      expect(next.epoch).toBeGreaterThan(old.epoch);
      expect((await leaseFailure(a.renew(old))).code).toBe('lease_lost');
      expect(await a.release(old)).toBe(false);
      expect(await a.current()).toEqual({ holder: 'worker-b', epoch: next.epoch });
    });

    it('starts a new tenure when the same holder acquires again, fencing its older grant', async () => {
      const { leases } = await open();
      const { a } = leases();
      const old = await a.acquire('worker-a');
      const next = await a.acquire('worker-a');
      expect(next.epoch).toBeGreaterThan(old.epoch);
      expect((await leaseFailure(a.renew(old))).code).toBe('lease_lost');
      expect(await a.release(old)).toBe(false);
      expect(await a.release(next)).toBe(true);
    });

    it('keeps leases of different sessions and tenants apart', async () => {
      const { leases, a: storeA, b: storeB, tenant } = await open();
      const one = await leases('s-1').a.acquire('worker-a');
      const two = await leases('s-2').b.acquire('worker-b');
      const other = await storeB.lease(`${tenant}-x`, 's-1').acquire('worker-b');
      expect(new Set([one.epoch, two.epoch, other.epoch]).size).toBe(3);
      expect(await storeA.lease(tenant, 's-2').current()).toEqual({
        holder: 'worker-b',
        epoch: two.epoch,
      });
      expect(await storeA.lease(tenant, 'call:42').current()).toBeNull();
    });

    it('reports acquire, takeover and release to watchers, but not renews', async () => {
      const { leases } = await open();
      const { a, b } = leases();
      const seen: (LeaseState | null)[] = [];
      const unwatch = await b.watch((state) => seen.push(state));
      const first = await a.acquire('worker-a');
      await waitFor('acquire reported', () => seen.length >= 1);
      await a.release(await a.renew(first));
      await waitFor('release reported', () => seen.length >= 2);
      const next = await b.acquire('worker-b');
      await waitFor('takeover reported', () => seen.length >= 3);
      expect(seen).toEqual([
        { holder: 'worker-a', epoch: first.epoch },
        null,
        { holder: 'worker-b', epoch: next.epoch },
      ]);
      unwatch();
      unwatch();
      // A second watcher that sees the next change proves the first would have seen it too.
      const witness: (LeaseState | null)[] = [];
      const stopWitness = await a.watch((state) => witness.push(state));
      await b.release(next);
      await waitFor('witness saw the release', () => witness.length >= 1);
      stopWitness();
      expect(witness).toEqual([null]);
      expect(seen).toHaveLength(3);
    });

    it('frees a lease that was not renewed within the TTL: the old grant is lost, a takeover gets a larger epoch', async () => {
      const { leases, lapse } = await open('expiring');
      const { a, b } = leases();
      const old = await a.acquire('worker-a');
      await lapse(a);
      expect(await b.current()).toBeNull();
      const next = await b.acquire('worker-b');
      expect(next.epoch).toBeGreaterThan(old.epoch);
      expect((await leaseFailure(a.renew(old))).code).toBe('lease_lost');
      expect(await a.release(old)).toBe(false);
    });

    it('rejects bad input with invalid_input naming the field, expected and received', async () => {
      const { a, b, leases } = await open();
      const bad = (fn: () => unknown) => {
        try {
          fn();
        } catch (error) {
          if (error instanceof LeaseError) return error;
          throw error;
        }
        throw new Error('expected a LeaseError');
      };
      const tenant = bad(() => a.lease('a.b', 's-1'));
      expect(tenant).toMatchObject({ code: 'invalid_input', field: 'tenant_id' });
      expect(tenant.message).toBe(`invalid tenant_id: must not contain '.', received "a.b"`);
      expect(bad(() => b.lease('t', 'x y'))).toMatchObject({
        code: 'invalid_input',
        field: 'session_id',
      });
      const { a: lease, b: other } = leases();
      const holder = await leaseFailure(lease.acquire('worker a'));
      expect(holder).toMatchObject({ code: 'invalid_input', field: 'holder' });
      expect(holder.message).toBe(
        `invalid holder: expected 1-64 letters, digits, '_' or '-', received "worker a"`,
      );
      const grant = await lease.acquire('worker-a');
      const foreign: LeaseGrant = { ...grant, session_id: 's-2' };
      const wrong = await leaseFailure(other.renew(foreign));
      expect(wrong).toMatchObject({ code: 'invalid_input', field: 'grant.session_id' });
      expect(wrong.message).toBe(`invalid grant.session_id: expected "s-1", received "s-2"`);
      const negative = await leaseFailure(lease.release({ ...grant, revision: -3 }));
      expect(negative.message).toBe(
        'invalid grant.revision: expected an integer >= 1, received -3',
      );
      expect(await lease.current()).toEqual({ holder: 'worker-a', epoch: grant.epoch });
    });

    it('rejects every call with closed after close()', async () => {
      const { a, leases } = await open();
      const lease = leases().a;
      await a.close();
      expect((await leaseFailure(lease.acquire('worker-a'))).code).toBe('closed');
      expect((await leaseFailure(lease.current())).code).toBe('closed');
    });
  });
}
