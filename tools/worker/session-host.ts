/**
 * Hosts one assigned session on a worker: runs its session lease machine (actors/worker) with
 * the real lease store and runtime, feeds its ingress while the machine says so, serves its end
 * inbox, answers the assignment, logs each lifecycle step, and closes its subscriptions when the
 * machine has finished (ADR 0013, ADR 0015, ADR 0025).
 */
import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Runtime, RuntimeClock } from '../../actors/index.ts';
import type { PipelineSessionOptions } from '../../actors/pipeline/runtime-inputs.ts';
import {
  createSessionLeaseActor,
  leaseStoreCalls,
  type SessionLeaseOutput,
} from '../../actors/worker/index.ts';
import type { BusEnvelope, BusPort } from '../../contracts/index.ts';
import {
  INGRESS_MARKER,
  assignmentSubject,
  type BusSubscription,
  type LeaseGrant,
  type LeasePort,
} from '../../contracts/internal.ts';
import {
  ingressOf,
  type AssignmentReply,
  type AssignmentRequest,
  type EndReply,
} from './protocol.ts';

/** Reply to an end request: the session closed, or closing it failed. */
export type EndAnswer = EndReply | { readonly ended: false };

/** What a hosted session runs on, shared by every session of a worker. */
export type SessionHostContext = {
  readonly worker_id: string;
  readonly nc: NatsConnection;
  readonly bus: BusPort;
  readonly runtime: Runtime;
  readonly leases: LeasePort;
  readonly clock: RuntimeClock;
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
  /** The worker's pipeline: every session opens with its version and policies (default: none). */
  readonly session?: PipelineSessionOptions;
  /**
   * Closes the turns that placements of an epoch below `epoch` left open (ADR 0035); runs before
   * the session opens, and a rejection refuses it.
   */
  readonly closeOrphans: (tenant_id: string, session_id: string, epoch: number) => Promise<number>;
  /** Closes a runtime session: `runtime.closeSession`, or the drain's `runtime.stop`. */
  readonly closeRuntimeSession: (session_id: string) => Promise<void>;
  /** Called once the session's machine finished (refused or ended), before any reply. */
  readonly released: (session_id: string) => void;
};

/** One session on this worker. */
export type HostedSession = {
  /** The answer to the assignment: accepted once the session is open, or the refusal. */
  readonly reply: Promise<AssignmentReply>;
  /** Asks the session to end; every call resolves with the same answer once it has ended. */
  end(): Promise<EndAnswer>;
  /**
   * Stops the session's lease machine without releasing the lease or answering anyone: for a
   * worker that gave up on NATS and closes its connections (the lease then expires by TTL).
   */
  abandon(): void;
};

