/**
 * Running a local program as a provider (ADR 0043): finding it on a PATH, starting it with its
 * output read as a stream, an abort that kills it at once (SIGKILL, its whole process group when
 * it leads one), and its failures as adapter errors: not installed is `endpoint_missing`
 * (blocked, never retried), a crash or a non-zero exit `server_error`. Text and audio go through
 * stdin or private files, never the command line (other users can read it in `ps`).
 */
import { spawn as nodeSpawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { AdapterError } from '../../../contracts/index.ts';
import type { ProviderEnv } from './env.ts';

/** The spawn to use: node's, or a test's wrapper that watches the children. */
export type SpawnFunction = typeof nodeSpawn;

/** Whether a program a provider needs is installed. */
export interface ToolStatus {
  /** Program name (`flite`). */
  readonly tool: string;
  /** Absolute path found, or null when missing. */
  readonly path: string | null;
  /** Null when found; otherwise names the program and the command that installs it. */
  readonly message: string | null;
}

/** The sentence shown for a missing program: its name and how to install it. */
export function missingToolMessage(tool: string, packages: readonly string[]): string {
  return (
    `${tool} is not installed (not found on PATH): install it with ` +
    `\`sudo apt-get install -y ${packages.join(' ')}\` (Debian/Ubuntu packages)`
  );
}

/** Finds `tool` on the PATH of `env` (or takes it as a path when it has a slash). */
export async function findExecutable(tool: string, env: ProviderEnv): Promise<string | null> {
  const executable = async (path: string) => {
    try {
      await access(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (tool.includes('/')) return isAbsolute(tool) && (await executable(tool)) ? tool : null;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, tool);
    if (await executable(path)) return path;
  }
  return null;
}

/** Checks one program: found, or a message naming it and the Debian packages to install. */
export async function checkTool(
  tool: string,
  packages: readonly string[],
  env: ProviderEnv,
): Promise<ToolStatus> {
  const path = await findExecutable(tool, env);
  return { tool, path, message: path === null ? missingToolMessage(tool, packages) : null };
}

/** What {@link startTool} runs. */
export interface ToolLaunch {
  /** `provider_id` for errors. */
  readonly provider: string;
  /** The program (name on PATH or absolute path). */
  readonly command: string;
  /** Its arguments: never user content. */
  readonly args: readonly string[];
  /** Aborting it kills the program at once. */
  readonly signal: AbortSignal;
  /** Shown (as the error's cause) when the program is missing: see {@link missingToolMessage}. */
  readonly missing: string;
  /** `{ data }` is written to stdin, which is then closed; `pipe` leaves stdin to the caller. */
  readonly stdin: { readonly data: Uint8Array | string } | 'pipe';
  /** Starts it as the leader of a new process group, so a kill reaches its children too. */
  readonly group?: boolean;
  /** The spawn to use (default node's). */
  readonly spawn?: SpawnFunction;
}

/** One running program. */
export interface ToolRun {
  /** The process (its `stdin` is writable when `stdin` was `pipe`). */
  readonly child: ChildProcess;
  /**
   * Its stdout as it comes. After the last chunk it rejects with the {@link AdapterError} of a
   * failed exit; after an abort (or a kill) it just ends. Stopping early kills the program.
   */
  readonly output: AsyncIterable<Uint8Array>;
  /** Kills it now (SIGKILL; the group for a group leader); idempotent. */
  kill(): void;
}

/** How the program ended. */
type Exit =
  | { readonly error: NodeJS.ErrnoException }
  | { readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Exit status of `sh` when the command is not found. */
const COMMAND_NOT_FOUND = 127;

/** The adapter error of a failed exit, or null for a clean one. */
function failureOf(launch: ToolLaunch, exit: Exit): AdapterError | null {
  const { provider } = launch;
  if ('error' in exit) {
    const code = exit.error.code;
    if (code === 'ENOENT' || code === 'EACCES') {
      const detail = code === 'ENOENT' ? 'binary_missing' : 'binary_not_executable';
      return new AdapterError('endpoint_missing', {
        provider,
        detail,
        cause: new Error(launch.missing, { cause: exit.error }),
      });
    }
    return new AdapterError('invoke_failed', {
      provider,
      detail: 'spawn_failed',
      cause: exit.error,
    });
  }
  if (exit.code === 0) return null;
  if (exit.code === COMMAND_NOT_FOUND && launch.group === true) {
    return new AdapterError('endpoint_missing', {
      provider,
      detail: 'binary_missing',
      cause: new Error(launch.missing),
    });
  }
  const detail = exit.code === null ? `signal_${exit.signal ?? 'unknown'}` : `exit_${exit.code}`;
  return new AdapterError('server_error', { provider, detail });
}

/** Starts a program; the abort kills it, and the output reports how it ended. */
export function startTool(launch: ToolLaunch): ToolRun {
  const child = (launch.spawn ?? nodeSpawn)(launch.command, [...launch.args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    detached: launch.group === true,
  });
  let killed = false;
  const kill = () => {
    if (killed || child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    try {
      if (launch.group === true && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Already gone: nothing left to stop.
    }
  };
  const { signal } = launch;
  signal.addEventListener('abort', kill, { once: true });
  const exit = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('close', (code, signalName) => resolve({ code, signal: signalName }));
  });
  void exit.then(() => signal.removeEventListener('abort', kill));
  // A program that exits early breaks its stdin (EPIPE): its exit status tells what happened.
  child.stdin?.on('error', () => undefined);
  if (launch.stdin !== 'pipe') child.stdin?.end(launch.stdin.data);
  if (signal.aborted) kill();

  async function* output(): AsyncGenerator<Uint8Array, void, undefined> {
    let complete = false;
    try {
      try {
        if (child.stdout !== null) {
          for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk;
        }
      } catch {
        // A broken stdout: the exit status (or the kill) says what happened.
      }
      const ended = await exit;
      complete = true;
      if (signal.aborted || killed) return;
      const failure = failureOf(launch, ended);
      if (failure !== null) throw failure;
    } finally {
      if (!complete) kill();
    }
  }
  return { child, output: output(), kill };
}

/** A private (0700) scratch directory for one stream's files, and its removal. */
export async function createScratchDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'rspp-tool-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
