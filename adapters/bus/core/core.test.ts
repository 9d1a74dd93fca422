import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.ts';
import { DedupeWindow } from './dedupe-window.ts';
import { resolveLimits } from './limits.ts';

describe('BoundedQueue', () => {
  it('keeps FIFO order across wrap-around and refuses pushes when full', () => {
    const queue = new BoundedQueue<number>(3);
    expect([queue.push(1), queue.push(2), queue.push(3), queue.push(4)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(queue.shift()).toBe(1);
    expect(queue.push(5)).toBe(true);
    expect(queue.isFull()).toBe(true);
    expect(queue.clear()).toEqual([2, 3, 5]);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('keeps FIFO order while its storage grows from a wrapped head up to a large capacity', () => {
    const queue = new BoundedQueue<number>(100);
    const model: number[] = [];
    let next = 0;
    // Interleaved pushes and shifts wrap the head before each growth.
    for (let round = 0; round < 60; round++) {
      for (let i = 0; i < 3; i++) {
        expect(queue.push(next)).toBe(model.length < 100);
        if (model.length < 100) model.push(next);
        next += 1;
      }
      expect(queue.shift()).toBe(model.shift());
    }
    expect(queue.size).toBe(model.length);
    for (; queue.push(next); next += 1) model.push(next);
    expect(queue.isFull()).toBe(true);
    expect(queue.size).toBe(100);
    expect(queue.clear()).toEqual(model);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new BoundedQueue(0)).toThrow(/positive integer, received 0/);
    expect(() => new BoundedQueue(1.5)).toThrow(RangeError);
  });
});

describe('DedupeWindow', () => {
  it('forgets the oldest key once more than its size were added', () => {
    const window = new DedupeWindow(2);
    window.add('a');
    window.add('b');
    window.add('a'); // already known: does not refresh or grow
    window.add('c');
    expect([window.has('a'), window.has('b'), window.has('c')]).toEqual([false, true, true]);
  });
});

describe('resolveLimits', () => {
  it('merges overrides onto the declared defaults', () => {
    const limits = resolveLimits({ DataLane: { capacity: 8 } });
    expect(limits.DataLane).toEqual({ capacity: 8, overflow: 'drop_oldest', dedupeWindow: 1024 });
    expect(limits.ControlLane.overflow).toBe('reject');
  });

  it('names the lane and field of a bad bound', () => {
    expect(() => resolveLimits({ TelemetryLane: { capacity: -1 } })).toThrow(
      'limits.TelemetryLane.capacity must be a positive integer, received -1',
    );
    expect(() => resolveLimits({ DataLane: { overflow: 'reject' as 'drop_oldest' } })).toThrow(
      /limits\.DataLane\.overflow/,
    );
  });

  it('never lets ControlLane be configured to drop', () => {
    expect(() => resolveLimits({ ControlLane: { overflow: 'drop_oldest' as 'reject' } })).toThrow(
      /ControlLane is never shed/,
    );
  });
});
