/**
 * The one safe detail of a filesystem error to show: its code (`ENOENT`, `EACCES`). Node's
 * messages repeat the absolute path and syscall, which add noise but no information here.
 */

/** The `code` of a Node system error, or `error` when there is none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}

// What each code means for a path the user named; the code alone reads as jargon to many.
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  ENOTDIR: 'a parent is not a directory',
  EEXIST: 'it exists and is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** The code of a filesystem error plus what it means, e.g. `ENOTDIR (a parent is not a directory)`. */
export function errorReason(error: unknown): string {
  const code = errorCode(error);
  const reason = REASONS[code];
  return reason === undefined ? code : `${code} (${reason})`;
}
