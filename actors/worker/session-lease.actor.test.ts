import { describe, expect, it } from 'vitest';

import {
  LeaseError,
  type LeaseErrorCode,
  type LeaseGrant,
  type LeasePort,
  type SessionLease,
} from '../../contracts/internal.ts';
import { createManualClock } from '../edges/index.ts';
import {
  leaseStoreCalls,
  createSessionLeaseActor,
  type LeaseStoreCalls,
  type SessionRuntimeCalls,
} from './session-lease.actor.ts';
import type { SessionLeaseEmitted } from './session-lease.types.ts';

const TTL = 900;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const leaseError = (code: LeaseErrorCode, message: string = code) =>
  new LeaseError(code, message, { provider: 'memory', retryable: code === 'unavailable' });
const grant = (revision: number): LeaseGrant => ({
  tenant_id: 't',
  session_id: 's',
  holder: 'w1',
  epoch: 5,
  revision,
});

/** A promise whose outcome the test decides. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** The provided machine on a manual clock, with store and runtime calls overridable. */
function run(store: Partial<LeaseStoreCalls> = {}, runtime: Partial<SessionRuntimeCalls> = {}) {
  const clock = createManualClock();
  const log: string[] = [];
  const actor = createSessionLeaseActor(
    {
      store: {
        acquire: () => Promise.resolve(grant(5)),
        renew: (g) => Promise.resolve(grant(g.revision + 1)),
        release: () => Promise.resolve(true),
        ...store,
      },
      runtime: {
        open: () => Promise.resolve(),
        close: () => Promise.resolve(),
        revokeAuthority: () => void log.push('revoke'),
        ...runtime,
      },
    },
    { input: { tenant_id: 't', session_id: 's', holder: 'w1', ttl_ms: TTL }, clock },
  );
  const emitted: SessionLeaseEmitted[] = [];
  actor.on('*', (event) => void emitted.push(event));
  actor.start();
  return { actor, clock, log, emitted };
}

describe('createSessionLeaseActor', () => {
  it.each([
    ['lease_held', 'lease_held'],
    ['invalid_input', 'invalid_request'],
    ['unavailable', 'lease_unavailable'],
    ['closed', 'lease_unavailable'],
  ] as const)('maps an acquire rejected with %s to the refusal %s', async (code, reason) => {
    const { actor } = run({ acquire: () => Promise.reject(leaseError(code, `${code}!`)) });
    await settle();
    expect(actor.getSnapshot().output).toEqual({
      status: 'refused',
      reason,
      message: `${code}!`,
      lease: 'none',
    });
  });

  it('refuses with invalid_request when the lease store rejects the ids', async () => {
    const leases = {
      ttlMs: TTL,
      lease: () => {
        throw leaseError('invalid_input', 'session_id: expected a subject token');
      },
    } as unknown as LeasePort;
    const { actor } = run(leaseStoreCalls(leases, 't', 'bad id', 'w1'));
    await settle();
    expect(actor.getSnapshot().output).toMatchObject({
      status: 'refused',
      reason: 'invalid_request',
    });
  });

  it('calls the session lease of the store under the holder', async () => {
    const calls: string[] = [];
    const lease = {
      acquire: (holder: string) => (calls.push(`acquire ${holder}`), Promise.resolve(grant(5))),
      renew: (g: LeaseGrant) => (calls.push(`renew ${g.revision}`), Promise.resolve(grant(6))),
      release: (g: LeaseGrant) => (calls.push(`release ${g.revision}`), Promise.resolve(true)),
    } as unknown as SessionLease;
    const leases = { ttlMs: TTL, lease: () => lease } as unknown as LeasePort;
    const { actor, clock } = run(leaseStoreCalls(leases, 't', 's', 'w1'));
    await settle();
    clock.advance(TTL / 3);
    await settle();
    actor.send({ type: 'session.end' });
    await settle();
    expect(calls).toEqual(['acquire w1', 'renew 5', 'release 6']);
    expect(actor.getSnapshot().output).toEqual({ status: 'ended', lease: 'released' });
  });

  it('releases the revision a renew in flight wrote after the session closed', async () => {
    let revision = 5;
    let land: () => void = () => undefined;
    const released: number[] = [];
    const { actor, clock } = run({
      renew: (g) =>
        new Promise((resolve) => {
          land = () => resolve(grant((revision = g.revision + 1)));
        }),
      release: (g) => {
        released.push(g.revision);
        return Promise.resolve(g.revision === revision);
      },
    });
    await settle();
    clock.advance(TTL / 3); // the renew is sent; the store has not answered
    await settle();
    actor.send({ type: 'session.end' });
    await settle(); // closed: the release waits for the renew's write
    land();
    await settle();
    await settle();
    expect(released).toEqual([6]);
    expect(actor.getSnapshot().output).toEqual({ status: 'ended', lease: 'released' });
  });

  it('loses the lease on lease_lost, and retries any other renew failure', async () => {
    const answers = [leaseError('unavailable', 'store unreachable'), leaseError('lease_lost')];
    const closes: string[] = [];
    const { actor, clock, log, emitted } = run(
      { renew: () => Promise.reject(answers.shift() ?? new Error('no more renews')) },
      { close: () => Promise.resolve(void closes.push(`close after ${log.join(',')}`)) },
    );
    await settle();
    clock.advance(TTL / 3);
    await settle();
    expect(emitted.at(-1)).toEqual({ type: 'lease.renew_failed', message: 'store unreachable' });
    clock.advance(TTL / 9);
    await settle();
    expect(emitted.slice(-2)).toMatchObject([
      { type: 'lease.lost', reason: 'lease_stale_epoch' },
      { type: 'authority.revoke' },
    ]);
    expect(log).toEqual(['revoke']);
    await settle();
    // The authority is revoked before the runtime session is closed (the turn ends on the loss).
    expect(closes).toEqual(['close after revoke']);
    expect(actor.getSnapshot().output).toEqual({ status: 'ended', lease: 'lost' });
  });

  it('maps release results: true released, false lost, a rejection release_failed', async () => {
    for (const [release, lease] of [
      [() => Promise.resolve(true), 'released'],
      [() => Promise.resolve(false), 'lost'],
      [() => Promise.reject(leaseError('unavailable', 'down')), 'release_failed'],
    ] as const) {
      const { actor } = run({ release });
      await settle();
      actor.send({ type: 'session.end' });
      await settle();
      expect(actor.getSnapshot().output).toEqual({ status: 'ended', lease });
    }
  });

  it('reports a session that fails to open, even when open throws synchronously', async () => {
    const { actor } = run(
      {},
      {
        open: () => {
          throw new Error('runtime stopped');
        },
      },
    );
    await settle();
    expect(actor.getSnapshot().output).toEqual({
      status: 'refused',
      reason: 'invalid_request',
      message: 'runtime stopped',
      lease: 'released',
    });
  });

  it('drops a renew answer that arrives after the session ended, but releases what it wrote', async () => {
    const pending = deferred<LeaseGrant>();
    const released: LeaseGrant[] = [];
    const { actor, clock } = run({
      renew: () => pending.promise,
      release: (g) => (released.push(g), Promise.resolve(true)),
    });
    await settle();
    clock.advance(TTL / 3);
    actor.send({ type: 'session.end' });
    await settle();
    pending.resolve(grant(99));
    await settle();
    // The machine ignored the answer (it had left `renewing`); the store holds revision 99.
    expect(released).toEqual([grant(99)]);
    expect(actor.getSnapshot().output).toEqual({ status: 'ended', lease: 'released' });
  });
});
