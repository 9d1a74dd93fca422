/**
 * Vitest globalSetup: provides `natsUrl` to every test file. Uses NATS_URL when set (it must be
 * a loopback address), otherwise starts one nats-server for the whole run and stops it after.
 */
import type { TestProject } from 'vitest/node';
import { startNatsServer } from './nats-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared nats-server, when the globalSetup ran. */
    natsUrl: string;
  }
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Returns NATS_URL if set, refusing anything but a loopback host (tests never touch public hosts). */
export function natsUrlFromEnv(): string | undefined {
  const fromEnv = process.env['NATS_URL'];
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const host = new URL(fromEnv.includes('://') ? fromEnv : `nats://${fromEnv}`).hostname;
  if (!LOOPBACK_HOSTS.has(host)) {
    throw new Error(`NATS_URL must point at a loopback address for tests, received host ${host}`);
  }
  return fromEnv;
}

/** Starts (or adopts) the shared server and returns its teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const fromEnv = natsUrlFromEnv();
  if (fromEnv !== undefined) {
    project.provide('natsUrl', fromEnv);
    return () => Promise.resolve();
  }
  const server = await startNatsServer();
  project.provide('natsUrl', server.url);
  return () => server.dispose();
}
