/**
 * How a worker takes and gives back a session's lease (ADR 0015): acquire under the worker id
 * and keep it renewed, or the refusal to answer the assignment with; release when the session
 * ends, reporting what became of the lease.
 */
import type { RuntimeClock } from '../../actors/index.ts';
import { isLeaseError, type LeasePort } from '../../contracts/index.ts';
import { keepLease, type LeaseKeeper, type LeaseLoss } from './lease-keeper.ts';
import type { RefusalReason } from './protocol.ts';

/** Options of {@link takeLease}. */
export type TakeLeaseOptions = {
  readonly leases: LeasePort;
  readonly tenant_id: string;
  readonly session_id: string;
  /** Holder name: the worker id. */
  readonly holder: string;
  readonly clock: Pick<RuntimeClock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Called once if the lease is lost while kept. */
  readonly onLost: (loss: LeaseLoss) => void;
  /** Called for a renew that failed but may succeed later. */
  readonly onRenewFailed: (message: string) => void;
};

/** A kept lease, or why the session must be refused. */
export type TakenLease =
  { readonly keeper: LeaseKeeper } | { readonly refusal: RefusalReason; readonly message: string };

/** Acquires the session's lease and starts renewing it, or returns the refusal. */
export async function takeLease(options: TakeLeaseOptions): Promise<TakenLease> {
  const acquiredAt = options.clock.now();
  try {
    const lease = options.leases.lease(options.tenant_id, options.session_id);
    const grant = await lease.acquire(options.holder);
    const keeper = keepLease({
      lease,
      grant,
      acquiredAt,
      clock: options.clock,
      ttlMs: options.leases.ttlMs,
      onLost: options.onLost,
      onRenewFailed: options.onRenewFailed,
    });
    return { keeper };
  } catch (error) {
    const refusal: RefusalReason = isLeaseError(error, 'lease_held')
      ? 'lease_held'
      : isLeaseError(error, 'invalid_input')
        ? 'invalid_request'
        : 'lease_unavailable';
    return { refusal, message: error instanceof Error ? error.message : String(error) };
  }
}

/** What became of a session's lease when it ended (logged with `session_closed`). */
export type LeaseOutcome = 'released' | 'lost' | 'release_failed' | 'none';

/**
 * Stops renewing and releases the lease unless it was lost; a failed release is reported to
 * `onFailed` (the lease then lapses after its TTL, and nobody else can take it before).
 */
export async function giveBackLease(
  keeper: LeaseKeeper | undefined,
  onFailed: (message: string) => void,
): Promise<LeaseOutcome> {
  if (keeper === undefined) return 'none';
  try {
    return (await keeper.release()) ? 'released' : 'lost';
  } catch (error) {
    onFailed(error instanceof Error ? error.message : String(error));
    return 'release_failed';
  }
}
