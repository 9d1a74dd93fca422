import { describe, expect, it } from 'vitest';
import { renderValue } from './issues.ts';

describe('renderValue', () => {
  it('renders small JSON values exactly as JSON.stringify does', () => {
    for (const value of [null, true, 3.5, 'a"b', [1, [2, {}]], { a: 1, b: ['x', null] }]) {
      expect(renderValue(value, 200)).toBe(JSON.stringify(value));
    }
  });

  it('marks absent values and values without a JSON form', () => {
    expect(renderValue(undefined)).toBe('(absent)');
    expect(renderValue(10n)).toBe('10n');
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(renderValue(cyclic, 100)).toBe('{"self":<cycle>}');
  });

  it('truncates long renderings to the limit with an ellipsis', () => {
    const text = renderValue({ lane: 'x'.repeat(500) }, 40);
    expect(text).toHaveLength(40);
    expect(text.startsWith('{"lane":"xxx')).toBe(true);
    expect(text.endsWith('…')).toBe(true);
  });

  it('renders only the head of a huge document', () => {
    const huge = {
      items: Array.from({ length: 1_000_000 }, (_, i) => ({ i, text: 'y'.repeat(20) })),
    };
    const text = renderValue(huge, 60);
    expect(text).toHaveLength(60);
    expect(text.startsWith('{"items":[{"i":0,"text":"yyyy')).toBe(true);
  });
});
