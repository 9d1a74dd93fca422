/**
 * Pure records of the session lease machine: its initial context, what a loss, a refusal or a
 * failure report says, and its output. Messages carry ids, holders, epochs and durations only.
 */
import type { LeaseGrant } from '../../contracts/internal.ts';
import type {
  LeaseLoss,
  LeaseOutcome,
  SessionLeaseContext,
  SessionLeaseEmitted,
  SessionLeaseEvent,
  SessionLeaseInput,
  SessionLeaseOutput,
} from './session-lease.types.ts';

/** The context a session lease starts with: renew period a third of the TTL unless given. */
export function initialSessionLeaseContext(input: SessionLeaseInput): SessionLeaseContext {
  const every = Math.max(1, input.renew_every_ms ?? Math.floor(input.ttl_ms / 3));
  return {
    tenant_id: input.tenant_id,
    session_id: input.session_id,
    holder: input.holder,
    ttl_ms: input.ttl_ms,
    renew_every_ms: every,
    // Sooner than the period; the deadline still bounds how long renews are tried.
    retry_ms: Math.min(every, Math.max(1, Math.floor(every / 3))),
    grant: null,
    loss: null,
    refusal: null,
    lease: 'none',
    close_error: null,
  };
}

/** The message an event carries, or `fallback`. */
export function messageOf(event: SessionLeaseEvent, fallback = ''): string {
  return 'message' in event ? event.message : fallback;
}

/** The grant an event carries, or the one in context. */
export function grantAfter(context: SessionLeaseContext, event: SessionLeaseEvent) {
  return 'grant' in event ? event.grant : context.grant;
}

/** The grant of a state entered only after the acquire (the machine never reaches it before). */
export function grantInput(context: SessionLeaseContext): { readonly grant: LeaseGrant } {
  if (context.grant === null) throw new Error('session lease: no grant before the acquire');
  return { grant: context.grant };
}

/** Input of the `acquireLease` actor: the lease's ids and its holder. */
export function acquireInput(context: SessionLeaseContext) {
  return { tenant_id: context.tenant_id, session_id: context.session_id, holder: context.holder };
}

type Refusal = SessionLeaseContext['refusal'];

/** The refusal the store answered the acquire with. */
export function acquireRefusal(event: SessionLeaseEvent): Refusal {
  return event.type === 'lease.refused' ? { reason: event.reason, message: event.message } : null;
}

/** The refusal when the store did not answer the acquire within the TTL. */
export function unansweredRefusal(context: SessionLeaseContext): Refusal {
  const message = `lease store did not answer acquire within ${String(context.ttl_ms)} ms`;
  return { reason: 'lease_unavailable', message };
}

/** The refusal when the runtime session did not open. */
export function openRefusal(event: SessionLeaseEvent): Refusal {
  return { reason: 'invalid_request', message: messageOf(event, 'session did not open') };
}

/** The refusal when the lease was lost while the runtime session opened. */
export function lostWhileOpening(context: SessionLeaseContext): Refusal {
  const message = `lease lost while the session opened: ${context.loss?.message ?? ''}`;
  return { reason: 'lease_unavailable', message };
}

/** The loss when the store refused a renew (`lease_lost`). */
export function refusedRenewLoss(context: SessionLeaseContext, message: string): LeaseLoss {
  return { reason: 'lease_stale_epoch', epoch: context.grant?.epoch ?? 0, message };
}

/** The loss when the local deadline passed. */
export function deadlineLoss(context: SessionLeaseContext): LeaseLoss {
  const epoch = String(context.grant?.epoch ?? 0);
  return {
    reason: 'lease_deauthorized',
    epoch: context.grant?.epoch ?? 0,
    message: `lease of ${context.holder} (epoch ${epoch}) not renewed within ${String(context.ttl_ms)} ms`,
  };
}

/** What became of the lease, from the release's answer. */
export function releaseOutcome(event: SessionLeaseEvent): LeaseOutcome {
  if (event.type === 'lease.released') return 'released';
  return event.type === 'lease.release_refused' ? 'lost' : 'release_failed';
}

/** The report of a failure event that leaves the lease held (renew, release, close). */
export function failureReport(event: SessionLeaseEvent): SessionLeaseEmitted {
  const message = messageOf(event);
  if (event.type === 'lease.release_failed') return { type: 'lease.release_failed', message };
  if (event.type === 'session.close_failed') return { type: 'session.close_failed', message };
  return { type: 'lease.renew_failed', message };
}

/** The machine's output: the refusal to answer the assignment with, or the ended session. */
export function sessionLeaseOutput(context: SessionLeaseContext): SessionLeaseOutput {
  if (context.refusal !== null)
    return { status: 'refused', ...context.refusal, lease: context.lease };
  return {
    status: 'ended',
    lease: context.lease,
    ...(context.close_error === null ? {} : { close_error: context.close_error }),
  };
}
