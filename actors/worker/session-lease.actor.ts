/**
 * Supplies the session lease machine's effects: each lease store or runtime call becomes an
 * actor that runs the call and sends its result back as an event, classified by its error code
 * (ADR 0015). Leaving the state that runs a call aborts its signal, and a result that arrives
 * after that is dropped, so a late renew cannot move a session that already ended.
 */
import { createActor, fromCallback, type ActorOptions, type EventObject } from 'xstate';
import { isLeaseError, type LeaseGrant, type LeasePort } from '../../contracts/internal.ts';
import {
  sessionLeaseMachine,
  type AcquireLeaseInput,
  type CloseSessionInput,
  type GrantInput,
} from './session-lease.machine.ts';
import type { SessionLeaseEvent, SessionLeaseInput } from './session-lease.types.ts';

/** The lease store calls of one session (a `SessionLease` of the {@link LeasePort}). */
export type LeaseStoreCalls = {
  /** Starts a tenure under the holder; rejects with a `LeaseError`. */
  acquire(signal: AbortSignal): Promise<LeaseGrant>;
  /** Extends the tenure; rejects with `lease_lost` when the grant is stale. */
  renew(grant: LeaseGrant, signal: AbortSignal): Promise<LeaseGrant>;
  /** Ends the tenure; false when it was no longer this holder's. */
  release(grant: LeaseGrant, signal: AbortSignal): Promise<boolean>;
};

/** The runtime calls of one session. */
export type SessionRuntimeCalls = {
  /** Opens the runtime session with the lease epoch as its authority and starts its ingress. */
  open(grant: LeaseGrant, signal: AbortSignal): Promise<void>;
  /** Closes the runtime session; resolves once its last output is published. */
  close(signal: AbortSignal): Promise<void>;
  /** RK-24: revokes the session's authority (its live turn is fenced and revoked); total. */
  revokeAuthority(): void;
};

/** The effects of one session held by a worker. */
export type SessionLeaseEffects = {
  readonly store: LeaseStoreCalls;
  readonly runtime: SessionRuntimeCalls;
};

/** The lease store calls of one session of a {@link LeasePort}, held by `holder`. */
export function leaseStoreCalls(
  leases: LeasePort,
  tenant_id: string,
  session_id: string,
  holder: string,
): LeaseStoreCalls {
  // `lease()` throws `invalid_input` for a bad id: that surfaces as the acquire's refusal.
  const lease = () => leases.lease(tenant_id, session_id);
  return {
    acquire: () => lease().acquire(holder),
    renew: (grant) => lease().renew(grant),
    release: (grant) => lease().release(grant),
  };
}

/**
 * An actor (not started) of the session lease machine with `effects` supplied. The machine's
 * `authority.revoke` emit calls `runtime.revokeAuthority()`: emitted events reach listeners after
 * the machine's step, before the session's close starts, so the live turn ends with authority
 * loss and the runtime's machines never run inside a custom action of this one.
 */
export function createSessionLeaseActor(
  effects: SessionLeaseEffects,
  options: ActorOptions<ReturnType<typeof provideSessionLease>> & {
    readonly input: SessionLeaseInput;
  },
) {
  const actor = createActor(provideSessionLease(effects), options);
  actor.on('authority.revoke', () => effects.runtime.revokeAuthority());
  return actor;
}

/**
 * The store calls with a release that waits for the write before it. Leaving `renewing` drops a
 * renew's answer, not its write: the store may take it after the session closed, and a release
 * at the older revision would then be refused and leave the lease held until its TTL ran out.
 * So the release waits for that write and releases the revision the tenure now has.
 */
function orderedWrites(store: LeaseStoreCalls): LeaseStoreCalls {
  let latest: LeaseGrant | null = null;
  let pending: Promise<unknown> = Promise.resolve();
  const track = (write: Promise<LeaseGrant>): Promise<LeaseGrant> => {
    const noted = write.then((grant) => (latest = grant));
    pending = noted.catch(() => undefined);
    return noted;
  };
  return {
    acquire: (signal) => track(store.acquire(signal)),
    renew: (grant, signal) => track(store.renew(grant, signal)),
    async release(grant, signal) {
      await pending;
      const newer =
        latest !== null && latest.epoch === grant.epoch && latest.revision > grant.revision;
      return store.release(newer && latest !== null ? latest : grant, signal);
    },
  };
}

/** The session lease machine with the given effects supplied. */
function provideSessionLease(effects: SessionLeaseEffects) {
  const { runtime } = effects;
  const store = orderedWrites(effects.store);
  return sessionLeaseMachine.provide({
    actors: {
      acquireLease: fromTask<AcquireLeaseInput, LeaseGrant>(
        (_input, signal) => store.acquire(signal),
        (grant) => ({ type: 'lease.acquired', grant }),
        (error) => ({
          type: 'lease.refused',
          reason: isLeaseError(error, 'lease_held')
            ? 'lease_held'
            : isLeaseError(error, 'invalid_input')
              ? 'invalid_request'
              : 'lease_unavailable',
          message: messageOf(error),
        }),
      ),
      renewLease: fromTask<GrantInput, LeaseGrant>(
        (input, signal) => store.renew(input.grant, signal),
        (grant) => ({ type: 'lease.renewed', grant }),
        (error) =>
          isLeaseError(error, 'lease_lost')
            ? { type: 'lease.renew_refused', message: error.message }
            : { type: 'lease.renew_failed', message: messageOf(error) },
      ),
      releaseLease: fromTask<GrantInput, boolean>(
        (input, signal) => store.release(input.grant, signal),
        (released) => ({ type: released ? 'lease.released' : 'lease.release_refused' }),
        (error) => ({ type: 'lease.release_failed', message: messageOf(error) }),
      ),
      openSession: fromTask<GrantInput, void>(
        (input, signal) => runtime.open(input.grant, signal),
        () => ({ type: 'session.opened' }),
        (error) => ({ type: 'session.open_failed', message: messageOf(error) }),
      ),
      closeSession: fromTask<CloseSessionInput, void>(
        (_input, signal) => runtime.close(signal),
        () => ({ type: 'session.closed' }),
        (error) => ({ type: 'session.close_failed', message: messageOf(error) }),
      ),
    },
  });
}

/**
 * An actor that runs one call and sends back `done(result)` or `failed(error)`; stopping it
 * aborts the call's signal and drops its result.
 */
function fromTask<TInput, TOutput>(
  run: (input: TInput, signal: AbortSignal) => Promise<TOutput>,
  done: (output: TOutput) => SessionLeaseEvent,
  failed: (error: unknown) => SessionLeaseEvent,
) {
  return fromCallback<EventObject, TInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    const { signal } = controller;
    new Promise<TOutput>((resolve) => resolve(run(input, signal))).then(
      (output) => {
        if (!signal.aborted) sendBack(done(output));
      },
      (error: unknown) => {
        if (!signal.aborted) sendBack(failed(error));
      },
    );
    return () => controller.abort();
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
