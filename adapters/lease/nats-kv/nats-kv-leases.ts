/**
 * NATS KV lease store (ADR 0015): one key per session in the bucket {@link LEASE_BUCKET_NAME}
 * (history 1, max age = the lease TTL). Every write is conditional on the key's latest revision
 * (`create` = revision 0, `update(key, value, revision)`, `delete` with `previousSeq`), so a
 * holder with a stale revision is refused by the server (JetStream error 10071), and the server
 * removes a lease that was not written for the TTL. The value is `{"holder":…}` for the write
 * that starts a tenure (its epoch is that write's revision) and `{"holder":…,"epoch":N}` after.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  type JetStreamClient,
} from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  LEASE_BUCKET_NAME,
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
  type LeaseUnwatch,
  type SessionLease,
} from '../../../contracts/internal.ts';

/** Smallest TTL the server accepts as a stream max age. */
export const MIN_NATS_LEASE_TTL_MS = 100;

/** Options of {@link createNatsKvLeases}. */
export interface NatsKvLeasesOptions {
  /** An open connection; the store never closes it. */
  readonly nc: NatsConnection;
  /** Lease TTL in ms (integer >= 100): the bucket's max age, fixed when the bucket is created. */
  readonly ttlMs: number;
  /** Bucket name (default {@link LEASE_BUCKET_NAME}; tests use their own). */
  readonly bucket?: string;
  /** Bound on each KV request, in ms (default 2000). */
  readonly timeoutMs?: number;
}

/** The nats-kv lease store. */
export interface NatsKvLeases extends LeasePort {
  readonly kind: 'nats-kv';
  /** Name of the bucket in use. */
  readonly bucket: string;
}

/** Attempts of an acquire that keeps racing other writers before it gives up. */
const ACQUIRE_ATTEMPTS = 4;

/**
 * Opens (creating if needed) the lease bucket and returns the store. Rejects with
 * `bucket_mismatch` when the bucket exists with another TTL or history, `unavailable` when the
 * server cannot be reached, `invalid_input` for a bad option.
 */
export async function createNatsKvLeases(options: NatsKvLeasesOptions): Promise<NatsKvLeases> {
  const ttlMs = assertLeaseInteger('nats-kv', 'ttlMs', options.ttlMs, MIN_NATS_LEASE_TTL_MS);
  const timeout = assertLeaseInteger('nats-kv', 'timeoutMs', options.timeoutMs ?? 2000, 1);
  const bucket = options.bucket ?? LEASE_BUCKET_NAME;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(bucket)) {
    throw new LeaseError(
      'invalid_input',
      `invalid bucket: expected 1-64 letters, digits, '_' or '-', received ${JSON.stringify(bucket.slice(0, 64))}`,
      { provider: 'nats-kv', field: 'bucket' },
    );
  }
  const js: JetStreamClient = jetstream(options.nc, { timeout });
  let kv: KV;
  try {
    // Opens an existing bucket as it is (whatever its config), so the config is checked below.
    kv = await new Kvm(js).create(bucket, { history: 1, ttl: ttlMs });
  } catch (error) {
    throw unavailable(`lease bucket ${bucket}: cannot open`, error);
  }
  const status = await kv.status().catch((error: unknown) => {
    throw unavailable(`lease bucket ${bucket}: cannot read its status`, error);
  });
  for (const [field, expected, received] of [
    ['ttl', ttlMs, status.ttl],
    ['history', 1, status.history],
  ] as const) {
    if (expected !== received) {
      throw new LeaseError(
        'bucket_mismatch',
        `lease bucket ${bucket}: expected ${field} ${String(expected)}, received ${String(received)} (recreate the bucket to change it)`,
        { provider: 'nats-kv', field },
      );
    }
  }
  return new NatsKvLeaseStore(kv, bucket, ttlMs);
}

class NatsKvLeaseStore implements NatsKvLeases {
  readonly kind = 'nats-kv' as const;
  private closed = false;
  private readonly watches = new Set<() => void>();

  readonly bucket: string;
  readonly ttlMs: number;
  private readonly kv: KV;

  constructor(kv: KV, bucket: string, ttlMs: number) {
    this.kv = kv;
    this.bucket = bucket;
    this.ttlMs = ttlMs;
  }

  lease(tenant_id: string, session_id: string): SessionLease {
    const ids = {
      tenant_id: assertLeaseId('nats-kv', 'tenant_id', tenant_id),
      session_id: assertLeaseId('nats-kv', 'session_id', session_id),
    };
    const key = leaseKey(ids.tenant_id, ids.session_id);
    return {
      ...ids,
      acquire: (holder) => this.acquire(key, ids, holder),
      renew: (grant) => this.renew(key, ids, grant),
      release: (grant) => this.release(key, ids, grant),
      current: async () => {
        this.ensureOpen();
        return stateOf(key, await this.read(key));
      },
      watch: (listener, onError) => this.watch(key, listener, onError),
    };
  }

  close(): Promise<void> {
    this.closed = true;
    for (const stop of [...this.watches]) stop();
    return Promise.resolve();
  }

  private ensureOpen(): void {
    if (this.closed)
      throw new LeaseError('closed', 'lease store is closed', { provider: 'nats-kv' });
  }

