import { describe, expect, it } from 'vitest';
import {
  createManualScheduler,
  createRealScheduler,
  createZeroLatencyScheduler,
} from './scheduler.ts';

describe('createManualScheduler', () => {
  it('fires due sleeps in due-time then creation order, moving now() to each due time', async () => {
    const clock = createManualScheduler(1000);
    const fired: string[] = [];
    const sleep = (ms: number, name: string) =>
      void clock.sleep(ms).then(() => fired.push(`${name}@${clock.now()}`));
    sleep(30, 'c');
    sleep(10, 'a');
    sleep(30, 'd');
    sleep(20, 'b');
    await clock.advance(25);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1025);
    await clock.advance(5);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1030', 'd@1030']);
  });

  it('lets woken code schedule and fire further sleeps within the same advance', async () => {
    const clock = createManualScheduler();
    const fired: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i += 1) {
        await clock.sleep(10);
        fired.push(clock.now());
      }
    })();
    await clock.advance(25);
    expect(fired).toEqual([10, 20]);
    await clock.runAll();
    expect(fired).toEqual([10, 20, 30]);
  });

  it('resolves false at once on abort, drops the sleep, and never fires Infinity', async () => {
    const clock = createManualScheduler();
    const controller = new AbortController();
    const forever = clock.sleep(Infinity, controller.signal);
    const short = clock.sleep(5, controller.signal);
    expect(clock.pending()).toBe(2);
    await clock.runAll();
    expect(clock.pending()).toBe(1);
    expect(await short).toBe(true);
    controller.abort();
    expect(await forever).toBe(false);
    expect(clock.pending()).toBe(0);
    expect(await clock.sleep(5, controller.signal)).toBe(false);
    expect(await clock.sleep(0)).toBe(true);
  });
});

describe('createZeroLatencyScheduler', () => {
  it('ends finite sleeps at once with time at 0, and waits for the abort on Infinity', async () => {
    const clock = createZeroLatencyScheduler();
    expect(await clock.sleep(60_000)).toBe(true);
    expect(clock.now()).toBe(0);
    const controller = new AbortController();
    const forever = clock.sleep(Infinity, controller.signal);
    controller.abort();
    expect(await forever).toBe(false);
    expect(await clock.sleep(1, controller.signal)).toBe(false);
  });
});

describe('createRealScheduler', () => {
  it('resolves false on abort before the timer, and true for ms <= 0', async () => {
    const clock = createRealScheduler();
    const controller = new AbortController();
    const long = clock.sleep(3_600_000, controller.signal);
    const forever = clock.sleep(Infinity, controller.signal);
    controller.abort();
    expect([await long, await forever]).toEqual([false, false]);
    expect(await clock.sleep(0)).toBe(true);
    expect(clock.now()).toBeGreaterThan(0);
  });
});
