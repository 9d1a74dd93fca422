import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonError } from '../../tools/cli/validate-contracts/json-syntax.ts';

const parses = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('locateJsonError', () => {
  it.each([
    ['', 1, 1, 'unexpected end of input'],
    ['{"a": abc}', 1, 7, 'expected a value'],
    ['{"a":1', 1, 7, 'unexpected end of input'],
    ['{a:1}', 1, 2, 'expected a property name in double quotes'],
    ['[1,]', 1, 4, 'expected a value'],
    ['{"a":1,}', 1, 8, 'expected a property name in double quotes'],
    ['{"a":1}\n{"b":2}', 2, 1, 'unexpected content after the document'],
    ['[01]', 1, 3, 'invalid number'],
    ['"tab\there"', 1, 5, 'control character in a string'],
    ['"\\x"', 1, 2, 'invalid escape in a string'],
    ['{\n  "a" 1\n}', 2, 7, 'expected ":" after a property name'],
    ['[1 2]', 1, 4, 'expected "," or "]"'],
    ['"open', 1, 1, 'unterminated string'],
  ])('locates the error in %j at line %i column %i', (text, line, column, reason) => {
    expect(parses(text)).toBe(false);
    expect(locateJsonError(text)).toMatchObject({ line, column, reason });
  });

  it('accepts deeply nested input without overflowing the stack', () => {
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    expect(locateJsonError(deep)).toBeNull();
    expect(locateJsonError(`${deep}]`)?.reason).toBe('unexpected content after the document');
  });

  it('agrees with JSON.parse on any serialised JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expect(locateJsonError(JSON.stringify(value, null, pretty ? 2 : 0))).toBeNull();
      }),
    );
  });

  it('agrees with JSON.parse on arbitrary JSON-like text', () => {
    const token = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      '"a"',
      '"\\u00e9"',
      '1',
      '-0.5e3',
      'true',
      'null',
      ' ',
      '\n',
      'x',
      '01',
      '"',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 12 }), (tokens) => {
        const text = tokens.join('');
        expect(locateJsonError(text) === null).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });
});
