/**
 * The issue shape every contract check reports: one issue per broken rule, with the JSON pointer
 * of the offending value, what the rule expected and what it received.
 */
/** One broken rule of a contract document. */
export interface ValidationIssue {
  /** JSON pointer (RFC 6901) of the offending value; `''` is the document root. */
  pointer: string;
  /** The ajv keyword (`required`, `enum`, ...) or the id of a semantic rule. */
  rule: string;
  /** What the rule expected, in words (allowed values are listed). */
  expected: string;
  /** Short JSON rendering of the received value (truncated); `(absent)` for a missing one. */
  received: string;
  /** One human line naming pointer, rule, expected and received. */
  message: string;
}

// Long enough to show an envelope field or a transition triple, short enough for one log line.
const MAX_RECEIVED_CHARS = 80;

/** Renders a value as compact JSON, truncated; `(absent)` when undefined. */
export function renderValue(value: unknown, max: number = MAX_RECEIVED_CHARS): string {
  if (value === undefined) return '(absent)';
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  // BigInt, cyclic values, functions and symbols have no JSON form.
  if (text === undefined) text = typeof value === 'bigint' ? `${value}n` : `<${typeof value}>`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Builds an issue, deriving its message from the other fields. */
export function makeIssue(
  pointer: string,
  rule: string,
  expected: string,
  received: string,
): ValidationIssue {
  const where = pointer === '' ? '(root)' : pointer;
  return {
    pointer,
    rule,
    expected,
    received,
    message: `${where} ${rule}: expected ${expected}, received ${received}`,
  };
}

/** Appends one property name to a JSON pointer, escaping `~` and `/` (RFC 6901). */
export function childPointer(pointer: string, key: string | number): string {
  return `${pointer}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}
