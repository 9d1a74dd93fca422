/** NATS KV lease adapter: the distributed implementation of the lease port (ADR 0015). */
export {
  MIN_NATS_LEASE_TTL_MS,
  createNatsKvLeases,
  type NatsKvLeases,
  type NatsKvLeasesOptions,
} from './nats-kv-leases.ts';
export { openNatsKvClaims, type NatsKvClaims, type NatsKvClaimsOptions } from './claims.ts';
