/**
 * A runtime worker: joins the worker queue group on the assignment subject, accepts sessions up
 * to its concurrency (refusing with a reason beyond it), runs each on one Runtime over the NATS
 * bus with sim providers on real time, and drains on request: it stops taking sessions, ends
 * every live turn with exactly one terminal (Runtime.stop), then closes the bus and connection.
 * Each session runs under its lease (ADR 0015): acquired before the session opens (its epoch is
 * the session's authority epoch), renewed while it runs, released when it ends; a lost lease
 * stops the session's ingress and revokes its live turn (RK-24).
 */
import { connect, createInbox, type Subscription } from '@nats-io/transport-node';
import type { Runtime } from '../../actors/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import { createNatsKvLeases } from '../../adapters/lease/nats-kv/index.ts';
import {
  ASSIGNMENT_WILDCARD,
  DEFAULT_LEASE_TTL_MS,
  WORKER_QUEUE_GROUP,
  assignmentSubject,
  INGRESS_MARKER,
  type BusSubscription,
  type LeasePort,
} from '../../contracts/index.ts';
import type { LeaseKeeper, LeaseLoss } from './lease-keeper.ts';
import { giveBackLease, takeLease } from './session-lease.ts';
import { createRealClock } from './real-clock.ts';
import { buildClockedSimRuntime } from './sim-runtime.ts';
import {
  ingressOf,
  parseAssignmentRequest,
  type AssignmentReply,
  type AssignmentRequest,
  type EndReply,
  type RefusalReason,
} from './protocol.ts';

/** Options of {@link startWorker}. */
export type WorkerOptions = {
  readonly natsUrl: string;
  /** Most sessions run at once; one more is refused with `at_capacity`. */
  readonly concurrency: number;
  /** Serve only this tenant (default: every tenant). */
  readonly tenant?: string;
  readonly worker_id: string;
  /** Bound on connecting to NATS, in ms. */
  readonly connectTimeoutMs: number;
  /** Receives one structured event per lifecycle step (never user content). */
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
  /** Lease store (default: the KV bucket RSPP_V1_LEASES on the worker's connection). */
  readonly leases?: LeasePort;
  /** TTL of the default lease store, in ms (default 10 000); ignored with `leases`. */
  readonly leaseTtlMs?: number;
};

/** A running worker. */
export type Worker = {
  readonly worker_id: string;
  /** Sessions running now. */
  active(): number;
  /** Stops taking sessions, ends every session (one terminal per live turn), closes; idempotent. */
  drain(): Promise<void>;
  /** Resolves when the NATS connection closed by itself (not by drain), with the reason. */
  readonly lost: Promise<string>;
};

type Live = {
  readonly request: AssignmentRequest;
  subscription?: BusSubscription;
  inbox?: Subscription;
  ending?: Promise<EndReply>;
  /** Renews the session's lease while it runs. */
  keeper?: LeaseKeeper;
  /** Set once the lease is lost: no more ingress is fed. */
  deauthorized?: boolean;
};

