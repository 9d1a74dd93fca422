import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../actors/index.ts';
import { createMemoryLeases } from '../../adapters/lease/memory/index.ts';
import { LeaseError, type SessionLease } from '../../contracts/index.ts';
import { keepLease, type LeaseLoss } from './lease-keeper.ts';

const TTL = 900;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A memory lease on a manual clock, acquired by `w1`, and a keeper for it. */
async function kept(wrap: (lease: SessionLease) => SessionLease = (l) => l) {
  const clock = createManualClock();
  const leases = createMemoryLeases({ ttlMs: TTL, now: () => clock.now() });
  const lease = leases.lease('t', 's');
  const grant = await lease.acquire('w1');
  const losses: LeaseLoss[] = [];
  const failures: string[] = [];
  const keeper = keepLease({
    lease: wrap(lease),
    grant,
    acquiredAt: clock.now(),
    clock,
    ttlMs: TTL,
    onLost: (loss) => losses.push(loss),
    onRenewFailed: (message) => failures.push(message),
  });
  /** Moves time in 1 ms steps, letting renew promises settle at each. */
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i += 1) {
      clock.advance(1);
      await settle();
    }
  };
  return { clock, lease, grant, keeper, losses, failures, advance };
}

const unavailable = () =>
  new LeaseError('unavailable', 'store unreachable', { provider: 'memory', retryable: true });

describe('keepLease', () => {
  it('renews every third of the TTL, keeping the epoch, for as long as it runs', async () => {
    const { lease, grant, keeper, losses, advance, clock } = await kept();
    await advance(TTL * 4);
    expect(losses).toEqual([]);
    expect(keeper.grant().epoch).toBe(grant.epoch);
    expect(keeper.grant().revision).toBe(grant.revision + 12);
    expect(await lease.current()).toEqual({ holder: 'w1', epoch: grant.epoch });
    keeper.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('declares the lease lost once when the store refuses a renew (taken over after a release)', async () => {
    const { lease, grant, keeper, losses, advance, clock } = await kept();
    await lease.release(keeper.grant());
    const next = await lease.acquire('w2');
    await advance(TTL / 3);
    expect(losses).toEqual([
      expect.objectContaining({ reason: 'lease_stale_epoch', epoch: grant.epoch }),
    ]);
    expect(keeper.lost()).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(await keeper.release()).toBe(false);
    expect(await lease.current()).toEqual({ holder: 'w2', epoch: next.epoch });
  });

  it('retries a failed renew and gives up at the deadline: last write sent + TTL', async () => {
    const { losses, failures, advance, clock } = await kept((lease) => ({
      ...lease,
      renew: () => Promise.reject(unavailable()),
    }));
    await advance(TTL - 1);
    expect(losses).toEqual([]);
    expect(failures.length).toBeGreaterThan(1);
    expect(failures[0]).toBe('store unreachable');
    await advance(1);
    expect(losses).toEqual([expect.objectContaining({ reason: 'lease_deauthorized' })]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('gives up at the deadline even when a renew never answers', async () => {
    const { losses, advance } = await kept((lease) => ({
      ...lease,
      renew: () => new Promise(() => undefined),
    }));
    await advance(TTL - 1);
    expect(losses).toEqual([]);
    await advance(1);
    expect(losses.map((l) => l.reason)).toEqual(['lease_deauthorized']);
  });

  it('moves the deadline with each successful renew, from the time the renew was sent', async () => {
    const { losses, advance } = await kept();
    await advance(TTL * 2 + 1);
    expect(losses).toEqual([]);
  });

  it('stops on release: timers cleared, the lease free, no loss reported later', async () => {
    const { lease, keeper, losses, advance, clock } = await kept();
    await advance(TTL / 3 + 1);
    expect(await keeper.release()).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(await lease.current()).toBeNull();
    await advance(TTL * 2);
    expect(losses).toEqual([]);
  });
});
