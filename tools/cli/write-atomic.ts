/**
 * Atomic file writes for reports: readers (CI gates, the release check) see either the previous
 * file or the complete new one, never a truncated file from a crash mid-write.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/** Writes `data` to a temporary sibling, flushes it to disk, then renames it over `path`. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  // Same directory, so the rename never crosses a filesystem and stays atomic.
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(data, 'utf8');
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
