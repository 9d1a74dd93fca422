/**
 * The per-subscription delivery engine both buses share, so priority, ordering, idempotent apply
 * and overflow behave identically: three bounded lane queues, a dedupe window per lane, and a
 * serial pump that always takes ControlLane first, then DataLane, then TelemetryLane.
 */
import { BoundedQueue } from './bounded-queue.ts';
import type {
  BusHandler,
  BusLaneStats,
  BusLimits,
  BusSubscriptionStats,
  Lane,
} from './contracts.ts';
import { LANES_BY_PRIORITY } from './contracts.ts';
import { DedupeWindow } from './dedupe-window.ts';
import type { DiagnosticsHub } from './diagnostics.ts';
import type { CheckedEnvelope } from './envelope.ts';

/** Runs a task later; the embedded bus may inject a simulated scheduler, the default is a microtask. */
export type Schedule = (task: () => void) => void;

/** What {@link SubscriptionInbox.offer} did with an envelope. */
export type OfferOutcome = 'queued' | 'duplicate' | 'dropped' | 'rejected' | 'closed';

/** Options of a {@link SubscriptionInbox}. */
export interface InboxOptions {
  /** Receives envelopes serially in priority order. */
  readonly handler: BusHandler;
  /** Bounds of the three queues. */
  readonly limits: BusLimits;
  /** Where drops, overflows and handler failures are reported. */
  readonly diagnostics: DiagnosticsHub;
  /** When the pump runs after an offer. */
  readonly schedule: Schedule;
}

interface Entry {
  readonly checked: CheckedEnvelope;
  /** Tells the transport the envelope is applied (JetStream ack); a no-op for core subjects. */
  readonly ack: () => void;
}

interface LaneState {
  readonly queue: BoundedQueue<Entry>;
  readonly applied: DedupeWindow;
  /** Keys currently queued, so a redelivery that overtakes its original is not queued twice. */
  readonly queuedKeys: Set<string>;
  delivered: number;
  dropped: number;
  duplicates: number;
  rejected: number;
}

const noop = (): void => {};

/** Inbound side of one subscription; transports call {@link offer}, the pump calls the handler. */
export class SubscriptionInbox {
  private readonly lanes: Record<Lane, LaneState>;
  private accepting = true;
  private closed = false;
  private scheduled = false;
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private readonly options: InboxOptions;

  /** Creates an empty inbox with the given bounds. */
  constructor(options: InboxOptions) {
    this.options = options;
    const lane = (lane: Lane): LaneState => ({
      queue: new BoundedQueue<Entry>(options.limits[lane].capacity),
      applied: new DedupeWindow(options.limits[lane].dedupeWindow),
      queuedKeys: new Set<string>(),
      delivered: 0,
      dropped: 0,
      duplicates: 0,
      rejected: 0,
    });
    this.lanes = {
      ControlLane: lane('ControlLane'),
      DataLane: lane('DataLane'),
      TelemetryLane: lane('TelemetryLane'),
    };
  }

  /**
   * Queues an envelope for the handler. `ack` runs once the envelope is applied, skipped as an
   * already-applied duplicate, or shed; it does not run for `rejected` or `closed`, so a
   * JetStream message stays unacknowledged and the server redelivers it.
   */
  offer(checked: CheckedEnvelope, ack: () => void = noop): OfferOutcome {
    if (!this.accepting) return 'closed';
    const laneName = checked.ref.lane;
    const lane = this.lanes[laneName];
    if (lane.applied.has(checked.key)) {
      lane.duplicates += 1;
      ack();
      return 'duplicate';
    }
    if (lane.queuedKeys.has(checked.key)) {
      // The queued original acknowledges itself once applied.
      lane.duplicates += 1;
      return 'duplicate';
    }
    const limits = this.options.limits[laneName];
    if (lane.queue.isFull()) {
      switch (limits.overflow) {
        case 'reject':
          lane.rejected += 1;
          this.options.diagnostics.emit({
            kind: 'control_queue_full',
            severity: 'error',
            envelope: checked.ref,
            capacity: limits.capacity,
          });
          return 'rejected';
        case 'drop_newest':
          this.shed(lane, { checked, ack });
          return 'dropped';
        case 'drop_oldest': {
          const oldest = lane.queue.shift();
          if (oldest !== undefined) {
            lane.queuedKeys.delete(oldest.checked.key);
            this.shed(lane, oldest);
          }
          break;
        }
      }
    }
    lane.queue.push({ checked, ack });
    lane.queuedKeys.add(checked.key);
    this.schedulePump();
    return 'queued';
  }

