/**
 * The lease port (ADR 0015): one lease per (tenant, session) says which placement may act for
 * the session. Two adapters implement it with the same observable behaviour (memory, nats-kv);
 * the shared conformance suite in test/conformance/lease is the executable definition.
 *
 * The authority epoch of a tenure is the store revision of the write that acquired it, so it
 * only grows across tenures. Every write (acquire, renew, release) is a compare-and-set on the
 * latest revision: a holder whose revision is stale is refused by the store itself. A renew
 * writes a new revision but keeps the epoch, so a running turn is not revoked by its own renew.
 * A lease lapses when it was not written for `ttlMs` (nats-kv: the bucket's max age, enforced
 * by the server).
 */

/** Which implementation backs a lease store. */
import { assertSubjectToken, type SubjectTokenField } from '../subjects.ts';
export type LeaseKind = 'memory' | 'nats-kv';

/** Default time a lease lives without a renew; holders renew about every third of it. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/** Who holds a session's lease now, and the authority epoch of that tenure. */
export interface LeaseState {
  /** Holder name given to `acquire` (a worker id). */
  readonly holder: string;
  /** Revision of the write that started this tenure; constant across renews. */
  readonly epoch: number;
}

/** What a holder keeps between calls: its tenure and the revision of its latest write. */
export interface LeaseGrant extends LeaseState {
  /** Tenant the lease belongs to. */
  readonly tenant_id: string;
  /** Session the lease belongs to. */
  readonly session_id: string;
  /** Store revision of the holder's latest write: the compare-and-set token of the next one. */
  readonly revision: number;
}

/** Receives the lease's state after each change of holder or epoch (`null`: released). */
export type LeaseWatchListener = (state: LeaseState | null) => void;

/** Stops a watch; idempotent. */
export type LeaseUnwatch = () => void;

/** The lease of one session. */
export interface SessionLease {
  /** Tenant id (validated). */
  readonly tenant_id: string;
  /** Session id (validated). */
  readonly session_id: string;
  /**
   * Starts a tenure with a new, larger epoch. Rejects with `lease_held` (naming the current
   * holder) while another holder's lease is live; the same holder starts a new tenure, which
   * fences its older grants.
   */
  acquire(holder: string): Promise<LeaseGrant>;
  /** Extends the tenure: same epoch, new revision. Rejects with `lease_lost` when `grant` is stale. */
  renew(grant: LeaseGrant): Promise<LeaseGrant>;
  /** Ends the tenure if `grant` is still the latest write; false when it was already lost. */
  release(grant: LeaseGrant): Promise<boolean>;
  /** The live lease, or null when free (never acquired, released or lapsed). */
  current(): Promise<LeaseState | null>;
  /**
   * Reports each change of holder or epoch made after it resolves (acquire, takeover, release);
   * renews are not changes. A lapse is not reported (nats-server < 2.11 writes no marker): the
   * holder learns it from its next renew, watchers from the next acquire.
   */
  watch(listener: LeaseWatchListener, onError?: (error: LeaseError) => void): Promise<LeaseUnwatch>;
}

/** A lease store. */
export interface LeasePort {
  /** Which implementation this is. */
  readonly kind: LeaseKind;
  /** How long a lease lives after its latest write, in ms. */
  readonly ttlMs: number;
  /** The lease of one session; throws `invalid_input` naming the field for a bad id. */
  lease(tenant_id: string, session_id: string): SessionLease;
  /** Stops watches; later calls reject with `closed`. Does not close a connection it was given. */
  close(): Promise<void>;
}

/** Stable codes of {@link LeaseError}. */
export type LeaseErrorCode =
  /** Another holder's lease is live (`current` names it). */
  | 'lease_held'
  /** The grant is stale: the lease lapsed, was released or was taken over. */
  | 'lease_lost'
  /** A tenant id, session id, holder, grant or option is malformed (`field` names it). */
  | 'invalid_input'
  /** A stored lease value is not a lease record. */
  | 'invalid_record'
  /** The lease bucket exists with another configuration. */
  | 'bucket_mismatch'
  /** The store could not be reached; the same call may succeed later. */
  | 'unavailable'
  /** `close` was called. */
  | 'closed';

/** Details of a {@link LeaseError}. */
export interface LeaseErrorDetails {
  /** Which implementation raised it. */
  readonly provider: LeaseKind;
  /** Whether the same call may succeed later (default false). */
  readonly retryable?: boolean;
  /** `lease_held`: the live lease. */
  readonly current?: LeaseState;
  /** `invalid_input`: the offending field. */
  readonly field?: string;
  /** The underlying client error. */
  readonly cause?: unknown;
}

