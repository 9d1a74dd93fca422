/**
 * A runtime worker, as wiring: connects to NATS, joins the worker queue group on the assignment
 * subject, parses assignments and answers them (a body whose tenant is not its subject's is
 * refused: issue 10 item 4), and runs each admitted session on one Runtime over the NATS bus
 * with sim providers on real time. The decisions are statecharts
 * (actors/worker, ADR 0025): the worker machine admits or refuses (capacity, duplicate,
 * draining) and one session lease machine per session acquires, renews and releases its lease
 * (ADR 0015) and opens and closes its runtime session (`session-host.ts`). Drain: no new
 * sessions, wait for accepts in flight, end every live turn with exactly one terminal
 * (Runtime.stop), release every lease, then close the bus and connection. Reconnect (issue 10
 * item 3): both connections reconnect without limit while the reconnect budget lasts; while one
 * is down the worker refuses assignments, and once the budget runs out it abandons its sessions,
 * closes everything and resolves `lost`, so the process can exit for its supervisor. With a
 * pipeline file (`--pipeline`) its runtime runs that graph, and every session opens with the
 * file's pipeline_version and policies; an assignment naming another version is refused.
 */
import { connect, type Authenticator, type Msg } from '@nats-io/transport-node';
import { createActor } from 'xstate';
import type { Runtime } from '../../actors/index.ts';
import type { CompiledPipeline } from '../../actors/pipeline/compile.ts';
import { pipelineSessionOptions } from '../../actors/pipeline/runtime-inputs.ts';
import type { RuntimeTelemetryPort } from '../../contracts/index.ts';
import { workerMachine } from '../../actors/worker/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import { createNatsKvLeases } from '../../adapters/lease/nats-kv/index.ts';
import {
  ASSIGNMENT_WILDCARD,
  DEFAULT_LEASE_TTL_MS,
  WORKER_QUEUE_GROUP,
  assignmentSubject,
  type LeasePort,
} from '../../contracts/internal.ts';
import { createRealClock } from './real-clock.ts';
import {
  DEFAULT_RECONNECT_FOR_MS,
  busConnectionListener,
  createReconnectWatch,
  followConnection,
} from './reconnect-watch.ts';
import { buildClockedSimRuntime } from './sim-runtime.ts';
import { closeOrphansOnTakeover, startOrphanReaper, type OrphanReaper } from './orphan-recovery.ts';
import { openWorkerEvidence, type WorkerEvidence } from './worker-evidence.ts';
import { hostSession, type HostedSession, type SessionHostContext } from './session-host.ts';
import {
  parseAssignment,
  type AssignmentProblem,
  type AssignmentReply,
  type AssignmentRequest,
} from './protocol.ts';

/** Options of {@link startWorker}. */
export type WorkerOptions = {
  readonly natsUrl: string;
  /** Credentials of the worker's NATS user (docs/operations.md); default: none. */
  readonly authenticator?: Authenticator;
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
  /**
   * Longest the worker stays disconnected from NATS before it gives up and resolves `lost`, in
   * ms (default {@link DEFAULT_RECONNECT_FOR_MS}); it reconnects without limit until then.
   */
  readonly reconnectForMs?: number;
  /**
   * How often the worker looks for turns of dead placements whose lease expired with no taker,
   * in ms (default: the lease TTL); 0 turns the search off (ADR 0035).
   */
  readonly reapOrphansEveryMs?: number;
  /** OR-01 telemetry of the worker's runtime (`rspp worker` builds it from `RSPP_TELEMETRY_*`). */
  readonly telemetry?: RuntimeTelemetryPort;
  /** The pipeline every session runs (`rspp worker --pipeline`); default: the built-in graph. */
  readonly pipeline?: CompiledPipeline;
};

