/**
 * Closing the turns of a dead placement (issue 10 item 2, ADR 0035), as wiring around the pure
 * `findOrphanTurns` / `recoverySignals` of actors/worker:
 * - takeover: a worker that acquired a session's lease at a new epoch closes every orphan of an
 *   older epoch before it opens the session;
 * - reaper: every worker looks, at a low rate, for sessions whose latest evidence is not a
 *   `close` and whose lease is gone (expired with no taker), claims each orphan once (KV
 *   create) and closes it.
 * The recovery signals carry fixed ids, so a takeover and a reaper racing on one turn publish
 * the same records and JetStream keeps one; the claim only spares the reapers duplicate work.
 */
import { findOrphanTurns, recoverySignals, type OrphanTurn } from '../../actors/worker/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import type { LeasePort } from '../../contracts/internal.ts';
import type { EvidenceReader } from '../../adapters/evidence/jetstream/index.ts';

/** What closing orphans needs. */
export type OrphanRecoveryDeps = {
  readonly evidence: Pick<EvidenceReader, 'session' | 'latest'>;
  /**
   * Publishes one recovery signal through the evidence tap (evidence first, then ControlLane);
   * resolves once JetStream stored the signal.
   */
  readonly publish: (tenant_id: string, signal: ControlSignal) => Promise<void>;
  /** Wall-clock ms stamped on the recovery signals. */
  readonly wallNow: () => number;
  readonly log: (event: Readonly<Record<string, unknown>>) => void;
};

/** Who closed an orphan, as logged. */
type ClosedBy = 'takeover' | 'reaper';

/** Publishes the signals that end `orphan`, in order; resolves once each is stored. */
export async function closeOrphan(
  deps: OrphanRecoveryDeps,
  tenant_id: string,
  orphan: OrphanTurn,
  by: ClosedBy,
): Promise<void> {
  const signals = recoverySignals(orphan, deps.wallNow());
  // Published back to back: the ControlLane outbox keeps publish order (ADR 0024).
  await Promise.all(signals.map((signal) => deps.publish(tenant_id, signal)));
  deps.log({
    event: 'orphan_turn_closed',
    tenant_id,
    session_id: orphan.session_id,
    turn_id: orphan.turn_id,
    authority_epoch: orphan.authority_epoch,
    terminal: orphan.terminal?.signal ?? 'abort',
    by,
  });
}

/**
 * Takeover: closes every turn of the session's evidence opened at an epoch below `epoch` and not
 * closed. Resolves with how many it closed; rejects when the evidence cannot be read or a
 * signal cannot be stored (the session is then not opened).
 */
export async function closeOrphansOnTakeover(
  deps: OrphanRecoveryDeps,
  tenant_id: string,
  session_id: string,
  epoch: number,
): Promise<number> {
  const records = await deps.evidence.session(tenant_id, session_id);
  if (records.length === 0) return 0;
  const orphans = findOrphanTurns(
    records.map((r) => r.document),
    { belowEpoch: epoch },
  );
  for (const orphan of orphans) await closeOrphan(deps, tenant_id, orphan, 'takeover');
  return orphans.length;
}

/** What a reaper round needs besides {@link OrphanRecoveryDeps}. */
export type ReaperDeps = OrphanRecoveryDeps & {
  readonly leases: LeasePort;
  /** True for the one caller that claimed the turn (KV create); false while another claim lives. */
  readonly claim: (tenant_id: string, session_id: string, turn_id: string) => Promise<boolean>;
  /** Only this tenant's sessions (a worker serving one tenant); default every tenant. */
  readonly tenant?: string;
};

/** One reaper round: closes the orphans of sessions without a live lease; resolves with how many. */
export async function reapOrphans(deps: ReaperDeps): Promise<number> {
  let closed = 0;
  for (const latest of await deps.evidence.latest(deps.tenant)) {
    const last = latest.document;
    // The latest record of a session whose turns all ended is a `close`.
    if ('signal' in last && last.signal === 'close') continue;
    const { tenant_id, session_id } = latest;
    // A live lease has a holder, which closes what it took over; a lapsed one has none.
    if ((await deps.leases.lease(tenant_id, session_id).current()) !== null) continue;
    const records = await deps.evidence.session(tenant_id, session_id);
    for (const orphan of findOrphanTurns(records.map((r) => r.document))) {
      if (!(await deps.claim(tenant_id, session_id, orphan.turn_id))) continue;
      await closeOrphan(deps, tenant_id, orphan, 'reaper');
      closed += 1;
    }
  }
  return closed;
}

/** Timers of the reaper (the worker's real clock; a manual one in tests). */
type ReaperClock = {
  setTimeout(run: () => void, delayMs: number): number;
  clearTimeout(handle: number): void;
};

/** A running reaper. */
export type OrphanReaper = {
  /** Stops after the round in progress, if any; resolves once no round runs. */
  stop(): Promise<void>;
};

/** Runs {@link reapOrphans} every `everyMs`, counted from the end of each round. */
export function startOrphanReaper(
  deps: ReaperDeps,
  everyMs: number,
  clock: ReaperClock,
): OrphanReaper {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  let timer: number | undefined;
  const schedule = () => {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      timer = undefined;
      round = reapOrphans(deps).then(
        () => undefined,
        (error: unknown) =>
          deps.log({
            event: 'orphan_reap_failed',
            severity: 'warning',
            message: error instanceof Error ? error.message : String(error),
          }),
      );
      void round.then(schedule);
    }, everyMs);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await round;
    },
  };
}
