/**
 * The assigning side across a nats-server restart (issue 10 item 3): for a few seconds after a
 * restart the worker group has not resubscribed yet ("no responders"), and the driver's own
 * connection may still be reconnecting (its requests are then lost and time out). These
 * failures are retried for a bounded time; every other error is thrown at once.
 */
import { errors, type NatsConnection } from '@nats-io/transport-node';
import type { BusPort } from '../../contracts/index.ts';

/** Default of `AssignOptions.retryForMs`: a server restart plus the workers' reconnect wait. */
export const DEFAULT_ASSIGN_RETRY_MS = 10_000;

/** A budget of retries shared by the steps of one assignment. */
export type RetryWindow = {
  /**
   * Runs `attempt`; while it fails because NATS or the worker group cannot be reached, runs it
   * again after a short pause, until the window (from the first such failure) has passed.
   */
  run<T>(attempt: () => Promise<T>): Promise<T>;
};

/** Creates a window of `ms` that opens at its first retryable failure. */
export function createRetryWindow(ms: number, now: () => number = Date.now): RetryWindow {
  let since: number | undefined;
  return {
    async run(attempt) {
      for (let pause = 25; ; pause = Math.min(pause * 2, 250)) {
        try {
          return await attempt();
        } catch (error) {
          if (!isUnreachable(error)) throw error;
          since ??= now();
          if (now() - since >= ms) {
            throw new Error(
              `NATS or the worker group unreachable for ${String(ms)} ms: ${messageOf(error)}`,
              { cause: error },
            );
          }
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
  };
}

/**
 * Resolves once both of the driver's connections are up: the bus says so, and a ping on the
 * plain connection got its answer. A request sent while the connection is down is dropped at
 * the next reconnect attempt and would only fail after its whole timeout.
 */
export async function whenReachable(
  link: { readonly nc: NatsConnection; readonly bus: BusPort },
  timeoutMs: number,
): Promise<void> {
  if (link.bus.connectionState() !== 'connected') throw new Unreachable('bus reconnecting');
  let timer: NodeJS.Timeout | undefined;
  try {
    // A ping made while disconnected is rejected at the next reconnect attempt (`RequestError`).
    await Promise.race([
      link.nc.flush(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Unreachable('no answer to a ping')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Our own "not reachable now" (see {@link whenReachable}). */
class Unreachable extends Error {
  override readonly name = 'Unreachable';
}

/**
 * Whether `error` says NATS or a worker could not be reached now: no responders, a timeout, the
 * connection dropping a ping or request (a `RequestError` with no cause), or ours. A closed
 * connection, a permission error or a refusal is not.
 */
function isUnreachable(error: unknown): boolean {
  if (error instanceof Unreachable || error instanceof errors.TimeoutError) return true;
  if (error instanceof errors.NoRespondersError) return true;
  if (!(error instanceof errors.RequestError)) return false;
  return error.isNoResponders() || error.cause === undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
