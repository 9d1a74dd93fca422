/**
 * Makes untrusted text (file names, flag values, messages that quote them) safe to print on one
 * terminal line: a file name holding a newline could otherwise forge an `ok`/`FAIL` line, and one
 * holding an escape sequence could rewrite what the terminal already shows.
 */

// C0 and C1 controls, DEL, line and paragraph separators, bidirectional overrides and marks
// (they reorder what follows them on screen), and lone surrogates (not printable text).
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control or reordering character written as an escape (`\n`, `\x1b`, `\u2028`). */
export function printable(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (char) => {
    const short = SHORT[char];
    if (short !== undefined) return short;
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
