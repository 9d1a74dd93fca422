/**
 * Starts a real nats-server (with JetStream) on a random loopback port for tests, and can stop
 * and restart it on the same port and store directory so reconnect behaviour can be exercised.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Path of the nats-server binary; default: found on PATH or at /usr/sbin/nats-server. */
  readonly binary?: string;
  /** How long to wait for the server to accept connections, in ms (default 15 000). */
  readonly readyTimeoutMs?: number;
  /**
   * A nats-server config file (users, permissions, ...). The loopback listener, port and
   * JetStream store given on the command line override whatever the file says.
   */
  readonly configFile?: string;
}

/** How {@link NatsServerHandle.stop} ends the process: a clean shutdown or a crash. */
export type NatsStopMode = 'graceful' | 'kill';

/** A running (or stopped) nats-server owned by one test file or global setup. */
export interface NatsServerHandle {
  /** Client URL, e.g. `nats://127.0.0.1:4567`; stays the same across restarts. */
  readonly url: string;
  /** Loopback port the server listens on. */
  readonly port: number;
  /** JetStream store directory; kept across restarts so streams survive them. */
  readonly storeDir: string;
  /** Whether the server process is currently running. */
  isRunning(): boolean;
  /** Stops the process (SIGTERM for `graceful`, SIGKILL for `kill`) and waits for its exit. */
  stop(mode?: NatsStopMode): Promise<void>;
  /** Starts the process again on the same port and store directory; waits until it is ready. */
  restart(): Promise<void>;
  /** Stops the server and deletes its store directory. */
  dispose(): Promise<void>;
}

const CANDIDATE_PATHS = [
  '/usr/sbin/nats-server',
  '/usr/local/bin/nats-server',
  '/usr/bin/nats-server',
];

/** Finds the nats-server binary on PATH or at the usual install locations, or throws how to install it. */
export function findNatsServerBinary(): string {
  const fromPath = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'nats-server'));
  for (const candidate of [...fromPath, ...CANDIDATE_PATHS]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here; try the next location.
    }
  }
  throw new Error(
    'nats-server not found on PATH or in /usr/sbin, /usr/local/bin, /usr/bin. ' +
      'Install it (Debian/Ubuntu: `apt-get install nats-server`) or set NATS_URL to a running server.',
  );
}

/** Asks the OS for a free loopback port; the tiny race until nats-server binds it is acceptable in tests. */
export async function findFreeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Starts nats-server with JetStream on a random loopback port and a fresh store directory. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = options.binary ?? findNatsServerBinary();
  const readyTimeoutMs = options.readyTimeoutMs ?? 15_000;
  const port = await findFreeLoopbackPort();
  if (options.configFile !== undefined) accessSync(options.configFile, constants.R_OK);
  const storeDir = mkdtempSync(join(tmpdir(), 'rspp-nats-'));
  const config = options.configFile === undefined ? [] : ['-c', options.configFile];
  const args = [...config, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir];
  let child: ChildProcess | undefined;

  // A test process that dies without dispose() must not leave servers behind.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<void> => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    await waitUntilReady(proc, readyTimeoutMs);
  };

  const stop = async (mode: NatsStopMode = 'graceful'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };

  try {
    await launch();
  } catch (error) {
    rmSync(storeDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    isRunning: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    dispose: async () => {
      process.off('exit', killOnExit);
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/**
 * Resolves once the server logs "Server is ready" (printed after JetStream and the client
 * listener are up, so a connect right after cannot race JetStream start-up); rejects with the
 * log tail if the process exits first or the timeout passes.
 */
async function waitUntilReady(proc: ChildProcess, timeoutMs: number): Promise<void> {
  const stderr = proc.stderr;
  if (stderr === null) throw new Error('nats-server stderr is not piped');
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`nats-server ${why}; log tail:\n${log.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer): void => {
      // Keep only a bounded tail: the log is for error messages, not a record.
      log = (log + chunk.toString('utf8')).slice(-8000);
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve();
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited (code ${code}, signal ${signal}); log tail:\n${log}`));
    };
    stderr.on('data', onData);
    proc.once('exit', onExit);
    proc.once('error', (err) => fail(`failed to spawn: ${err.message}`));
  });
  // Keep draining stderr so a chatty server never blocks on a full pipe.
  stderr.resume();
}
