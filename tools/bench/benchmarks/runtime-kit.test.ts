import { describe, expect, it } from 'vitest';
import { figure, gate, latencyFigures, percentile } from './runtime-kit.ts';

describe('percentile', () => {
  it('takes the nearest rank, whatever the input order', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 95)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
  });

  it('gives the largest value for p100 and the smallest for p0', () => {
    expect(percentile([3, 1, 2], 100)).toBe(3);
    expect(percentile([3, 1, 2], 0)).toBe(1);
  });

  it('puts p99 of 100 samples on the second largest', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
  });

  it('is NaN for no samples and leaves its input unsorted', () => {
    expect(percentile([], 50)).toBeNaN();
    const values = [2, 1];
    percentile(values, 50);
    expect(values).toEqual([2, 1]);
  });
});

describe('latencyFigures', () => {
  it('reports p50/p95/p99 of ms samples in µs under the prefix', () => {
    const metrics = latencyFigures('feed_cancel', 'feed call', [0.1, 0.2, 0.3]);
    expect(metrics.map((m) => [m.name, m.median, m.unit])).toEqual([
      ['feed_cancel_p50_us', 200, 'µs'],
      ['feed_cancel_p95_us', 300, 'µs'],
      ['feed_cancel_p99_us', 300, 'µs'],
    ]);
  });
});

describe('figure and gate', () => {
  it('round a figure to three decimals and state a gate as 1 or 0 against target 1', () => {
    expect(figure('x', 'x', 'ms', 1.23456).median).toBe(1.235);
    expect(gate('ok', 'ok', true)).toMatchObject({ median: 1, target: 1 });
    expect(gate('no', 'no', false)).toMatchObject({ median: 0, target: 1 });
  });
});
