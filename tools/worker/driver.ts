/**
 * A session driver: plays the transport gateway against a worker group over NATS. It subscribes
 * to the session's lanes, assigns the session on the assignment subject (retrying refusals, and
 * for a bounded time an unreachable NATS or worker group: `assign-retry.ts`), publishes the
 * transport events of a scripted conversation onto the session's lane subjects, and collects
 * the ControlLane sequence the runtime published, as the bus delivered it.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BusEnvelope, BusPort, ControlSignal } from '../../contracts/index.ts';
import {
  assignmentSubject,
  INGRESS_MARKER,
  type BusSubscription,
} from '../../contracts/internal.ts';
import { ingressRecord, type Script, type ScriptStep } from '../run/script.ts';
import { DEFAULT_ASSIGN_RETRY_MS, createRetryWindow, whenReachable } from './assign-retry.ts';
import {
  ingressOf,
  type AssignedSessionOptions,
  type AssignmentReply,
  type EndReply,
  type IngressPayload,
} from './protocol.ts';

/** What a driver talks through: a plain connection (assignment, end) and a bus (lanes). */
export type DriverLink = { readonly nc: NatsConnection; readonly bus: BusPort };

/** A session assigned to a worker, driven from here. */
export type DrivenSession = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly worker_id: string;
  /** Where an end request goes: under the tenant's assignment subject (docs/operations.md). */
  readonly session_inbox: string;
  /** Epoch of the worker's lease on the session; every fed record carries it. */
  readonly authority_epoch: number;
  /** Refusals received before a worker accepted. */
  readonly refusals: readonly AssignmentReply[];
  /** The runtime's ControlLane records, in delivery order (grows while the session runs). */
  readonly control: readonly ControlSignal[];
  /** Publishes one scripted transport event onto the session's lane subject. */
  feed(step: ScriptStep): Promise<void>;
  /** Waits (polling, bounded) until `done(control)` holds; rejects with `what` on timeout. */
  waitFor(done: (control: readonly ControlSignal[]) => boolean, what: string): Promise<void>;
  /** Asks the worker to end the session, then waits for every ControlLane record it published. */
  end(): Promise<EndReply>;
  /** Stops listening to the session's lanes. */
  close(): Promise<void>;
};

/** Options of {@link assignSession}. */
export type AssignOptions = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly options?: AssignedSessionOptions;
  /** Assignment attempts before giving up on refusals (default 20). */
  readonly attempts?: number;
  /** Bound on each wait (request, delivery), in ms (default 15 000). */
  readonly timeoutMs?: number;
  /**
   * How long NATS or the worker group may stay unreachable ("no responders", a request timeout,
   * the driver's own connection down), in ms from the first such failure, before assigning
   * fails (default {@link DEFAULT_ASSIGN_RETRY_MS}): it covers a nats-server restart.
   */
  readonly retryForMs?: number;
};

/** Subscribes to the session's lanes, then assigns it to a worker of the queue group. */
export async function assignSession(
  link: DriverLink,
  options: AssignOptions,
): Promise<DrivenSession> {
  const { tenant_id, session_id } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const retry = createRetryWindow(options.retryForMs ?? DEFAULT_ASSIGN_RETRY_MS);
  const control: ControlSignal[] = [];
  const onControl = (e: BusEnvelope): void => {
    if (ingressOf(e) === undefined && e.record.lane === 'ControlLane') {
      control.push(e.record as ControlSignal);
    }
  };
  // The lanes first, so no output of the session is missed; right after a server restart the
  // bus may still be reconnecting, and its ControlLane consumer needs it.
  const subscription: BusSubscription = await retry.run(async () => {
    await whenReachable(link, timeoutMs);
    return link.bus.subscribe(tenant_id, session_id, onControl, { direction: 'egress' });
  });
  const refusals: AssignmentReply[] = [];
  let accepted: Extract<AssignmentReply, { accepted: true }> | undefined;
  const request = JSON.stringify({
    tenant_id,
    session_id,
    ...(options.options ? { options: options.options } : {}),
  });
  try {
    for (let attempt = 0; attempt < (options.attempts ?? 20) && accepted === undefined; attempt++) {
      const answer = await retry.run(async () => {
        await whenReachable(link, timeoutMs);
        const msg = await link.nc.request(assignmentSubject(tenant_id), request, {
          timeout: timeoutMs,
        });
        return msg.json<AssignmentReply>();
      });
      if (answer.accepted) accepted = answer;
      else {
        refusals.push(answer);
        await delay(20 * (attempt + 1));
      }
    }
  } catch (error) {
    await subscription.close();
    throw error;
  }
  if (accepted === undefined) {
    await subscription.close();
    throw new Error(`session ${session_id}: refused ${String(refusals.length)} times`);
  }
  const inbox = accepted.session_inbox;
  const epoch = accepted.authority_epoch;
  let n = 0;
  const waitFor = (done: (c: readonly ControlSignal[]) => boolean, what: string) =>
    poll(() => done(control), timeoutMs, `session ${session_id}: ${what}`);
  return {
    tenant_id,
    session_id,
    worker_id: accepted.worker_id,
    session_inbox: inbox,
    authority_epoch: epoch,
    refusals,
    control,
    async feed(step) {
      n += 1;
      const payload: IngressPayload = {
        [INGRESS_MARKER]: step.kind,
        ...(step.kind === 'transcript_final' && step.text !== undefined ? { text: step.text } : {}),
      };
      await link.bus.publish({
        tenant_id,
        record: ingressRecord(session_id, step, n, epoch),
        payload,
        direction: 'ingress',
      });
    },
    waitFor,
    async end() {
      const msg = await link.nc.request(inbox, JSON.stringify({ op: 'end' }), {
        timeout: timeoutMs,
      });
      const ended = msg.json<EndReply>();
      if (ended.ended !== true) throw new Error(`session ${session_id}: end failed`);
      await waitFor((c) => c.length >= ended.published.ControlLane, 'ControlLane delivery');
      return ended;
    },
    close: () => subscription.close(),
  };
}

/** Options of {@link driveSession}. */
export type DriveOptions = AssignOptions & {
  readonly script: Script;
  /** Real ms per script ms between steps (default 1). */
  readonly timeScale?: number;
};

/** What {@link driveSession} produced. */
export type DriveResult = {
  readonly worker_id: string;
  readonly control: readonly ControlSignal[];
  readonly ended: EndReply;
};

/** Assigns a session, plays the script in (scaled) real time, ends it and collects ControlLane. */
export async function driveSession(link: DriverLink, options: DriveOptions): Promise<DriveResult> {
  const session = await assignSession(link, options);
  try {
    const scale = options.timeScale ?? 1;
    let at = 0;
    for (const step of options.script.steps) {
      await delay((step.at_ms - at) * scale);
      at = step.at_ms;
      await session.feed(step);
    }
    await delay((options.script.end_ms - at) * scale);
    const ended = await session.end();
    return { worker_id: session.worker_id, control: [...session.control], ended };
  } finally {
    await session.close();
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Polls `done` every 10 ms until it holds; rejects after `timeoutMs`. */
async function poll(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}
