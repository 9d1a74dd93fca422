/**
 * The shape every `rspp` subcommand implements, and the I/O it is given: commands never touch
 * `process` directly, so tests drive them in-process and capture what they print.
 */
import type { Readable, Writable } from 'node:stream';

/** Where a command prints and which directory relative paths resolve against. */
export type CliIo = {
  /** Prints one line of regular output (stdout). */
  out(line: string): void;
  /** Prints one line of diagnostics (stderr). */
  err(line: string): void;
  /** Absolute directory that relative path arguments resolve against. */
  cwd: string;
  /** The interactive terminal (`rspp run --transport console`): input, output, and whether both are TTYs. */
  terminal?: { input: Readable; output: Writable; tty: boolean };
};

/** One `rspp` subcommand. */
export type Command = {
  /** The word that selects the command (`rspp <name>`). */
  name: string;
  /** One-line description shown in the command list. */
  summary: string;
  /** Full usage text (synopsis, flags, exit codes) shown by `rspp help <name>` and on errors. */
  usage: string;
  /** Runs the command and resolves to its exit code (0 ok, 1 failure, 2 usage error). */
  run(args: readonly string[], io: CliIo): Promise<number>;
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Creates a `CliIo` bound to the process's stdout, stderr and working directory. */
export function createProcessIo(): CliIo {
  return {
    out: createLineWriter(process.stdout),
    err: createLineWriter(process.stderr),
    cwd: process.cwd(),
    terminal: {
      input: process.stdin,
      output: process.stdout,
      tty: process.stdin.isTTY && process.stdout.isTTY,
    },
  };
}

// A reader that goes away (`rspp ... | head`) is not the command's failure: stop writing to it
// instead of dying on an unhandled EPIPE. Any other stream error still surfaces.
function createLineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (line) => {
    if (!closed) stream.write(`${line}\n`);
  };
}
