import { describe, expect, it } from 'vitest';
import { createDropQueue } from './drop-queue.ts';

describe('createDropQueue', () => {
  it('keeps at most its capacity and counts what it drops', () => {
    const queue = createDropQueue<number>(3);
    expect([1, 2, 3, 4, 5].map((n) => queue.push(n))).toEqual([true, true, true, false, false]);
    expect(queue.size).toBe(3);
    expect(queue.dropped).toBe(2);
    expect(queue.take()).toEqual([1, 2, 3]);
    expect(queue.size).toBe(0);
    expect(queue.takeDropped()).toBe(2);
    expect(queue.takeDropped()).toBe(0);
    expect(queue.push(6)).toBe(true);
    expect(queue.dropped).toBe(2);
  });

  it('refuses a capacity below one', () => {
    expect(() => createDropQueue(0)).toThrow(/expected an integer >= 1, received 0/);
  });
});