  private async read(key: string): Promise<KvEntry | null> {
    try {
      return await this.kv.get(key);
    } catch (error) {
      throw unavailable(`lease ${key}: read failed`, error);
    }
  }

  private async acquire(key: string, ids: Ids, holder: string): Promise<LeaseGrant> {
    this.ensureOpen();
    const name = assertLeaseHolder('nats-kv', holder);
    // The first write of a tenure carries no epoch: its revision is the epoch.
    const value = JSON.stringify({ holder: name });
    for (let attempt = 0; attempt < ACQUIRE_ATTEMPTS; attempt += 1) {
      const entry = await this.read(key);
      const state = stateOf(key, entry);
      if (state !== null && state.holder !== name) throw leaseHeldError('nats-kv', key, state);
      // Conditional on what was read: free (no message, or a delete marker) or our own tenure,
      // which the same holder replaces with a new one (fencing its older grants).
      const latest = entry?.revision ?? 0;
      const revision = await this.conditional(key, () =>
        latest === 0 ? this.kv.create(key, value) : this.kv.update(key, value, latest),
      );
      if (revision !== null) return { ...ids, holder: name, epoch: revision, revision };
      // Another writer came first: read again and decide.
    }
    throw unavailable(`lease ${key}: acquire kept racing other writers`, undefined);
  }

  private async renew(key: string, ids: Ids, grant: LeaseGrant): Promise<LeaseGrant> {
    this.ensureOpen();
    const g = assertLeaseGrant('nats-kv', ids, grant);
    const value = JSON.stringify({ holder: g.holder, epoch: g.epoch });
    const revision = await this.conditional(key, () => this.kv.update(key, value, g.revision));
    if (revision === null) {
      throw new LeaseError(
        'lease_lost',
        `lease ${key} of ${g.holder} (epoch ${String(g.epoch)}) is lost: revision ${String(g.revision)} is no longer the latest`,
        { provider: 'nats-kv' },
      );
    }
    return { ...g, revision };
  }

  private async release(key: string, ids: Ids, grant: LeaseGrant): Promise<boolean> {
    this.ensureOpen();
    const g = assertLeaseGrant('nats-kv', ids, grant);
    const done = await this.conditional(key, async () => {
      await this.kv.delete(key, { previousSeq: g.revision });
      return 1;
    });
    return done !== null;
  }

  private async watch(
    key: string,
    listener: (state: LeaseState | null) => void,
    onError?: (error: LeaseError) => void,
  ): Promise<LeaseUnwatch> {
    this.ensureOpen();
    // Changes are reported against the state at the start, so the replayed value is not one.
    let last = stateOf(key, await this.read(key));
    let iterator: Awaited<ReturnType<KV['watch']>>;
    try {
      iterator = await this.kv.watch({ key });
    } catch (error) {
      throw unavailable(`lease ${key}: watch failed`, error);
    }
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.watches.delete(stop);
      iterator.stop();
    };
    this.watches.add(stop);
    void (async () => {
      try {
        for await (const entry of iterator) {
          if (stopped) break;
          let state: LeaseState | null;
          try {
            state = stateOf(key, entry);
          } catch (error) {
            onError?.(error instanceof LeaseError ? error : unavailable(key, error));
            continue;
          }
          if (state?.holder === last?.holder && state?.epoch === last?.epoch) continue;
          last = state;
          listener(state);
        }
      } catch (error) {
        if (!stopped) onError?.(unavailable(`lease ${key}: watch ended`, error));
      }
    })();
    return stop;
  }

  /** Runs a conditional write: its revision, null when the server refused a stale revision. */
  private async conditional(key: string, write: () => Promise<number>): Promise<number | null> {
    this.ensureOpen();
    try {
      return await write();
    } catch (error) {
      if (isStaleRevision(error)) return null;
      throw unavailable(`lease ${key}: write failed`, error);
    }
  }
}

type Ids = { readonly tenant_id: string; readonly session_id: string };

/** Whether the server refused a write because its expected revision was not the latest. */
function isStaleRevision(error: unknown): boolean {
  return (
    error instanceof JetStreamApiError &&
    (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
      error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
  );
}

/** The lease an entry holds, or null for none or a delete marker; throws `invalid_record`. */
function stateOf(key: string, entry: KvEntry | null): LeaseState | null {
  if (entry === null || entry.operation !== 'PUT') return null;
  let value: unknown;
  try {
    value = JSON.parse(entry.string());
  } catch {
    value = undefined;
  }
  const record = (typeof value === 'object' && value !== null ? value : {}) as {
    readonly holder?: unknown;
    readonly epoch?: unknown;
  };
  const epoch = record.epoch ?? entry.revision;
  const holderOk = typeof record.holder === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(record.holder);
  if (!holderOk || typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1) {
    throw new LeaseError(
      'invalid_record',
      `lease ${key} at revision ${String(entry.revision)}: expected {"holder","epoch"?}, received another value`,
      { provider: 'nats-kv' },
    );
  }
  return { holder: record.holder, epoch };
}

function unavailable(message: string, cause: unknown): LeaseError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new LeaseError('unavailable', `${message}${reason}`, {
    provider: 'nats-kv',
    retryable: true,
    cause,
  });
}
