/**
 * Atomic file writes for reports and generated files: readers (CI gates, the release check) see
 * either the previous file or the complete new one, never a truncated file from a crash or a
 * full disk mid-write.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';

// Same directory as the target, so the rename never crosses a filesystem and stays atomic.
const temporaryFor = (path: string): string =>
  `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;

/** Writes `data` (text as UTF-8, or bytes) to a temporary sibling, flushes it, renames it over `path`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryFor(path);
  try {
    const handle = await open(temporary, 'wx');
    try {
      await (typeof data === 'string' ? handle.writeFile(data, 'utf8') : handle.writeFile(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** A file written piece by piece to a temporary sibling; only `commit` makes it visible. */
export type AtomicFile = {
  /** Appends `text` followed by a newline; after a failed write, later writes are skipped. */
  writeLine(text: string): void;
  /** Flushes, closes and renames over the target; throws the first write error, if any. */
  commit(): void;
  /** Closes and removes the temporary file, leaving the target as it was. */
  discard(): void;
};

/**
 * Opens a temporary sibling of `path` for streaming writes, so a report of any size never has to
 * be built as one string. Synchronous: writes interleave with validation, and a report line is
 * small next to the work that produced it.
 */
export function openAtomicFile(path: string): AtomicFile {
  const temporary = temporaryFor(path);
  const fd = openSync(temporary, 'wx');
  let failure: Error | undefined;
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    closeSync(fd);
  };
  const discard = (): void => {
    try {
      close();
    } finally {
      rmSync(temporary, { force: true });
    }
  };
  return {
    writeLine(text) {
      if (failure !== undefined || closed) return;
      try {
        const bytes = Buffer.from(`${text}\n`, 'utf8');
        // writeSync may write less than asked (signals, some filesystems): loop to the end.
        for (let done = 0; done < bytes.length;)
          done += writeSync(fd, bytes, done, bytes.length - done);
      } catch (error) {
        // Kept for commit: the caller is mid-validation and reports it once, at the end.
        failure = error instanceof Error ? error : new Error(String(error));
      }
    },
    commit() {
      try {
        if (failure !== undefined) throw failure;
        fsyncSync(fd);
        close();
        renameSync(temporary, path);
      } catch (error) {
        discard();
        throw error;
      }
    },
    discard,
  };
}