/** Connects (bounded), joins the queue group and resolves once the worker takes sessions. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const nc = await withTimeout(
    connect({
      servers: options.natsUrl,
      name: `rspp-worker-${options.worker_id}`,
      timeout: options.connectTimeoutMs,
    }),
    options.connectTimeoutMs,
    `no connection after ${String(options.connectTimeoutMs)} ms`,
  );
  let bus: NatsBus;
  try {
    bus = await withTimeout(
      createNatsBus({ servers: options.natsUrl, name: `rspp-worker-bus-${options.worker_id}` }),
      options.connectTimeoutMs,
      `bus not ready after ${String(options.connectTimeoutMs)} ms`,
    );
  } catch (error) {
    await nc.close();
    throw error;
  }
  let leases: LeasePort;
  try {
    leases =
      options.leases ??
      (await createNatsKvLeases({ nc, ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS }));
  } catch (error) {
    await bus.close();
    await nc.close();
    throw error;
  }
  const ownsLeases = options.leases === undefined;
  bus.onDiagnostic((d) => {
    if (d.severity === 'error') options.log({ event: 'bus_diagnostic', kind: d.kind });
  });
  const clock = createRealClock();
  const runtime: Runtime = buildClockedSimRuntime({
    bus,
    clock,
    scheduler: createRealScheduler(),
    limits: { max_sessions: options.concurrency },
  });
  const sessions = new Map<string, Live>();
  let draining: Promise<void> | null = null;
  // Accepts in flight; drain waits for them so no session opens after Runtime.stop.
  const accepting = new Set<Promise<void>>();
  const reply = (answer: AssignmentReply) => JSON.stringify(answer);
  const refuse = (reason: RefusalReason, message: string): AssignmentReply => ({
    accepted: false,
    worker_id: options.worker_id,
    reason,
    message,
  });

  const endSession = (session_id: string, live: Live): Promise<EndReply> => {
    live.ending ??= (async () => {
      await runtime.closeSession(session_id);
      return release(session_id, live);
    })();
    return live.ending;
  };
  const release = async (session_id: string, live: Live): Promise<EndReply> => {
    // The lease is kept until the session's last output is published, then released.
    const lease = await releaseLease(session_id, live.keeper);
    await live.subscription?.close();
    live.inbox?.unsubscribe();
    sessions.delete(session_id);
    const counts = runtime.published(session_id);
    const published = { ControlLane: counts.ControlLane, DataLane: counts.DataLane };
    options.log({ event: 'session_closed', session_id, published, lease });
    return { ended: true, published };
  };
  const releaseLease = (session_id: string, keeper: LeaseKeeper | undefined) =>
    giveBackLease(keeper, (message) =>
      options.log({ event: 'lease_release_failed', session_id, message }),
    );
  // RK-24 on lease loss: no more ingress, the live turn is revoked, then the session ends here.
  const onLeaseLost = (session_id: string, live: Live, loss: LeaseLoss) => {
    live.deauthorized = true;
    options.log({
      event: 'lease_lost',
      severity: 'error',
      tenant_id: live.request.tenant_id,
      session_id,
      epoch: loss.epoch,
      reason: loss.reason,
      message: loss.message,
    });
    try {
      runtime.setAuthority(session_id, { authorized: false });
    } catch (error) {
      options.log({ event: 'authority_revoke_failed', session_id, error: messageOf(error) });
    }
    // A draining worker ends every session itself.
    if (draining !== null) return;
    endSession(session_id, live).catch((error: unknown) => {
      options.log({ event: 'session_end_failed', session_id, error: messageOf(error) });
    });
  };

  const accept = async (request: AssignmentRequest): Promise<AssignmentReply> => {
    const { session_id, tenant_id } = request;
    const live: Live = { request };
    sessions.set(session_id, live);
    const taken = await takeLease({
      leases,
      tenant_id,
      session_id,
      holder: options.worker_id,
      clock,
      onLost: (loss) => onLeaseLost(session_id, live, loss),
      onRenewFailed: (message) => options.log({ event: 'lease_renew_failed', session_id, message }),
    });
    if ('refusal' in taken) {
      sessions.delete(session_id);
      return refuse(taken.refusal, taken.message);
    }
    live.keeper = taken.keeper;
    const epoch = taken.keeper.grant().epoch;
    try {
      runtime.openSession({ session_id, tenant_id, ...request.options, authority_epoch: epoch });
      // Ingress subjects only: the runtime's own output travels on the egress subjects.
      live.subscription = await bus.subscribe(
        tenant_id,
        session_id,
        (envelope) => {
          if (live.deauthorized === true) return;
          const ingress = ingressOf(envelope);
          if (ingress === undefined) return; // not a transport event
          const fed = runtime.feed(session_id, {
            kind: ingress[INGRESS_MARKER],
            record: envelope.record,
            ...(ingress.text === undefined ? {} : { text: ingress.text }),
          });
          if (!fed.accepted) {
            options.log({ event: 'ingress_refused', session_id, code: fed.rejection.code });
          }
        },
        { direction: 'ingress' },
      );
      const inbox = createInbox();
      live.inbox = nc.subscribe(inbox, {
        callback: (error, msg) => {
          if (error !== null) return;
          endSession(session_id, live).then(
            (ended) => msg.respond(JSON.stringify(ended)),
            (failure: unknown) => {
              options.log({ event: 'session_end_failed', session_id, error: String(failure) });
              msg.respond(JSON.stringify({ ended: false }));
            },
          );
        },
      });
      options.log({ event: 'session_accepted', session_id, tenant_id, authority_epoch: epoch });
      return {
        accepted: true,
        worker_id: options.worker_id,
        session_inbox: inbox,
        authority_epoch: epoch,
      };
    } catch (error) {
      sessions.delete(session_id);
      await live.subscription?.close();
      live.inbox?.unsubscribe();
      await releaseLease(session_id, live.keeper);
      return refuse('invalid_request', messageOf(error));
    }
  };

  const decide = (data: string): AssignmentReply | AssignmentRequest => {
    if (draining !== null) return refuse('draining', 'worker is draining');
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return refuse('invalid_request', 'request: expected JSON');
    }
    const request = parseAssignmentRequest(value);
    if ('error' in request) return refuse('invalid_request', request.error);
    if (options.tenant !== undefined && request.tenant_id !== options.tenant) {
      return refuse('invalid_request', `tenant_id: expected ${options.tenant}`);
    }
    if (sessions.has(request.session_id)) {
      return refuse('duplicate_session', `session ${request.session_id} runs here`);
    }
    if (sessions.size >= options.concurrency) {
      return refuse('at_capacity', `at most ${String(options.concurrency)} sessions`);
    }
    return request;
  };

  const subject =
    options.tenant === undefined ? ASSIGNMENT_WILDCARD : assignmentSubject(options.tenant);
  const assignments = nc.subscribe(subject, {
    queue: WORKER_QUEUE_GROUP,
    callback: (error, msg) => {
      if (error !== null) return;
      const decision = decide(msg.string());
      if ('accepted' in decision) {
        options.log({ event: 'session_refused', reason: decision.accepted ? '' : decision.reason });
        msg.respond(reply(decision));
        return;
      }
      const pending = accept(decision).then((answer) => {
        msg.respond(reply(answer));
      });
      accepting.add(pending);
      void pending.finally(() => accepting.delete(pending));
    },
  });
  await nc.flush();
  options.log({ event: 'ready', worker_id: options.worker_id, subject, queue: WORKER_QUEUE_GROUP });

  const lost = nc
    .closed()
    .then((error) =>
      draining !== null ? 'drained' : error instanceof Error ? error.message : 'connection closed',
    );
  return {
    worker_id: options.worker_id,
    active: () => sessions.size,
    lost,
    drain() {
      draining ??= (async () => {
        options.log({ event: 'draining', active: sessions.size });
        await assignments.drain();
        await Promise.all([...accepting]);
        await runtime.stop();
        for (const [session_id, live] of [...sessions]) {
          live.ending ??= release(session_id, live);
          await live.ending;
        }
        if (ownsLeases) await leases.close();
        await bus.drain();
        clock.dispose();
        await nc.drain();
        options.log({ event: 'drained' });
      })();
      return draining;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Rejects with `message` if `promise` has not settled within `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
