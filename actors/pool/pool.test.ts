import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createExecutionPool, POOL_DEFAULTS, PoolTaskWithdrawn, type PoolStats } from './pool.ts';

/** A manual clock and tasks that finish only when the test says so. */
function harness(options: { capacity?: number; concurrency?: number } = {}) {
  let now = 0;
  const pool = createExecutionPool({ ...options, clock: () => now });
  const started: string[] = [];
  const finishers = new Map<string, { ok: (v: string) => void; fail: (e: Error) => void }>();
  const task = (name: string) => () =>
    new Promise<string>((ok, fail) => {
      started.push(name);
      finishers.set(name, { ok, fail });
    });
  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
  const finish = async (name: string, error?: Error) => {
    const f = finishers.get(name);
    if (f === undefined) throw new Error(`${name} has not started`);
    if (error === undefined) f.ok(name);
    else f.fail(error);
    await flush();
  };
  return { pool, started, task, finish, flush, tick: (ms: number) => void (now += ms) };
}

const counters = (s: PoolStats) => ({
  submitted: s.submitted,
  completed: s.completed,
  rejected: s.rejected,
  in_flight: s.in_flight,
  queue_depth: s.queue_depth,
});

describe('createExecutionPool (RK-26)', () => {
  it('defaults to capacity 64', () => {
    expect(POOL_DEFAULTS.capacity).toBe(64);
    const h = harness({ concurrency: 1 });
    for (let i = 0; i < 65; i += 1) expect(h.pool.submit(h.task(`t${i}`)).accepted).toBe(true);
    expect(h.pool.submit(h.task('t65'))).toEqual({ accepted: false, reason: 'full' });
    expect(counters(h.pool.stats())).toEqual({
      submitted: 66,
      completed: 0,
      rejected: 1,
      in_flight: 1,
      queue_depth: 64,
    });
  });

  it('starts work in FIFO order and never runs more than N at once', async () => {
    const h = harness({ capacity: 4, concurrency: 2 });
    for (const name of ['a', 'b', 'c', 'd']) h.pool.submit(h.task(name));
    expect(h.started).toEqual(['a', 'b']);
    expect(h.pool.stats()).toMatchObject({ in_flight: 2, queue_depth: 2 });
    await h.finish('b');
    expect(h.started).toEqual(['a', 'b', 'c']);
    await h.finish('a');
    expect(h.started).toEqual(['a', 'b', 'c', 'd']);
    expect(counters(h.pool.stats())).toEqual({
      submitted: 4,
      completed: 2,
      rejected: 0,
      in_flight: 2,
      queue_depth: 0,
    });
  });

  it('rejects when the queue is full and accepts again once it drains', async () => {
    const h = harness({ capacity: 1, concurrency: 1 });
    expect(h.pool.submit(h.task('a')).accepted).toBe(true);
    expect(h.pool.submit(h.task('b')).accepted).toBe(true);
    expect(h.pool.submit(h.task('c'))).toEqual({ accepted: false, reason: 'full' });
    await h.finish('a');
    expect(h.pool.submit(h.task('d')).accepted).toBe(true);
    expect(h.pool.stats()).toMatchObject({ submitted: 4, rejected: 1, queue_depth: 1 });
  });

  it('measures queue time and run time with the injected clock', async () => {
    const h = harness({ capacity: 2, concurrency: 1 });
    const a = h.pool.submit(h.task('a'));
    const b = h.pool.submit(h.task('b'));
    h.tick(30);
    await h.finish('a');
    h.tick(5);
    await h.finish('b');
    if (!a.accepted || !b.accepted) throw new Error('expected both accepted');
    expect(await a.done).toEqual({
      status: 'fulfilled',
      value: 'a',
      id: a.id,
      queue_ms: 0,
      run_ms: 30,
    });
    expect(await b.done).toEqual({
      status: 'fulfilled',
      value: 'b',
      id: b.id,
      queue_ms: 30,
      run_ms: 5,
    });
    expect(h.pool.stats()).toMatchObject({
      queue_time_ms_total: 30,
      run_time_ms_total: 35,
      queue_time_ms_max: 30,
      run_time_ms_max: 30,
    });
  });

  it('reports failing tasks (async and sync throws) without breaking the pool', async () => {
    const h = harness({ capacity: 4, concurrency: 1 });
    const boom = new Error('boom');
    const sync = h.pool.submit(() => {
      throw boom;
    });
    const later = h.pool.submit(h.task('a'));
    await h.flush();
    await h.finish('a', boom);
    if (!sync.accepted || !later.accepted) throw new Error('expected accepted');
    expect(await sync.done).toMatchObject({ status: 'rejected', error: boom });
    expect(await later.done).toMatchObject({ status: 'rejected', error: boom });
    expect(h.pool.stats()).toMatchObject({ completed: 2, failed: 2, in_flight: 0 });
  });

  it('drain waits for in-flight and queued work, refuses new work, then closes', async () => {
    const h = harness({ capacity: 2, concurrency: 1 });
    h.pool.submit(h.task('a'));
    h.pool.submit(h.task('b'));
    let drained = false;
    const drain = h.pool.drain().then(() => void (drained = true));
    expect(h.pool.state).toBe('draining');
    expect(h.pool.submit(h.task('c'))).toEqual({ accepted: false, reason: 'closed' });
    await h.finish('a');
    expect(drained).toBe(false);
    await h.finish('b');
    await drain;
    expect(drained).toBe(true);
    expect(h.pool.state).toBe('closed');
    expect(h.pool.submit(h.task('d'))).toEqual({ accepted: false, reason: 'closed' });
    expect(h.started).toEqual(['a', 'b']);
    expect(counters(h.pool.stats())).toEqual({
      submitted: 4,
      completed: 2,
      rejected: 2,
      in_flight: 0,
      queue_depth: 0,
    });
  });

  it('drains an idle pool at once and returns the same promise twice', async () => {
    const h = harness();
    const first = h.pool.drain();
    expect(h.pool.drain()).toBe(first);
    await first;
    expect(h.pool.state).toBe('closed');
  });

  it('stays bounded over many cycles', async () => {
    const h = harness({ capacity: 2, concurrency: 1 });
    for (let i = 0; i < 50; i += 1) {
      expect(h.pool.submit(h.task(`t${i}`)).accepted).toBe(true);
      await h.finish(`t${i}`);
    }
    expect(h.pool.stats()).toMatchObject({ completed: 50, queue_depth: 0, in_flight: 0 });
  });

  it('takes back a queued task: it never runs, its place is free at once, done says so', async () => {
    const h = harness({ capacity: 1, concurrency: 1 });
    expect(h.pool.submit(h.task('a')).accepted).toBe(true);
    const b = h.pool.submit(h.task('b'));
    if (!b.accepted) throw new Error('refused');
    expect(h.pool.submit(h.task('c'))).toEqual({ accepted: false, reason: 'full' });
    expect(h.pool.withdraw(b.id)).toBe(true);
    expect(h.pool.withdraw(b.id)).toBe(false);
    const result = await b.done;
    expect(result.status).toBe('rejected');
    expect(result.status === 'rejected' ? result.error : null).toBeInstanceOf(PoolTaskWithdrawn);
    expect(h.pool.submit(h.task('d')).accepted).toBe(true);
    await h.finish('a');
    await h.finish('d');
    expect(h.started).toEqual(['a', 'd']);
    expect(h.pool.stats()).toMatchObject({ withdrawn: 1, completed: 2, queue_depth: 0 });
  });

  it('keeps nothing of a task once it ran (its closure may hold a whole session)', async () => {
    const gc = runInNewContext('gc', (setFlagsFromString('--expose-gc'), {})) as () => void;
    const pool = createExecutionPool({ capacity: 64, concurrency: 1, clock: () => 0 });
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 8; i += 1) {
      const held = { payload: new Array<number>(1000).fill(i) };
      refs.push(new WeakRef(held));
      const submitted = pool.submit(() => held.payload.length);
      if (!submitted.accepted) throw new Error('refused');
      await submitted.done;
    }
    // WeakRef targets stay alive until the job that created them ends.
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toEqual([]);
  });

  it.each([
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: 1.5 }],
    ['concurrency', { concurrency: -1 }],
  ])('refuses a bad %s at creation', (name, options) => {
    expect(() => createExecutionPool({ ...options, clock: () => 0 })).toThrow(
      new RegExp(`pool ${name}: expected an integer >= 1`),
    );
  });
});
