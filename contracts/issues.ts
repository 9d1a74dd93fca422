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
  const parts: string[] = [];
  const budget = { left: max + 1 };
  appendJson(value, parts, budget, new Set());
  const text = parts.join('');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * Appends a JSON rendering of `value` until `budget.left` characters are spent, so a huge
 * document costs O(max), not O(size) (a 50 MB value used to be stringified whole).
 */
function appendJson(
  value: unknown,
  parts: string[],
  budget: { left: number },
  seen: Set<object>,
): void {
  const push = (text: string): void => {
    const piece = text.length > budget.left ? text.slice(0, budget.left) : text;
    parts.push(piece);
    budget.left -= piece.length;
  };
  if (budget.left <= 0) return;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    push(String(value)); // JSON would say `null` for NaN and the infinities
  } else if (value === null || typeof value === 'boolean' || typeof value === 'number') {
    push(JSON.stringify(value) ?? 'null');
  } else if (typeof value === 'string') {
    // Only the head of a long string can be shown; quoting it whole would be O(size).
    push(JSON.stringify(value.length > budget.left ? value.slice(0, budget.left) : value));
  } else if (typeof value === 'bigint') {
    push(`${value}n`);
  } else if (typeof value !== 'object') {
    push(`<${typeof value}>`);
  } else if (seen.has(value)) {
    push('<cycle>');
  } else {
    seen.add(value);
    const isArray = Array.isArray(value);
    push(isArray ? '[' : '{');
    const entries = isArray ? (value as unknown[]).entries() : Object.entries(value);
    let first = true;
    for (const [key, item] of entries) {
      if (budget.left <= 0) break;
      if (!first) push(',');
      first = false;
      if (!isArray) push(`${JSON.stringify(String(key))}:`);
      appendJson(item, parts, budget, seen);
    }
    push(isArray ? ']' : '}');
    seen.delete(value);
  }
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