/** A running worker. */
export type Worker = {
  readonly worker_id: string;
  /** Sessions running now. */
  active(): number;
  /**
   * Stops taking sessions, ends every session (one terminal per live turn), closes; idempotent.
   * Rejects if the worker gives up on NATS before the drain finished, or had already.
   */
  drain(): Promise<void>;
  /**
   * Resolves with the reason once the worker gave up on NATS (reconnect budget spent, or a
   * connection closed by itself) and closed everything; with `drained` after a drain.
   */
  readonly lost: Promise<string>;
};

/** Connects (bounded), joins the queue group and resolves once the worker takes sessions. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const auth = options.authenticator === undefined ? {} : { authenticator: options.authenticator };
  const reconnectForMs = options.reconnectForMs ?? DEFAULT_RECONNECT_FOR_MS;
  if (!Number.isSafeInteger(reconnectForMs) || reconnectForMs < 1) {
    throw new RangeError(
      `reconnectForMs: expected a positive integer, received ${String(reconnectForMs)}`,
    );
  }
  const reapEveryOption = options.reapOrphansEveryMs;
  if (
    reapEveryOption !== undefined &&
    (!Number.isSafeInteger(reapEveryOption) || reapEveryOption < 0)
  ) {
    throw new RangeError(
      `reapOrphansEveryMs: expected an integer >= 0, received ${String(reapEveryOption)}`,
    );
  }
  const nc = await withTimeout(
    connect({
      servers: options.natsUrl,
      name: `rspp-worker-${options.worker_id}`,
      timeout: options.connectTimeoutMs,
      // The reconnect budget decides when to stop, not an attempt count; a short wait keeps the
      // window in which the queue group has no member after a server restart short. Pings as
      // the bus's, so a silent network loss is noticed within seconds, not minutes.
      ...RECONNECT,
      ...auth,
    }),
    options.connectTimeoutMs,
    `no connection after ${String(options.connectTimeoutMs)} ms`,
  );
  let bus: NatsBus;
  try {
    bus = await withTimeout(
      createNatsBus({
        servers: options.natsUrl,
        name: `rspp-worker-bus-${options.worker_id}`,
        reconnectTimeWaitMs: RECONNECT.reconnectTimeWait,
        pingIntervalMs: RECONNECT.pingInterval,
        ...auth,
      }),
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
  const clock = createRealClock();
  let evidence: WorkerEvidence;
  try {
    evidence = await openWorkerEvidence({
      nc,
      bus,
      worker_id: options.worker_id,
      claimsInLeaseBucket: ownsLeases,
      wallNow: () => clock.wallNow(),
      log: options.log,
    });
  } catch (error) {
    clock.dispose();
    if (ownsLeases) await leases.close();
    await bus.close();
    await nc.close();
    throw error;
  }
  bus.onDiagnostic((d) => {
    if (d.severity === 'error') options.log({ event: 'bus_diagnostic', kind: d.kind });
  });
  const { recovery, claim } = evidence;
  const runtime: Runtime = buildClockedSimRuntime({
    // Lifecycle signals are recorded as evidence before they are published (ADR 0035).
    bus: evidence.runtimeBus,
    clock,
    scheduler: createRealScheduler(),
    limits: { max_sessions: options.concurrency },
    ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }),
    ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
  });
  const pipelineSession =
    options.pipeline === undefined ? undefined : pipelineSessionOptions(options.pipeline);
  const worker = createActor(workerMachine, {
    input: { concurrency: options.concurrency },
    clock,
  });
  const sessions = new Map<string, HostedSession>();
  // Accepts in flight; drain waits for them so no session opens after Runtime.stop.
  const accepting = new Set<Promise<void>>();
  // Assignment messages waiting for the worker machine's decision, by ticket.
  const waiting = new Map<
    number,
    { msg: Msg; request?: AssignmentRequest; mismatch?: AssignmentProblem['mismatch'] }
  >();
  let tickets = 0;
  let draining: Promise<void> | null = null;
  // Settles once Runtime.stop closed every session: a draining worker closes them all at once.
  const stopped = settleLater();
  const host: SessionHostContext = {
    worker_id: options.worker_id,
    nc,
    bus,
    runtime,
    leases,
    clock,
    log: options.log,
    ...(pipelineSession === undefined ? {} : { session: pipelineSession }),
    closeOrphans: (tenant_id, session_id, epoch) =>
      closeOrphansOnTakeover(recovery, tenant_id, session_id, epoch),
    closeRuntimeSession: (session_id) =>
      worker.getSnapshot().hasTag('serving') ? runtime.closeSession(session_id) : stopped.promise,
    released: (session_id) => {
      sessions.delete(session_id);
      worker.send({ type: 'session.released', session_id });
    },
  };
  const respond = (msg: Msg, answer: AssignmentReply): void => {
    msg.respond(JSON.stringify(answer));
  };
  worker.on('assignment.refused', ({ ticket, reason, message }) => {
    const pending = waiting.get(ticket);
    waiting.delete(ticket);
    if (pending === undefined) return;
    // The mismatch names ids and the subject only: never the body's options (prompts).
    options.log({ event: 'session_refused', reason, ...pending.mismatch });
    respond(pending.msg, { accepted: false, worker_id: options.worker_id, reason, message });
  });
  worker.on('assignment.admitted', ({ ticket }) => {
    const pending = waiting.get(ticket);
    waiting.delete(ticket);
    if (pending?.request === undefined) return;
    const session = hostSession(host, pending.request);
    sessions.set(pending.request.session_id, session);
    const replied = session.reply.then((answer) => respond(pending.msg, answer));
    accepting.add(replied);
    void replied.finally(() => accepting.delete(replied));
  });
  worker.start();

  let resolveLost: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (resolveLost = resolve));
  let abandoning: Promise<void> | null = null;
  const watch = createReconnectWatch({
    reconnectForMs,
    // With one connection down a session can be neither leased nor run: the worker machine
    // refuses assignments (`reconnecting`) until both are back.
    onDown: (link) => {
      options.log({
        event: 'nats_disconnected',
        severity: 'warning',
        link,
        reconnect_for_ms: reconnectForMs,
      });
      worker.send({ type: 'worker.disconnected' });
    },
    onUp: () => {
      options.log({ event: 'nats_reconnected' });
      worker.send({ type: 'worker.reconnected' });
    },
    onGiveUp: (reason) => {
      abandoning ??= abandon(reason);
    },
  });
  // Followed from here, once everything `abandon` touches exists; a loss of the bus before
  // this point is read from its state (the plain connection has none: its next change counts).
  bus.onDiagnostic(busConnectionListener(watch));
  if (bus.connectionState() !== 'connected') watch.down('bus');
  followConnection(nc, 'assignments', watch);

  const subject =
    options.tenant === undefined ? ASSIGNMENT_WILDCARD : assignmentSubject(options.tenant);
  const assignments = nc.subscribe(subject, {
    queue: WORKER_QUEUE_GROUP,
    callback: (error, msg) => {
      if (error !== null) return;
      const ticket = (tickets += 1);
      // With --tenant the subscription is that tenant's subject, so the subject check covers it.
      const parsed = parseAssignment(msg.string(), msg.subject);
      if ('error' in parsed) {
        const { mismatch } = parsed;
        waiting.set(ticket, mismatch === undefined ? { msg } : { msg, mismatch });
        worker.send({ type: 'assignment.malformed', ticket, message: parsed.error });
        return;
      }
      const wrongVersion = versionMismatch(parsed, pipelineSession?.pipeline_version);
      if (wrongVersion !== undefined) {
        waiting.set(ticket, { msg });
        worker.send({ type: 'assignment.malformed', ticket, message: wrongVersion });
        return;
      }
      waiting.set(ticket, { msg, request: parsed });
      worker.send({ type: 'assignment.received', ticket, session_id: parsed.session_id });
    },
  });
  await nc.flush();
  const reapEvery = reapEveryOption ?? leases.ttlMs;
  const reaper: OrphanReaper | undefined =
    reapEvery > 0
      ? startOrphanReaper(
          {
            ...recovery,
            leases,
            claim,
            ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
          },
          reapEvery,
          clock,
        )
      : undefined;
  options.log({
    event: 'ready',
    worker_id: options.worker_id,
    subject,
    queue: WORKER_QUEUE_GROUP,
    ...(pipelineSession === undefined
      ? {}
      : { pipeline_version: pipelineSession.pipeline_version }),
  });

  /** Gives up on NATS: nothing can be ended cleanly any more, so close everything now. */
  async function abandon(reason: string): Promise<void> {
    options.log({
      event: 'nats_gave_up',
      severity: 'error',
      reconnect_for_ms: reconnectForMs,
      active: sessions.size,
      reason,
    });
    if (worker.getSnapshot().hasTag('serving')) worker.send({ type: 'worker.drain' });
    assignments.unsubscribe();
    void reaper?.stop();
    // No lease can be released without NATS: the server expires each after its TTL, and then
    // another worker may take the session.
    for (const session of sessions.values()) session.abandon();
    if (ownsLeases) await leases.close().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await nc.close().catch(() => undefined);
    // Ends every live turn locally (its terminal can no longer be published) and stops the
    // provider calls, so nothing keeps the process alive; bounded in case a session hangs.
    await withTimeout(runtime.stop(), ABANDON_STOP_MS, 'runtime stop').then(
      stopped.resolve,
      () => undefined,
    );
    clock.dispose();
    resolveLost(reason);
  }

  const drainAll = async (): Promise<void> => {
    options.log({ event: 'draining', active: sessions.size });
    worker.send({ type: 'worker.drain' });
    await assignments.drain();
    await reaper?.stop();
    await Promise.all([...accepting]);
    const ending = [...sessions.values()].map((session) => session.end());
    await runtime.stop().then(stopped.resolve, (error: unknown) => {
      stopped.reject(error);
      throw error;
    });
    await Promise.all(ending);
    if (ownsLeases) await leases.close();
    // From here the closes are the worker's own; the budget still bounds a drain stuck offline.
    watch.expectClose();
    await bus.drain();
    worker.send({ type: 'worker.drained' });
    clock.dispose();
    // Offline, the drain's closing ping fails; whatever it would flush could not be delivered
    // anyway, so close.
    await nc.drain().catch(() => nc.close());
    watch.stop();
    options.log({ event: 'drained' });
    resolveLost('drained');
  };
  return {
    worker_id: options.worker_id,
    active: () => worker.getSnapshot().context.sessions.length,
    lost,
    drain() {
      draining ??= (() => {
        const gaveUp = lost.then((reason) => {
          if (reason !== 'drained') throw new Error(`NATS connection lost: ${reason}`);
        });
        // A drain started offline waits for NATS only as long as the reconnect budget: if the
        // worker gives up meanwhile, the drain fails with the reason (its own steps then fail
        // too, and the race has already handled their rejections).
        return abandoning === null ? Promise.race([drainAll(), gaveUp]) : gaveUp;
      })();
      return draining;
    },
  };
}

/** Why a request cannot run on this worker's pipeline: it names another version. */
function versionMismatch(
  request: AssignmentRequest,
  served: string | undefined,
): string | undefined {
  const requested = request.options?.pipeline_version;
  if (served === undefined || requested === undefined || requested === served) return undefined;
  return `options.pipeline_version: expected ${JSON.stringify(served)} (the worker's --pipeline) or none, received ${JSON.stringify(requested)}`;
}

/** Bound on stopping the runtime after giving up on NATS, in ms. */
const ABANDON_STOP_MS = 5000;

/** Reconnect settings of both connections: no attempt limit (the budget decides), short waits. */
const RECONNECT = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  pingInterval: 5000,
  maxPingOut: 2,
} as const;

/** A promise settled later from outside. */
function settleLater() {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may wait on it (no session was closing): a rejection is still reported by drain.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
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