/** Starts hosting the session of `request`. */
export function hostSession(host: SessionHostContext, request: AssignmentRequest): HostedSession {
  const { worker_id, runtime, log } = host;
  const { tenant_id, session_id } = request;
  let subscription: BusSubscription | undefined;
  let inbox: Subscription | undefined;
  let session_inbox = '';
  let answer: (reply: AssignmentReply) => void = () => undefined;
  const reply = new Promise<AssignmentReply>((resolve) => (answer = resolve));
  let finish: (ended: EndAnswer) => void = () => undefined;
  const ended = new Promise<EndAnswer>((resolve) => (finish = resolve));

  const feed = (envelope: BusEnvelope) => {
    // The machine drops the `ingress` tag once the lease is lost (RK-24) or released.
    if (!actor.getSnapshot().hasTag('ingress')) return;
    const ingress = ingressOf(envelope);
    if (ingress === undefined) return; // not a transport event
    const fed = runtime.feed(session_id, {
      kind: ingress[INGRESS_MARKER],
      record: envelope.record,
      ...(ingress.text === undefined ? {} : { text: ingress.text }),
    });
    if (!fed.accepted) log({ event: 'ingress_refused', session_id, code: fed.rejection.code });
  };
  const open = async (grant: LeaseGrant) => {
    // Before the new placement's first signal, so the transport sees the old turn end first.
    await host.closeOrphans(tenant_id, session_id, grant.epoch);
    runtime.openSession({
      session_id,
      tenant_id,
      ...request.options,
      ...host.session,
      authority_epoch: grant.epoch,
      // A placement of its own: after a failover no id repeats the dead placement's (ADR 0034).
      incarnation: `e${String(grant.epoch)}`,
    });
    try {
      // Ingress subjects only: the runtime's own output travels on the egress subjects.
      subscription = await host.bus.subscribe(tenant_id, session_id, feed, {
        direction: 'ingress',
      });
      // Under the tenant's assignment subject (`rspp.v1.<tenant>.assign.<nuid>`), so a server
      // that scopes each tenant to its own subjects lets only this tenant end the session; a
      // plain `_INBOX` would need every tenant to publish to every inbox (docs/operations.md).
      session_inbox = createInbox(assignmentSubject(tenant_id));
      inbox = host.nc.subscribe(session_inbox, {
        callback: (error, msg) => {
          if (error === null) void end().then((done) => msg.respond(JSON.stringify(done)));
        },
      });
    } catch (error) {
      await runtime.closeSession(session_id).catch(() => undefined);
      throw error;
    }
  };
  const actor = createSessionLeaseActor(
    {
      store: leaseStoreCalls(host.leases, tenant_id, session_id, worker_id),
      runtime: {
        open,
        close: () => host.closeRuntimeSession(session_id),
        revokeAuthority() {
          try {
            runtime.setAuthority(session_id, { authorized: false });
          } catch (error) {
            log({ event: 'authority_revoke_failed', session_id, error: messageOf(error) });
          }
        },
      },
    },
    {
      input: { tenant_id, session_id, holder: worker_id, ttl_ms: host.leases.ttlMs },
      clock: host.clock,
    },
  );
  actor.on('session.accepted', ({ epoch }) => {
    log({ event: 'session_accepted', session_id, tenant_id, authority_epoch: epoch });
    answer({ accepted: true, worker_id, session_inbox, authority_epoch: epoch });
  });
  actor.on('lease.lost', ({ reason, epoch, message }) => {
    log({ event: 'lease_lost', severity: 'error', tenant_id, session_id, epoch, reason, message });
  });
  actor.on('lease.renew_failed', ({ message }) => {
    log({ event: 'lease_renew_failed', session_id, message });
  });
  actor.on('lease.release_failed', ({ message }) => {
    log({ event: 'lease_release_failed', session_id, message });
  });
  actor.on('session.close_failed', ({ message }) => {
    log({ event: 'session_end_failed', session_id, error: message });
  });

  const settle = async (output: SessionLeaseOutput) => {
    await subscription?.close();
    inbox?.unsubscribe();
    host.released(session_id);
    if (output.status === 'refused') {
      answer({ accepted: false, worker_id, reason: output.reason, message: output.message });
      finish({ ended: false });
      return;
    }
    if (output.close_error !== undefined) {
      log({ event: 'session_closed', session_id, lease: output.lease, error: output.close_error });
      finish({ ended: false });
      return;
    }
    const counts = runtime.published(session_id);
    const published = { ControlLane: counts.ControlLane, DataLane: counts.DataLane };
    log({ event: 'session_closed', session_id, published, lease: output.lease });
    finish({ ended: true, published });
  };
  actor.subscribe({
    complete: () => {
      const output = actor.getSnapshot().output;
      if (output !== undefined) void settle(output).catch(fail);
    },
    error: (error) => fail(error),
  });
  // A machine failure is a bug: log it, give the slot back, and answer whoever waits.
  function fail(error: unknown) {
    log({ event: 'session_failed', session_id, error: messageOf(error) });
    subscription?.close().catch(() => undefined);
    inbox?.unsubscribe();
    host.released(session_id);
    answer({ accepted: false, worker_id, reason: 'invalid_request', message: messageOf(error) });
    finish({ ended: false });
  }
  function end(): Promise<EndAnswer> {
    if (actor.getSnapshot().status === 'active') actor.send({ type: 'session.end' });
    return ended;
  }

  actor.start();
  return {
    reply,
    end,
    abandon() {
      // A stopped actor completes without output, so `settle` does not run: nothing is
      // released, closed or answered on connections that are going away.
      actor.stop();
      inbox?.unsubscribe();
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