/** The single error shape of the lease adapters; messages name ids and holders, never content. */
export class LeaseError extends Error {
  /** Stable code callers branch on. */
  readonly code: LeaseErrorCode;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** Which implementation raised it. */
  readonly provider: LeaseKind;
  /** `lease_held`: who holds the lease and its epoch. */
  readonly current: LeaseState | undefined;
  /** `invalid_input`: the offending field. */
  readonly field: string | undefined;

  /** Builds the error; `cause` keeps the underlying client error. */
  constructor(code: LeaseErrorCode, message: string, details: LeaseErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'LeaseError';
    this.code = code;
    this.retryable = details.retryable ?? false;
    this.provider = details.provider;
    this.current = details.current;
    this.field = details.field;
  }
}

/** Whether a value is a {@link LeaseError}, optionally with the given code. */
export function isLeaseError(value: unknown, code?: LeaseErrorCode): value is LeaseError {
  return value instanceof LeaseError && (code === undefined || value.code === code);
}

/** Longest accepted holder name. */
const MAX_LEASE_HOLDER_LENGTH = 64;

const HOLDER_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Renders a received value for an error message (strings truncated, other values by type). */
function describeLeaseInput(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : typeof value;
}

/** Checks a holder name (1-64 letters, digits, `_` or `-`) and returns it; throws `invalid_input`. */
export function assertLeaseHolder(provider: LeaseKind, value: unknown, field = 'holder'): string {
  if (
    typeof value !== 'string' ||
    value.length === 0 ||
    value.length > MAX_LEASE_HOLDER_LENGTH ||
    !HOLDER_PATTERN.test(value)
  ) {
    throw new LeaseError(
      'invalid_input',
      `invalid ${field}: expected 1-${String(MAX_LEASE_HOLDER_LENGTH)} letters, digits, '_' or '-', received ${describeLeaseInput(value)}`,
      { provider, field },
    );
  }
  return value;
}

/** Checks that `value` is an integer >= `min`; throws `invalid_input` naming `field`. */
export function assertLeaseInteger(
  provider: LeaseKind,
  field: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new LeaseError(
      'invalid_input',
      `invalid ${field}: expected an integer >= ${String(min)}, received ${describeLeaseInput(value)}`,
      { provider, field },
    );
  }
  return value;
}

/**
 * Checks a grant handed back to `renew` or `release`: it belongs to this session, names a valid
 * holder and carries positive integers. Returns it; throws `invalid_input` naming the field.
 */
export function assertLeaseGrant(
  provider: LeaseKind,
  lease: { readonly tenant_id: string; readonly session_id: string },
  grant: unknown,
): LeaseGrant {
  if (grant === null || typeof grant !== 'object' || Array.isArray(grant)) {
    throw new LeaseError(
      'invalid_input',
      `invalid grant: expected a lease grant, received ${describeLeaseInput(grant)}`,
      { provider, field: 'grant' },
    );
  }
  const g = grant as Partial<Record<keyof LeaseGrant, unknown>>;
  for (const field of ['tenant_id', 'session_id'] as const) {
    if (g[field] !== lease[field]) {
      throw new LeaseError(
        'invalid_input',
        `invalid grant.${field}: expected ${JSON.stringify(lease[field])}, received ${describeLeaseInput(g[field])}`,
        { provider, field: `grant.${field}` },
      );
    }
  }
  assertLeaseHolder(provider, g.holder, 'grant.holder');
  assertLeaseInteger(provider, 'grant.epoch', g.epoch, 1);
  assertLeaseInteger(provider, 'grant.revision', g.revision, 1);
  if ((g.revision as number) < (g.epoch as number)) {
    throw new LeaseError(
      'invalid_input',
      `invalid grant.revision: expected >= grant.epoch ${String(g.epoch)}, received ${String(g.revision)}`,
      { provider, field: 'grant.revision' },
    );
  }
  return grant as LeaseGrant;
}

/** Checks a tenant or session id of a lease; throws `invalid_input` naming the field. */
export function assertLeaseId(
  provider: LeaseKind,
  field: SubjectTokenField,
  value: string,
): string {
  try {
    return assertSubjectToken(field, value);
  } catch (error) {
    throw new LeaseError('invalid_input', error instanceof Error ? error.message : String(error), {
      provider,
      field,
      cause: error,
    });
  }
}

/** The `lease_held` error for a lease another holder has, naming that holder and its epoch. */
export function leaseHeldError(provider: LeaseKind, key: string, current: LeaseState): LeaseError {
  return new LeaseError(
    'lease_held',
    `lease ${key} is held by ${current.holder} (epoch ${String(current.epoch)})`,
    { provider, current: { holder: current.holder, epoch: current.epoch } },
  );
}
