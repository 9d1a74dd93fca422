/**
 * Once-only claims in the lease bucket (ADR 0035): `claim` creates a key that must not exist,
 * so of several parties claiming the same key at once exactly one wins. A claim lives as long
 * as a lease (the bucket's max age), so a claim whose holder died lapses and may be taken again.
 */
import { JetStreamApiCodes, JetStreamApiError, jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { LEASE_BUCKET_NAME, LeaseError, orphanClaimKey } from '../../../contracts/internal.ts';

/** Options of {@link openNatsKvClaims}. */
export interface NatsKvClaimsOptions {
  /** An open connection; the claims never close it. */
  readonly nc: NatsConnection;
  /** Bucket name (default {@link LEASE_BUCKET_NAME}); it must exist (the lease store creates it). */
  readonly bucket?: string;
  /** Bound on each KV request, in ms (default 2000). */
  readonly timeoutMs?: number;
}

/** Claims on orphaned turns. */
export interface NatsKvClaims {
  /**
   * True for the one caller that created the turn's claim, false while someone else's claim
   * lives; rejects with `unavailable` when the store cannot be reached.
   */
  claimOrphan(
    tenant_id: string,
    session_id: string,
    turn_id: string,
    holder: string,
  ): Promise<boolean>;
}

/** Opens the lease bucket for claims. */
export async function openNatsKvClaims(options: NatsKvClaimsOptions): Promise<NatsKvClaims> {
  const bucket = options.bucket ?? LEASE_BUCKET_NAME;
  const js = jetstream(options.nc, { timeout: options.timeoutMs ?? 2000 });
  let kv: KV;
  try {
    kv = await new Kvm(js).open(bucket);
  } catch (error) {
    throw unavailable(`claim bucket ${bucket}: cannot open`, error);
  }
  return {
    async claimOrphan(tenant_id, session_id, turn_id, holder) {
      const key = orphanClaimKey(tenant_id, session_id, turn_id);
      try {
        await kv.create(key, JSON.stringify({ holder }));
        return true;
      } catch (error) {
        if (
          error instanceof JetStreamApiError &&
          (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
            error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown)
        ) {
          return false;
        }
        throw unavailable(`claim ${key}: write failed`, error);
      }
    },
  };
}

function unavailable(message: string, cause: unknown): LeaseError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new LeaseError('unavailable', `${message}${reason}`, {
    provider: 'nats-kv',
    retryable: true,
    cause,
  });
}
