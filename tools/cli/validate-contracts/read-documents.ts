/**
 * Reads the documents of one file without trusting it: size-guarded, binary-checked, parsed,
 * with every failure turned into a per-document result instead of an exception. A `.json` file
 * is one document; a JSON Lines file is streamed one line at a time, so its size is unbounded.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import type { ValidationIssue } from '../../../contracts/index.ts';
import { locateJsonError } from './json-syntax.ts';
import { errorCode } from '../error-code.ts';

/** Largest `.json` file, or `.jsonl` line, that is parsed; larger ones are reported invalid. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** A parsed document, or why a file or line could not yield one. `line` is set for JSON Lines. */
export type DocumentInput =
  | { kind: 'document'; line?: number; value: unknown }
  | { kind: 'error'; line?: number; issue: ValidationIssue };

/** A read or parse failure in the issue shape validators use; `pointer` is the document root. */
export function readIssue(rule: string, expected: string, reason: string): ValidationIssue {
  return { pointer: '', rule, expected, received: reason, message: reason };
}

const MIB = 1024 * 1024;
const formatMib = (bytes: number): string => `${(bytes / MIB).toFixed(1)} MiB`;

// `fatal` makes invalid UTF-8 throw instead of silently becoming U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads one file: a single JSON document, or (when `lines`) one document per non-blank line. */
export async function* readDocuments(path: string, lines: boolean): AsyncGenerator<DocumentInput> {
  if (lines) {
    yield* readJsonLines(path);
    return;
  }
  let bytes: Buffer;
  try {
    const read = readBounded(path);
    if (read.kind === 'too-large') {
      const message = `too large: ${formatMib(read.size)} exceeds the ${formatMib(MAX_DOCUMENT_BYTES)} limit for a .json file`;
      yield {
        kind: 'error',
        issue: readIssue('too_large', `<= ${MAX_DOCUMENT_BYTES} bytes`, message),
      };
      return;
    }
    bytes = read.bytes;
  } catch (error) {
    yield {
      kind: 'error',
      issue: readIssue('unreadable', 'a readable file', `cannot read (${errorCode(error)})`),
    };
    return;
  }
  yield parseDocument(bytes, undefined);
}

type BoundedRead = { kind: 'bytes'; bytes: Buffer } | { kind: 'too-large'; size: number };

/**
 * Reads a whole file unless its size exceeds the limit, in which case nothing is read.
 * Synchronous on purpose: open, fstat, read and close as four thread-pool round trips made a
 * 10,000-file tree several times slower, and only one bounded file is in memory either way.
 */
function readBounded(path: string): BoundedRead {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_DOCUMENT_BYTES) return { kind: 'too-large', size };
    const bytes = Buffer.allocUnsafe(size);
    let filled = 0;
    // A file that shrinks while being read ends the loop early; one that grows is cut at `size`.
    while (filled < size) {
      const bytesRead = readSync(fd, bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { kind: 'bytes', bytes: bytes.subarray(0, filled) };
  } finally {
    closeSync(fd);
  }
}

const isBlank = (bytes: Buffer): boolean =>
  bytes.every((byte) => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d);

/** Decodes and parses one document's bytes; `line` (JSON Lines) changes how positions read. */
function parseDocument(bytes: Buffer, line: number | undefined): DocumentInput {
  const at = line === undefined ? {} : { line };
  if (bytes.includes(0)) {
    const reason =
      line === undefined ? 'binary file (contains NUL bytes)' : 'binary data (contains NUL bytes)';
    return { kind: 'error', ...at, issue: readIssue('binary', 'UTF-8 JSON text', reason) };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    const reason =
      line === undefined ? 'binary file (invalid UTF-8)' : 'binary data (invalid UTF-8)';
    return { kind: 'error', ...at, issue: readIssue('binary', 'UTF-8 JSON text', reason) };
  }
  if (line === undefined && text.trim() === '') {
    return { kind: 'error', issue: readIssue('empty', 'a JSON document', 'empty file') };
  }
  try {
    return { kind: 'document', ...at, value: JSON.parse(text) as unknown };
  } catch {
    const found = locateJsonError(text);
    const where =
      found === null
        ? ''
        : line === undefined
          ? ` at line ${found.line} column ${found.column}`
          : ` at column ${found.column}`;
    const reason = `malformed JSON${where}: ${found?.reason ?? 'not valid JSON'}`;
    return { kind: 'error', ...at, issue: readIssue('json_syntax', 'well-formed JSON', reason) };
  }
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Streams a JSON Lines file, yielding one input per non-blank line. Lines longer than
 * `MAX_DOCUMENT_BYTES` are skipped to their end without being buffered, so memory stays bounded
 * by one line whatever the file size.
 */
async function* readJsonLines(path: string): AsyncGenerator<DocumentInput> {
  let lineNumber = 0;
  let parts: Buffer[] = [];
  let partsSize = 0;
  let overflow = false;
  let documents = 0;
  let firstChunk = true;

  const finishLine = (): DocumentInput | undefined => {
    lineNumber++;
    const bytes = Buffer.concat(parts, partsSize);
    const wasOverflow = overflow;
    parts = [];
    partsSize = 0;
    overflow = false;
    if (wasOverflow) {
      documents++;
      const reason = `line too long: exceeds the ${formatMib(MAX_DOCUMENT_BYTES)} limit for a JSON Lines line`;
      return {
        kind: 'error',
        line: lineNumber,
        issue: readIssue('too_large', `<= ${MAX_DOCUMENT_BYTES} bytes`, reason),
      };
    }
    const content =
      lineNumber === 1 && bytes.subarray(0, 3).equals(BOM) ? bytes.subarray(3) : bytes;
    if (isBlank(content)) return undefined;
    documents++;
    return parseDocument(content, lineNumber);
  };

  try {
    const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      // A NUL in the first block means a binary file: one verdict instead of one per "line".
      if (firstChunk && chunk.includes(0)) {
        stream.destroy();
        yield {
          kind: 'error',
          issue: readIssue('binary', 'UTF-8 JSON Lines text', 'binary file (contains NUL bytes)'),
        };
        return;
      }
      firstChunk = false;
      let start = 0;
      for (;;) {
        const newline = chunk.indexOf(0x0a, start);
        const end = newline === -1 ? chunk.length : newline;
        if (!overflow) {
          if (partsSize + end - start > MAX_DOCUMENT_BYTES) {
            overflow = true;
            parts = [];
            partsSize = 0;
          } else if (end > start) {
            parts.push(chunk.subarray(start, end));
            partsSize += end - start;
          }
        }
        if (newline === -1) break;
        const input = finishLine();
        if (input !== undefined) yield input;
        start = newline + 1;
      }
    }
  } catch (error) {
    yield {
      kind: 'error',
      issue: readIssue('unreadable', 'a readable file', `cannot read (${errorCode(error)})`),
    };
    return;
  }
  if (partsSize > 0 || overflow) {
    const input = finishLine();
    if (input !== undefined) yield input;
  }
  if (documents === 0) {
    yield { kind: 'error', issue: readIssue('empty', 'at least one JSON document', 'empty file') };
  }
}
