import { describe, expect, it } from 'vitest';
import { LeaseError, type LeaseState } from '../../../contracts/internal.ts';
import { createMemoryLeases } from './memory-leases.ts';

/** A store on a hand-moved clock. */
function store(ttlMs = 300) {
  let now = 0;
  const leases = createMemoryLeases({ ttlMs, now: () => now });
  return { leases, advance: (ms: number) => void (now += ms) };
}

describe('createMemoryLeases', () => {
  it('numbers every write of the store from 1, deletes included, so runs are exact', async () => {
    const { leases } = store();
    const one = leases.lease('t', 's-1');
    const two = leases.lease('t', 's-2');
    const a = await one.acquire('w1');
    const b = await two.acquire('w2');
    const renewed = await one.renew(a);
    await two.release(b);
    const c = await two.acquire('w1');
    expect([a.epoch, b.epoch, renewed.revision, c.epoch]).toEqual([1, 2, 3, 5]);
    expect(leases.lastRevision()).toBe(5);
  });

  it('keeps a lease renewed within the TTL alive across several TTLs', async () => {
    const { leases, advance } = store(300);
    const lease = leases.lease('t', 's');
    let grant = await lease.acquire('w1');
    for (let i = 0; i < 5; i += 1) {
      advance(299);
      grant = await lease.renew(grant);
    }
    expect(await lease.current()).toEqual({ holder: 'w1', epoch: 1 });
  });

  it('lapses exactly TTL ms after the latest write', async () => {
    const { leases, advance } = store(300);
    const lease = leases.lease('t', 's');
    const grant = await lease.renew(await lease.acquire('w1'));
    advance(299);
    expect(await lease.current()).not.toBeNull();
    advance(1);
    expect(await lease.current()).toBeNull();
    await expect(lease.renew(grant)).rejects.toMatchObject({ code: 'lease_lost' });
  });

  it('does not report a lapse to watchers (as nats-kv on nats-server < 2.11), only the next acquire', async () => {
    const { leases, advance } = store(300);
    const lease = leases.lease('t', 's');
    const seen: (LeaseState | null)[] = [];
    await lease.watch((state) => seen.push(state));
    await lease.acquire('w1');
    advance(300);
    expect(await lease.current()).toBeNull();
    await lease.acquire('w2');
    expect(seen).toEqual([
      { holder: 'w1', epoch: 1 },
      { holder: 'w2', epoch: 2 },
    ]);
  });

  it('rejects a TTL that is not a positive integer, naming the field and the value', () => {
    const make = () => createMemoryLeases({ ttlMs: 0, now: () => 0 });
    expect(make).toThrow(LeaseError);
    expect(make).toThrow('invalid ttlMs: expected an integer >= 1, received 0');
  });
});