  /** Current counters of every lane. */
  stats(): BusSubscriptionStats {
    const view = (lane: LaneState): BusLaneStats => ({
      queued: lane.queue.size,
      delivered: lane.delivered,
      dropped: lane.dropped,
      duplicates: lane.duplicates,
      rejected: lane.rejected,
    });
    return {
      ControlLane: view(this.lanes.ControlLane),
      DataLane: view(this.lanes.DataLane),
      TelemetryLane: view(this.lanes.TelemetryLane),
    };
  }

  /** Resolves when nothing is queued or being handled (or the inbox is closed). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses further offers, lets the queued envelopes reach the handler, then closes. */
  async drain(): Promise<void> {
    this.accepting = false;
    await this.whenIdle();
    this.close();
  }

  /** Refuses further offers and discards the queues; no handler call starts afterwards. */
  close(): void {
    this.accepting = false;
    this.closed = true;
    for (const lane of Object.values(this.lanes)) {
      lane.queue.clear();
      lane.queuedKeys.clear();
    }
    this.settleIdle();
  }

  private shed(lane: LaneState, entry: Entry): void {
    lane.dropped += 1;
    entry.ack();
    this.options.diagnostics.emit({
      kind: 'dropped',
      severity: 'warning',
      side: 'deliver',
      reason: 'queue_full',
      envelope: entry.checked.ref,
      dropped_total: lane.dropped,
    });
  }

  /** Whether nothing is queued, scheduled or being handled (a closed inbox is idle). */
  isIdle(): boolean {
    if (this.closed) return true;
    if (this.running || this.scheduled) return false;
    return LANES_BY_PRIORITY.every((lane) => this.lanes[lane].queue.size === 0);
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private schedulePump(): void {
    if (this.scheduled || this.running || this.closed) return;
    this.scheduled = true;
    this.options.schedule(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  /** Priority is re-evaluated before every delivery, so a control envelope that arrives while the handler is busy overtakes every queued data envelope. */
  private next(): Entry | undefined {
    for (const lane of LANES_BY_PRIORITY) {
      const entry = this.lanes[lane].queue.shift();
      if (entry !== undefined) return entry;
    }
    return undefined;
  }

  private async pump(): Promise<void> {
    if (this.running || this.closed) return;
    this.running = true;
    try {
      while (!this.closed) {
        const entry = this.next();
        if (entry === undefined) break;
        // Only an asynchronous handler costs a turn: synchronous ones drain the queue in one go,
        // which keeps delivery under an injected scheduler fully deterministic.
        const pending = this.deliver(entry);
        if (pending !== undefined) await pending;
      }
    } finally {
      this.running = false;
      this.settleIdle();
    }
  }

  private deliver(entry: Entry): Promise<void> | undefined {
    const { checked } = entry;
    const lane = this.lanes[checked.ref.lane];
    lane.queuedKeys.delete(checked.key);
    // Marked applied before the handler runs so a re-entrant redelivery is skipped too.
    lane.applied.add(checked.key);
    lane.delivered += 1;
    let result: unknown;
    try {
      result = this.options.handler(checked.envelope);
    } catch (error) {
      this.handlerFailed(entry, error);
      return undefined;
    }
    if (!isPromiseLike(result)) {
      entry.ack();
      return undefined;
    }
    return Promise.resolve(result).then(
      () => entry.ack(),
      (error: unknown) => this.handlerFailed(entry, error),
    );
  }

  private handlerFailed(entry: Entry, error: unknown): void {
    this.options.diagnostics.emit({
      kind: 'handler_failed',
      severity: 'error',
      envelope: entry.checked.ref,
      error,
    });
    // Applied (and failed) once: acknowledging stops JetStream from replaying the failure.
    entry.ack();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
