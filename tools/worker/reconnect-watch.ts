/**
 * The reconnect budget of a worker (issue 10 item 3): follows the worker's NATS connections (the
 * assignment connection and the bus), says whether one of them is down (the worker then takes no
 * sessions), and gives up once a connection stayed down for the whole budget or closed by
 * itself, so the process can exit and its supervisor restart it.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusDiagnostic } from '../../contracts/internal.ts';

/** Default reconnect budget of a worker, in ms: long enough for a nats-server restart or upgrade. */
export const DEFAULT_RECONNECT_FOR_MS = 60_000;

/** One of a worker's NATS connections. */
export type NatsLink = 'assignments' | 'bus';

/** Timers of the watch (real ones in a worker; a test passes its own). */
export type WatchTimers = {
  readonly setTimeout: (run: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
};

/** Options of {@link createReconnectWatch}. */
export type ReconnectWatchOptions = {
  /** Longest a connection may stay down before the worker gives up, in ms. */
  readonly reconnectForMs: number;
  /** A connection went down while every one was up: the worker stops taking sessions. */
  readonly onDown: (link: NatsLink) => void;
  /** Every connection is up again: the worker takes sessions again. */
  readonly onUp: () => void;
  /** Called once, with the reason, when the budget ran out or a connection closed by itself. */
  readonly onGiveUp: (reason: string) => void;
  readonly timers?: WatchTimers;
};

/** What the worker tells the watch, and asks it. */
export type ReconnectWatch = {
  /** Whether a connection is down and the watch has neither given up nor stopped. */
  reconnecting(): boolean;
  /** A connection was lost. */
  down(link: NatsLink): void;
  /** A connection is back. */
  up(link: NatsLink): void;
  /** A connection closed: give up at once, unless the worker said it closes them itself. */
  closed(link: NatsLink, why: string): void;
  /** The worker closes its connections now (drain): a close is no failure; the budget still runs. */
  expectClose(): void;
  /** Stops watching; idempotent. */
  stop(): void;
};

const REAL_TIMERS: WatchTimers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Creates a watch with every connection up. */
export function createReconnectWatch(options: ReconnectWatchOptions): ReconnectWatch {
  const timers = options.timers ?? REAL_TIMERS;
  const downLinks = new Set<NatsLink>();
  let budget: unknown;
  let stopped = false;
  let closing = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (budget !== undefined) timers.clearTimeout(budget);
    budget = undefined;
  };
  const giveUp = (reason: string): void => {
    if (stopped) return;
    stop();
    options.onGiveUp(reason);
  };
  return {
    reconnecting: () => !stopped && downLinks.size > 0,
    down(link) {
      if (stopped || downLinks.has(link)) return;
      downLinks.add(link);
      if (downLinks.size > 1) return;
      // The budget runs from the first connection lost until every one is back: a worker that
      // has one connection up still cannot run a session (lease on one, lanes on the other).
      budget = timers.setTimeout(() => {
        budget = undefined;
        giveUp(`not reconnected within ${String(options.reconnectForMs)} ms`);
      }, options.reconnectForMs);
      options.onDown(link);
    },
    up(link) {
      if (stopped || !downLinks.delete(link) || downLinks.size > 0) return;
      if (budget !== undefined) timers.clearTimeout(budget);
      budget = undefined;
      options.onUp();
    },
    closed(link, why) {
      if (!closing) giveUp(`${link} connection closed: ${why}`);
    },
    expectClose() {
      closing = true;
    },
    stop,
  };
}

/** Feeds the status of a plain NATS connection into the watch until it closes. */
export function followConnection(nc: NatsConnection, link: NatsLink, watch: ReconnectWatch): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') watch.down(link);
      else if (status.type === 'reconnect') watch.up(link);
    }
    // The stream ends with the connection; a failure of it is reported by closed() below.
  })().catch(() => undefined);
  void nc.closed().then((error) => {
    // After expectClose() or stop() this is the worker's own close, and the watch ignores it.
    watch.closed(link, error instanceof Error ? error.message : 'closed');
  });
}

/** Feeds the bus's connection diagnostics into the watch. */
export function busConnectionListener(watch: ReconnectWatch): (diagnostic: BusDiagnostic) => void {
  return (d) => {
    if (d.kind !== 'connection') return;
    if (d.reason === 'closed') watch.closed('bus', 'closed');
    else if (d.state === 'connected') watch.up('bus');
    else watch.down('bus');
  };
}
