/**
 * Keeps one session's lease while a worker runs it (ADR 0015): renews it every `renewEveryMs`
 * (one renew in flight at a time), and declares it lost either when the store refuses a renew
 * (`lease_lost`: the lease lapsed or was taken over) or when the local deadline passes: the send
 * time of the latest successful write plus the TTL. The server measures the TTL from when it
 * stored that write, which is later, so the holder gives up no later than the server frees the
 * lease (clock rates assumed equal), even if renews hang or the store is unreachable.
 */
import type { RuntimeClock, TimerHandle } from '../../actors/index.ts';
import {
  isLeaseError,
  type LeaseGrant,
  type LeaseReason,
  type SessionLease,
} from '../../contracts/index.ts';

/** Why a lease was lost, as CP-07 lease reasons: refused by the store, or the deadline passed. */
export type LeaseLossReason = Extract<LeaseReason, 'lease_stale_epoch' | 'lease_deauthorized'>;

/** What {@link LeaseKeeperOptions.onLost} receives. */
export type LeaseLoss = {
  readonly reason: LeaseLossReason;
  /** The tenure that was lost. */
  readonly epoch: number;
  /** The store's message (ids, holders and revisions only). */
  readonly message: string;
};

/** Options of {@link keepLease}. */
export type LeaseKeeperOptions = {
  readonly lease: SessionLease;
  /** The grant `acquire` returned. */
  readonly grant: LeaseGrant;
  /** Runtime time of sending that `acquire` (start of the first deadline). */
  readonly acquiredAt: number;
  readonly clock: Pick<RuntimeClock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Lease TTL in ms (the store's `ttlMs`). */
  readonly ttlMs: number;
  /** Renew period in ms (default a third of the TTL). */
  readonly renewEveryMs?: number;
  /** Called once when the lease is lost; never after `stop` or `release`. */
  readonly onLost: (loss: LeaseLoss) => void;
  /** Called for a renew that failed but may succeed later (the lease is not lost yet). */
  readonly onRenewFailed?: (message: string) => void;
};

/** A kept lease. */
export type LeaseKeeper = {
  /** The latest grant (same epoch, newest revision). */
  grant(): LeaseGrant;
  /** Whether the lease was declared lost. */
  lost(): boolean;
  /** Stops renewing and clears its timers; idempotent. */
  stop(): void;
  /** Stops, then releases the lease; false when it was already lost. */
  release(): Promise<boolean>;
};

/** Starts keeping a freshly acquired lease. */
export function keepLease(options: LeaseKeeperOptions): LeaseKeeper {
  const { clock, lease, ttlMs } = options;
  const every = Math.max(1, options.renewEveryMs ?? Math.floor(ttlMs / 3));
  let grant = options.grant;
  let stopped = false;
  let isLost = false;
  let renewTimer: TimerHandle | undefined;
  let deadlineTimer: TimerHandle | undefined;

  const clear = () => {
    if (renewTimer !== undefined) clock.clearTimeout(renewTimer);
    if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
    renewTimer = deadlineTimer = undefined;
  };
  const stop = () => {
    stopped = true;
    clear();
  };
  const lose = (reason: LeaseLossReason, message: string) => {
    if (stopped) return;
    isLost = true;
    stop();
    options.onLost({ reason, epoch: grant.epoch, message });
  };
  const armDeadline = (writtenAt: number) => {
    if (deadlineTimer !== undefined) clock.clearTimeout(deadlineTimer);
    const left = writtenAt + ttlMs - clock.now();
    deadlineTimer = clock.setTimeout(
      () =>
        lose(
          'lease_deauthorized',
          `lease of ${grant.holder} (epoch ${String(grant.epoch)}) not renewed within ${String(ttlMs)} ms`,
        ),
      Math.max(0, left),
    );
  };
  const schedule = (delayMs: number) => {
    renewTimer = clock.setTimeout(renew, Math.max(0, delayMs));
  };
  function renew() {
    renewTimer = undefined;
    if (stopped) return;
    const sentAt = clock.now();
    lease.renew(grant).then(
      (next) => {
        if (stopped) return;
        grant = next;
        armDeadline(sentAt);
        schedule(every);
      },
      (error: unknown) => {
        if (stopped) return;
        if (isLeaseError(error, 'lease_lost')) {
          lose('lease_stale_epoch', error.message);
          return;
        }
        options.onRenewFailed?.(error instanceof Error ? error.message : String(error));
        // Retry sooner than the period; the deadline timer still bounds how long we may try.
        schedule(Math.min(every, Math.max(1, Math.floor(every / 3))));
      },
    );
  }

  armDeadline(options.acquiredAt);
  schedule(every);
  return {
    grant: () => grant,
    lost: () => isLost,
    stop,
    async release() {
      stop();
      if (isLost) return false;
      return lease.release(grant);
    },
  };
}
