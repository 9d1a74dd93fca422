/**
 * Path-generation inputs of `sessionLeaseMachine` (tools/paths/README.md): concrete events, the
 * machine input, and a filter that drops delayed events which cannot fire first.
 *
 * A pure traversal starts no actors (the defaults do nothing anyway), so the results of the
 * lease store and the runtime are the events below. Timers: while a renew is scheduled
 * (`waiting`) or retried (`retrying`), its timer fires before any deadline; a deadline fires
 * only while a write is in flight (`acquiring`, `renewing`), and then only the deadline region
 * holding the current deadline (or, before the acquire answered, the acquire's own timer).
 */
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import type { LeaseGrant } from '../../contracts/internal.ts';
import type { SessionLeaseEvent, SessionLeaseInput } from './session-lease.types.ts';

const grant = (revision: number): LeaseGrant => ({
  tenant_id: 'tenant-paths',
  session_id: 'session-paths',
  holder: 'worker-paths',
  epoch: 7,
  revision,
});

/** The session of the path suites: TTL 900 ms, renewed every 300 ms. */
export const sessionLeasePathInput: SessionLeaseInput = {
  tenant_id: 'tenant-paths',
  session_id: 'session-paths',
  holder: 'worker-paths',
  ttl_ms: 900,
};

/** Concrete events reaching every state and transition of `sessionLeaseMachine`. */
export const sessionLeasePathEvents: readonly SessionLeaseEvent[] = [
  { type: 'lease.acquired', grant: grant(7) },
  { type: 'lease.refused', reason: 'lease_held', message: 'held by worker-other (epoch 3)' },
  { type: 'lease.refused', reason: 'lease_unavailable', message: 'store unreachable' },
  { type: 'lease.refused', reason: 'invalid_request', message: 'session_id: expected a token' },
  { type: 'lease.renewed', grant: grant(8) },
  { type: 'lease.renew_failed', message: 'store unreachable' },
  { type: 'lease.renew_refused', message: 'lease of worker-paths is stale' },
  { type: 'lease.released' },
  { type: 'lease.release_refused' },
  { type: 'lease.release_failed', message: 'store unreachable' },
  { type: 'session.opened' },
  { type: 'session.open_failed', message: 'runtime stopped' },
  { type: 'session.closed' },
  { type: 'session.close_failed', message: 'unknown session session-paths' },
  { type: 'session.end' },
];

const writes = (value: unknown) => ({ running: { lease: { tenure: { writes: value } } } });
const inFlight = (snapshot: AnyMachineSnapshot): boolean =>
  snapshot.matches(writes('acquiring')) || snapshot.matches(writes({ holding: 'renewing' }));

/** Drops the deadline timers that cannot fire first (see the file comment). */
export function sessionLeasePathFilterEvents(
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): boolean {
  const region = /\.(deadline[AB])\.live$/.exec(event.type)?.[1];
  if (region === undefined) return true;
  if (!inFlight(snapshot)) return false;
  const current = (name: string) =>
    snapshot.matches({ running: { lease: { tenure: { [name]: { live: 'current' } } } } });
  return current(region) || (!current('deadlineA') && !current('deadlineB'));
}
