/**
 * The append-only evidence file under the JSONL sink: opened with `O_APPEND` so every write lands
 * at the current end of file, whatever else appends to it, and never over earlier bytes.
 */
import { open, stat } from 'node:fs/promises';
import { EvidenceSinkError } from '../../../contracts/internal.ts';

/** The few file operations the sink needs; injectable so tests can make writes fail. */
export interface EvidenceFile {
  /** One write call; resolves with how many bytes reached the file. */
  write(data: Uint8Array): Promise<{ readonly bytesWritten: number }>;
  /** Flushes written data to the device. */
  sync(): Promise<void>;
  /** Releases the file. */
  close(): Promise<void>;
}

/** Opens (creating if needed) the evidence file at a path for appending. */
export type EvidenceFileOpener = (path: string) => Promise<EvidenceFile>;

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown error';
}

/** Rejects a directory with an error naming the path; a missing path is fine (it is created). */
async function assertNotDirectory(path: string): Promise<void> {
  let isDirectory = false;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') {
      throw new EvidenceSinkError(
        'open_failed',
        path,
        `cannot open evidence file ${path}: ${errorCode(error)}`,
        error,
      );
    }
  }
  if (isDirectory) {
    throw new EvidenceSinkError(
      'path_is_directory',
      path,
      `evidence path ${path} is a directory; expected a file path for the JSONL evidence`,
    );
  }
}

/**
 * Opens `path` with `a+` (`O_APPEND | O_CREAT | O_RDWR`). When the file does not end with a
 * newline (a line torn by an earlier crash), one `\n` is appended first so the torn fragment
 * stays a line of its own and the first new line is not glued to it.
 */
export const openAppendFile: EvidenceFileOpener = async (path) => {
  await assertNotDirectory(path);
  let handle;
  try {
    handle = await open(path, 'a+');
  } catch (error) {
    const code = errorCode(error) === 'EISDIR' ? 'path_is_directory' : 'open_failed';
    throw new EvidenceSinkError(
      code,
      path,
      `cannot open evidence file ${path}: ${errorCode(error)}`,
      error,
    );
  }
  try {
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await handle.write(Buffer.from('\n'));
    }
  } catch (error) {
    await handle.close();
    throw new EvidenceSinkError(
      'open_failed',
      path,
      `cannot prepare evidence file ${path}: ${errorCode(error)}`,
      error,
    );
  }
  return handle;
};
