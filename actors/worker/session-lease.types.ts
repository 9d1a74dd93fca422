/**
 * Types of the session lease machine (`session-lease.machine.ts`): its input, context, the
 * events it accepts, the events it emits and its output.
 */
import type { LeaseGrant, LeaseReason } from '../../contracts/internal.ts';

/** Input of one session held by a worker. */
export type SessionLeaseInput = {
  readonly tenant_id: string;
  readonly session_id: string;
  /** Holder name written with the lease: the worker id. */
  readonly holder: string;
  /** Lease TTL in ms (the store's `ttlMs`). */
  readonly ttl_ms: number;
  /** Renew period in ms (default a third of the TTL, at least 1). */
  readonly renew_every_ms?: number;
};

/** Why an assignment is refused by its session lease (ADR 0015): the reply's `reason`. */
type SessionLeaseRefusal = 'lease_held' | 'lease_unavailable' | 'invalid_request';

/** Why a held lease was lost, as CP-07 lease reasons: refused by the store, or the deadline passed. */
type LeaseLossReason = Extract<LeaseReason, 'lease_stale_epoch' | 'lease_deauthorized'>;

/** A lost lease: why, which tenure, and the store's message (ids, holders, revisions only). */
export type LeaseLoss = {
  readonly reason: LeaseLossReason;
  readonly epoch: number;
  readonly message: string;
};

/**
 * What became of the lease when the session ended: `released` by this holder, `lost` (taken
 * over or lapsed), `release_failed` (it lapses after its TTL), or `none` (never acquired).
 */
export type LeaseOutcome = 'released' | 'lost' | 'release_failed' | 'none';

/** Context of the session lease machine. */
export type SessionLeaseContext = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly holder: string;
  readonly ttl_ms: number;
  readonly renew_every_ms: number;
  /** Delay before retrying a renew that failed without refusal. */
  readonly retry_ms: number;
  /** The latest grant: the epoch of the tenure and the revision of the latest write. */
  readonly grant: LeaseGrant | null;
  readonly loss: LeaseLoss | null;
  /** Set when the assignment must be answered with a refusal. */
  readonly refusal: { readonly reason: SessionLeaseRefusal; readonly message: string } | null;
  readonly lease: LeaseOutcome;
  /** Why closing the runtime session failed, if it did. */
  readonly close_error: string | null;
};

/**
 * Events of the session lease machine. Results of the lease store (`lease.*`) and the runtime
 * (`session.opened`, `session.closed`, their failures) are sent back by the supplied actors;
 * `session.end` is the owner's command. `lease.write.*` are raised internally: the deadline
 * regions follow the writes with them.
 */
export type SessionLeaseEvent =
  | { readonly type: 'lease.acquired'; readonly grant: LeaseGrant }
  | {
      readonly type: 'lease.refused';
      readonly reason: SessionLeaseRefusal;
      readonly message: string;
    }
  | { readonly type: 'lease.renewed'; readonly grant: LeaseGrant }
  /** A renew failed but may succeed later (the store is unreachable, ...). */
  | { readonly type: 'lease.renew_failed'; readonly message: string }
  /** The store refused a renew: the grant is stale (`lease_lost`). */
  | { readonly type: 'lease.renew_refused'; readonly message: string }
  | { readonly type: 'lease.released' }
  /** The store refused the release: the lease was no longer this holder's. */
  | { readonly type: 'lease.release_refused' }
  | { readonly type: 'lease.release_failed'; readonly message: string }
  | { readonly type: 'session.opened' }
  | { readonly type: 'session.open_failed'; readonly message: string }
  | { readonly type: 'session.closed' }
  | { readonly type: 'session.close_failed'; readonly message: string }
  | { readonly type: 'session.end' }
  | { readonly type: 'lease.write.sent' }
  | { readonly type: 'lease.write.confirmed' }
  | { readonly type: 'lease.write.voided' };

/** Reports the machine emits for the owner's log and replies (never user content). */
export type SessionLeaseEmitted =
  /** The session is open under its lease: answer the assignment with `accepted`. */
  | { readonly type: 'session.accepted'; readonly epoch: number }
  | ({ readonly type: 'lease.lost' } & LeaseLoss)
  /** The lease is lost: revoke the runtime session's authority now (before the session ends). */
  | { readonly type: 'authority.revoke' }
  | { readonly type: 'lease.renew_failed'; readonly message: string }
  | { readonly type: 'lease.release_failed'; readonly message: string }
  | { readonly type: 'session.close_failed'; readonly message: string };

/** Output of the session lease machine: a refused assignment, or an ended session. */
export type SessionLeaseOutput =
  | {
      readonly status: 'refused';
      readonly reason: SessionLeaseRefusal;
      readonly message: string;
      readonly lease: LeaseOutcome;
    }
  | {
      readonly status: 'ended';
      readonly lease: LeaseOutcome;
      /** Why closing the runtime session failed, when it did. */
      readonly close_error?: string;
    };
