/**
 * Test harness: starts nats-server with a config file (users, permissions) plus a loopback
 * listener on a random port and JetStream in a fresh temp directory, given on the command line
 * so they override anything the file says; stops it and deletes the directory after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreeLoopbackPort, findNatsServerBinary } from './nats-server.ts';

/** Options of {@link startNatsServerWithConfig}. */
export type ConfiguredNatsServerOptions = {
  /** Path of the nats-server config file (e.g. test/fixtures/nats/tenant-auth.conf). */
  readonly configFile: string;
  /** Path of the nats-server binary; default: on PATH or at /usr/sbin/nats-server. */
  readonly binary?: string;
  /** How long to wait for "Server is ready", in ms (default 15 000). */
  readonly readyTimeoutMs?: number;
};

/** A nats-server started from a config file. */
export type ConfiguredNatsServer = {
  /** Client URL, always `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops the server and deletes its JetStream directory; idempotent. */
  dispose(): Promise<void>;
};

/** Starts nats-server with `configFile` on a random loopback port; resolves once it is ready. */
export async function startNatsServerWithConfig(
  options: ConfiguredNatsServerOptions,
): Promise<ConfiguredNatsServer> {
  accessSync(options.configFile, constants.R_OK);
  const binary = options.binary ?? findNatsServerBinary();
  const port = await findFreeLoopbackPort();
  const storeDir = mkdtempSync(join(tmpdir(), 'rspp-nats-auth-'));
  // Command-line flags override the file: loopback only, whatever `listen` the file may hold.
  const args = ['-c', options.configFile, '-a', '127.0.0.1', '-p', String(port)];
  const child = spawn(binary, [...args, '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const dispose = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(storeDir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(child, options.readyTimeoutMs ?? 15_000);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { url: `nats://127.0.0.1:${String(port)}`, dispose };
}

/** Resolves once the server logs "Server is ready"; rejects with the log tail otherwise. */
async function waitUntilReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  const stderr = child.stderr;
  if (stderr === null) throw new Error('nats-server stderr is not piped');
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      stderr.off('data', onData);
      child.off('exit', onExit);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      log = (log + chunk.toString('utf8')).slice(-8000);
      if (log.includes('Server is ready')) finish();
    };
    const onExit = (code: number | null): void => {
      finish(new Error(`nats-server exited (code ${String(code)}); log tail:\n${log}`));
    };
    const timer = setTimeout(() => {
      finish(new Error(`nats-server not ready after ${String(timeoutMs)} ms; log tail:\n${log}`));
    }, timeoutMs);
    stderr.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stderr so a chatty server never blocks on a full pipe.
  stderr.resume();
}
