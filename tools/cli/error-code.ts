/**
 * The one safe detail of a filesystem error to show: its code (`ENOENT`, `EACCES`). Node's
 * messages repeat the absolute path and syscall, which add noise but no information here.
 */

/** The `code` of a Node system error, or `error` when there is none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
