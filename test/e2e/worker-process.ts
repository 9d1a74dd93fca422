/**
 * Test helper: runs `node bin/rspp.js worker ...` as a child process, parses its JSON log lines,
 * and waits for log events or its exit (bounded waits, no wall-clock assertions).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** One line of the worker's JSON log. */
export type WorkerLogEvent = { readonly event: string; readonly [key: string]: unknown };

/** A worker child process. */
export type WorkerProcess = {
  readonly name: string;
  readonly child: ChildProcess;
  /** Parsed stdout lines so far. */
  readonly events: readonly WorkerLogEvent[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Waits until a logged event satisfies `match`, and returns it. */
  waitForEvent(match: (event: WorkerLogEvent) => boolean, what: string): Promise<WorkerLogEvent>;
  /** Waits for the exit; resolves with the code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILLs the process if it is still running (cleanup). */
  kill(): void;
};

/** Spawns `rspp <args>` from the repository root, with `env` added to this process's. */
export function spawnRspp(
  name: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): WorkerProcess {
  const child = spawn(process.execPath, ['bin/rspp.js', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const events: WorkerLogEvent[] = [];
  let err = '';
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      try {
        events.push(JSON.parse(line) as WorkerLogEvent);
      } catch {
        events.push({ event: 'text', line });
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-8000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    name,
    child,
    events,
    stderr: () => err,
    exited,
    kill() {
      if (!done) child.kill('SIGKILL');
    },
    async waitForEvent(match, what) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = events.find(match);
        if (found !== undefined) return found;
        if (done || Date.now() > deadline) {
          throw new Error(`${name}: no ${what} (exited: ${String(done)}); stderr:\n${err}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
