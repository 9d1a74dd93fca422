/**
 * In-process lease store: the same behaviour as the nats-kv store (ADR 0015) on a map and an
 * injected clock, so embedded mode and tests are deterministic. Revisions count every write of
 * the store from 1, like a KV bucket's stream sequence; a lease lapses `ttlMs` after its latest
 * write (checked when it is next read, as the server would have removed it by then).
 */
import {
  LeaseError,
  assertLeaseGrant,
  assertLeaseHolder,
  assertLeaseId,
  assertLeaseInteger,
  leaseHeldError,
  leaseKey,
  type LeaseGrant,
  type LeasePort,
  type LeaseState,
  type LeaseWatchListener,
  type SessionLease,
} from '../../../contracts/internal.ts';

/** Options of {@link createMemoryLeases}. */
export interface MemoryLeasesOptions {
  /** How long a lease lives after its latest write, in ms (integer >= 1). */
  readonly ttlMs: number;
  /** Current time in ms (a manual clock in tests, the runtime clock in embedded mode). */
  readonly now: () => number;
}

/** The memory lease store: a {@link LeasePort} plus the revision counter tests can read. */
export interface MemoryLeases extends LeasePort {
  readonly kind: 'memory';
  /** Revision of the latest write of the whole store (0 before the first). */
  lastRevision(): number;
}

type Entry = { readonly holder: string; readonly epoch: number; readonly revision: number };
type Stored = Entry & { readonly writtenAt: number };

/** Creates an in-process lease store on the given clock. */
export function createMemoryLeases(options: MemoryLeasesOptions): MemoryLeases {
  const ttlMs = assertLeaseInteger('memory', 'ttlMs', options.ttlMs, 1);
  const now = options.now;
  const entries = new Map<string, Stored>();
  const watchers = new Map<string, Set<LeaseWatchListener>>();
  let revision = 0;
  let closed = false;

  const ensureOpen = () => {
    if (closed) throw new LeaseError('closed', 'lease store is closed', { provider: 'memory' });
  };
  const live = (key: string): Stored | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && now() - entry.writtenAt >= ttlMs) {
      // Lapsed: the nats-kv server removes the message at max age; a lapse is not a change.
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, entry: Omit<Entry, 'revision'>): Stored => {
    revision += 1;
    const stored = { ...entry, revision, writtenAt: now() };
    entries.set(key, stored);
    return stored;
  };
  const notify = (key: string, state: LeaseState | null) => {
    for (const listener of [...(watchers.get(key) ?? [])]) listener(state);
  };

  const lease = (tenant_id: string, session_id: string): SessionLease => {
    const tenant = assertLeaseId('memory', 'tenant_id', tenant_id);
    const session = assertLeaseId('memory', 'session_id', session_id);
    const key = leaseKey(tenant, session);
    const ids = { tenant_id: tenant, session_id: session };
    const grantOf = (stored: Stored): LeaseGrant => ({
      ...ids,
      holder: stored.holder,
      epoch: stored.epoch,
      revision: stored.revision,
    });
    return {
      ...ids,
      acquire(holder) {
        return settle(() => {
          ensureOpen();
          const name = assertLeaseHolder('memory', holder);
          const current = live(key);
          if (current !== undefined && current.holder !== name) {
            throw leaseHeldError('memory', key, current);
          }
          // A write with no epoch starts a tenure: its epoch is its own revision.
          const stored = write(key, { holder: name, epoch: revision + 1 });
          notify(key, { holder: stored.holder, epoch: stored.epoch });
          return grantOf(stored);
        });
      },
      renew(grant) {
        return settle(() => {
          ensureOpen();
          const g = assertLeaseGrant('memory', ids, grant);
          const current = live(key);
          if (current?.revision !== g.revision) throw lost(key, g);
          return grantOf(write(key, { holder: g.holder, epoch: g.epoch }));
        });
      },
      release(grant) {
        return settle(() => {
          ensureOpen();
          const g = assertLeaseGrant('memory', ids, grant);
          const current = live(key);
          if (current?.revision !== g.revision) return false;
          // A delete is a write too (a KV delete marker takes a revision).
          revision += 1;
          entries.delete(key);
          notify(key, null);
          return true;
        });
      },
      current() {
        return settle(() => {
          ensureOpen();
          const current = live(key);
          return current === undefined ? null : { holder: current.holder, epoch: current.epoch };
        });
      },
      watch(listener) {
        return settle(() => {
          ensureOpen();
          const set = watchers.get(key) ?? new Set<LeaseWatchListener>();
          watchers.set(key, set);
          // A fresh wrapper per watch, so one listener watched twice is removed once per unwatch.
          const wrapped: LeaseWatchListener = (state) => listener(state);
          set.add(wrapped);
          return () => {
            set.delete(wrapped);
            if (set.size === 0 && watchers.get(key) === set) watchers.delete(key);
          };
        });
      },
    };
  };

  return {
    kind: 'memory',
    ttlMs,
    lease,
    lastRevision: () => revision,
    close() {
      closed = true;
      watchers.clear();
      return Promise.resolve();
    },
  };
}

/** Runs `fn` and turns its result or throw into a promise (every port call is asynchronous). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function lost(key: string, grant: LeaseGrant): LeaseError {
  return new LeaseError(
    'lease_lost',
    `lease ${key} of ${grant.holder} (epoch ${String(grant.epoch)}) is lost: revision ${String(grant.revision)} is no longer the latest`,
    { provider: 'memory' },
  );
}
