/**
 * Finds where and why a JSON text is malformed. V8's `JSON.parse` messages quote the document
 * (`"{"a": abc}" is not valid JSON`) and sometimes omit the position, and messages must never
 * carry document contents; this scanner reports only a position and a fixed reason.
 */

/** Position (0-based offset, 1-based line and column) and reason of the first syntax error. */
export type JsonSyntaxError = { offset: number; line: number; column: number; reason: string };

type Expect =
  'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const LITERALS = ['true', 'false', 'null'] as const;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

const isSpace = (char: string | undefined): boolean =>
  char === ' ' || char === '\t' || char === '\n' || char === '\r';

/**
 * Returns the first syntax error of `text` as JSON (RFC 8259), or `null` when it is well formed.
 * Iterative, so deeply nested input cannot overflow the stack.
 */
export function locateJsonError(text: string): JsonSyntaxError | null {
  const stack: ('{' | '[')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (offset: number, reason: string): JsonSyntaxError => ({
    offset,
    ...lineAndColumn(text, offset),
    reason,
  });
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma-or-close');

  for (;;) {
    while (isSpace(text[i])) i++;
    if (i >= text.length) {
      return expect === 'end' ? null : fail(i, 'unexpected end of input');
    }
    const char = text[i];
    switch (expect) {
      case 'end':
        return fail(i, 'unexpected content after the document');
      case 'colon':
        if (char !== ':') return fail(i, 'expected ":" after a property name');
        i++;
        expect = 'value';
        continue;
      case 'comma-or-close': {
        const close = stack.at(-1) === '{' ? '}' : ']';
        if (char === ',') {
          expect = close === '}' ? 'key' : 'value';
        } else if (char === close) {
          stack.pop();
          expect = afterValue();
        } else {
          return fail(i, `expected "," or "${close}"`);
        }
        i++;
        continue;
      }
      case 'key':
      case 'key-or-close': {
        if (expect === 'key-or-close' && char === '}') {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (char !== '"') return fail(i, 'expected a property name in double quotes');
        const end = scanString(text, i);
        if (typeof end !== 'number') return fail(end.offset, end.reason);
        i = end;
        expect = 'colon';
        continue;
      }
      case 'value':
      case 'value-or-close': {
        if (expect === 'value-or-close' && char === ']') {
          stack.pop();
          i++;
          expect = afterValue();
          continue;
        }
        if (char === '{' || char === '[') {
          stack.push(char);
          i++;
          expect = char === '{' ? 'key-or-close' : 'value-or-close';
          continue;
        }
        const end = scanScalar(text, i);
        if (typeof end !== 'number') return fail(end.offset, end.reason);
        i = end;
        expect = afterValue();
        continue;
      }
    }
  }
}

type ScanFailure = { offset: number; reason: string };

/** Scans a string, number or literal starting at `start`; returns the offset just past it. */
function scanScalar(text: string, start: number): number | ScanFailure {
  const char = text[start];
  if (char === '"') return scanString(text, start);
  if (char === '-' || (char !== undefined && char >= '0' && char <= '9')) {
    NUMBER.lastIndex = start;
    const match = NUMBER.exec(text);
    if (match === null) return { offset: start, reason: 'invalid number' };
    const end = start + match[0].length;
    const next = text[end];
    // `01`, `1.` and `1e` stop the sticky match early; the leftover digit or sign is the error.
    if (next !== undefined && /[0-9.eE+-]/.test(next))
      return { offset: end, reason: 'invalid number' };
    return end;
  }
  for (const literal of LITERALS) {
    if (text.startsWith(literal, start)) return start + literal.length;
  }
  return { offset: start, reason: 'expected a value' };
}

/** Scans a double-quoted string starting at `start`; returns the offset just past its closing quote. */
function scanString(text: string, start: number): number | ScanFailure {
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return { offset: i, reason: 'control character in a string' };
    if (code === 0x5c) {
      const escape = text[i + 1];
      if (escape === 'u') {
        if (!HEX4.test(text.slice(i + 2, i + 6)))
          return { offset: i, reason: 'invalid \\u escape' };
        i += 6;
        continue;
      }
      if (escape === undefined || !ESCAPES.has(escape)) {
        return { offset: i, reason: 'invalid escape in a string' };
      }
      i += 2;
      continue;
    }
    i++;
  }
  return { offset: start, reason: 'unterminated string' };
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}
