import { describe, expect, it } from 'vitest';
import { ABORTED, abortableReader } from './abortable-next.ts';

/** An iterator whose steps are settled by hand. */
function manualIterator<T>() {
  const pending: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let returned = 0;
  const iterator: AsyncIterator<T> = {
    next: () => new Promise((resolve, reject) => pending.push({ resolve, reject })),
    return: () => {
      returned += 1;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { iterator, pending, returned: () => returned };
}

describe('abortableReader', () => {
  it('passes every step through in order while the signal is live', async () => {
    const source = [1, 2][Symbol.iterator]();
    const iterator: AsyncIterator<number> = { next: () => Promise.resolve(source.next()) };
    const reader = abortableReader(iterator, new AbortController().signal);
    expect(await reader.next()).toEqual({ done: false, value: 1 });
    expect(await reader.next()).toEqual({ done: false, value: 2 });
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    reader.dispose();
  });

  it('settles a pending read with ABORTED when the signal aborts, and every later read at once', async () => {
    const { iterator, pending } = manualIterator<number>();
    const controller = new AbortController();
    const reader = abortableReader(iterator, controller.signal);
    const step = reader.next();
    controller.abort();
    expect(await step).toBe(ABORTED);
    // The step that arrives after the abort changes nothing.
    pending[0]?.resolve({ done: false, value: 7 });
    expect(await reader.next()).toBe(ABORTED);
    expect(pending).toHaveLength(1);
    reader.dispose();
  });

  it('propagates a rejected step', async () => {
    const { iterator, pending } = manualIterator<number>();
    const reader = abortableReader(iterator, new AbortController().signal);
    const step = reader.next();
    pending[0]?.reject(new Error('stream broke'));
    await expect(step).rejects.toThrow('stream broke');
    reader.dispose();
  });

  it('after dispose an abort no longer settles a pending read', async () => {
    const { iterator, pending } = manualIterator<number>();
    const controller = new AbortController();
    const reader = abortableReader(iterator, controller.signal);
    const step = reader.next();
    reader.dispose();
    controller.abort();
    pending[0]?.resolve({ done: false, value: 3 });
    expect(await step).toEqual({ done: false, value: 3 });
  });

  it('reads a long stream with one listener (10,000 steps, then an abort ends the pending one)', async () => {
    let added = 0;
    const controller = new AbortController();
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
      added += 1;
      add(...args);
    };
    let n = 0;
    const iterator: AsyncIterator<number> = {
      next: () =>
        n < 10_000
          ? Promise.resolve({ done: false, value: (n += 1) })
          : new Promise<IteratorResult<number>>(() => undefined),
    };
    const reader = abortableReader(iterator, signal);
    let sum = 0;
    for (let i = 0; i < 10_000; i += 1) {
      const step = await reader.next();
      if (step !== ABORTED && step.done !== true) sum += step.value;
    }
    const last = reader.next();
    controller.abort();
    expect(await last).toBe(ABORTED);
    expect(sum).toBe((10_000 * 10_001) / 2);
    expect(added).toBe(1);
    reader.dispose();
  });
});
