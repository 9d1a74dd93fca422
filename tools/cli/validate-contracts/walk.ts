/**
 * Expands the PATH arguments into the files to validate: explicit files as given, directories
 * walked depth-first in sorted order for `.json` and `.jsonl` files. Lazily, one directory
 * listing at a time, so a tree of any size costs memory for one listing, not the whole tree.
 */
import { readdir, stat } from 'node:fs/promises';
import type { Dirent, Stats } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { errorCode } from '../error-code.ts';

/** A file to read, or a path that should have been one but cannot be read. */
export type WalkEntry =
  | { kind: 'file'; path: string; display: string; lines: boolean }
  | { kind: 'error'; display: string; rule: string; reason: string };

/** Extensions a directory walk picks up. */
const DOCUMENT_EXTENSIONS: readonly string[] = ['.json', '.jsonl'];

/** Whether a file holds one document per line (JSON Lines) rather than one JSON document. */
function isJsonLines(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return ext === '.jsonl' || ext === '.ndjson';
}

const isDocumentName = (name: string): boolean =>
  DOCUMENT_EXTENSIONS.includes(extname(name).toLowerCase());

// Plain code-unit order, not localeCompare: the order must not depend on the machine's locale.
const byName = (a: Dirent, b: Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Yields every file to validate under `paths` (resolved against `cwd`), in argument order and
 * sorted within directories. Each directory is visited once (by device and inode), so symbolic
 * link loops end and a directory reachable twice is not validated twice.
 */
export async function* walkPaths(paths: readonly string[], cwd: string): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>();
  for (const display of paths) {
    const path = resolve(cwd, display);
    let stats: Stats;
    try {
      stats = await stat(path);
    } catch (error) {
      yield {
        kind: 'error',
        display,
        rule: 'unreadable',
        reason: `cannot read (${errorCode(error)})`,
      };
      continue;
    }
    if (stats.isDirectory()) yield* walkDirectory(path, display, stats, visited);
    else if (stats.isFile()) yield { kind: 'file', path, display, lines: isJsonLines(path) };
    else yield notRegular(display);
  }
}

async function* walkDirectory(
  path: string,
  display: string,
  stats: Stats,
  visited: Set<string>,
): AsyncGenerator<WalkEntry> {
  const key = `${stats.dev}:${stats.ino}`;
  if (visited.has(key)) return;
  visited.add(key);
  let entries: Dirent[];
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (error) {
    yield {
      kind: 'error',
      display,
      rule: 'unreadable',
      reason: `cannot read directory (${errorCode(error)})`,
    };
    return;
  }
  entries.sort(byName);
  for (const entry of entries) {
    const childPath = join(path, entry.name);
    const childDisplay = join(display, entry.name);
    let childStats: Stats | undefined;
    if (entry.isSymbolicLink() || entry.isDirectory()) {
      try {
        childStats = await stat(childPath);
      } catch (error) {
        if (isDocumentName(entry.name)) {
          yield {
            kind: 'error',
            display: childDisplay,
            rule: 'unreadable',
            reason: `cannot read (${errorCode(error)})`,
          };
        }
        continue;
      }
    }
    if (childStats?.isDirectory() === true) {
      yield* walkDirectory(childPath, childDisplay, childStats, visited);
    } else if (isDocumentName(entry.name)) {
      const isFile = childStats === undefined ? entry.isFile() : childStats.isFile();
      yield isFile
        ? { kind: 'file', path: childPath, display: childDisplay, lines: isJsonLines(entry.name) }
        : notRegular(childDisplay);
    }
  }
}

// FIFOs and devices are never opened: reading a FIFO would block the walk forever.
const notRegular = (display: string): WalkEntry => ({
  kind: 'error',
  display,
  rule: 'not_a_file',
  reason: 'not a regular file',
});
