/**
 * Publisher side of the NATS ControlLane: a bounded FIFO that stores each control signal in
 * JetStream one at a time and retries it across disconnects until the server acknowledges it.
 * One publish in flight keeps stream order equal to publish order even when a retry is needed;
 * the JetStream message id makes a retried publish that had in fact been stored a no-op.
 */
import { JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { BusError, type CheckedEnvelope, type DiagnosticsHub } from '../core/index.ts';

/** Options of a {@link ControlOutbox}. */
export interface ControlOutboxOptions {
  /** JetStream client of the bus connection. */
  readonly js: JetStreamClient;
  /** Most signals waiting for a JetStream acknowledgement. */
  readonly capacity: number;
  /** How long one publish attempt waits for the acknowledgement, in ms. */
  readonly attemptTimeoutMs: number;
  /** Resolves when the connection is up (immediately if it is); rejects once the bus closes. */
  readonly whenConnected: () => Promise<void>;
  /** Where retries and failures are reported. */
  readonly diagnostics: DiagnosticsHub;
}

interface Pending {
  readonly checked: CheckedEnvelope;
  readonly wire: string;
  readonly headers: MsgHdrs | undefined;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

// JetStream API error codes that mean "try again" (cluster/stream temporarily unavailable).
const RETRYABLE_API_CODES: ReadonlySet<number> = new Set([10008]);
const MAX_BACKOFF_MS = 1000;

/** The ControlLane publisher of one NATS bus. */
export class ControlOutbox {
  private readonly queue: Pending[] = [];
  private running = false;
  private closed = false;
  private emptyWaiters: (() => void)[] = [];
  private readonly options: ControlOutboxOptions;

  /** Creates an empty outbox. */
  constructor(options: ControlOutboxOptions) {
    this.options = options;
  }

  /** Number of signals not yet acknowledged by JetStream. */
  get size(): number {
    return this.queue.length;
  }

  /** Queues a signal; resolves once JetStream stored it, rejects if it never can be. */
  enqueue(checked: CheckedEnvelope, wire: string, headers: MsgHdrs | undefined): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.queue.length >= this.options.capacity) {
      // Refused loudly at the publisher: the caller still holds the signal, nothing is shed.
      return Promise.reject(
        new BusError(
          'control_outbox_full',
          `ControlLane outbox full (${this.options.capacity} signals awaiting JetStream)`,
          { provider: 'nats', retryable: true },
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ checked, wire, headers, resolve, reject });
      void this.run();
    });
  }

  /** Resolves once every queued signal is acknowledged, failed or rejected by close. */
  whenEmpty(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Rejects every waiting signal with `closed` and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(closedError());
    this.settleEmpty();
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let head = this.queue[0]; head !== undefined && !this.closed; head = this.queue[0]) {
        await this.publishOne(head);
        // close() may already have emptied the queue and rejected the head.
        if (this.queue[0] === head) this.queue.shift();
      }
    } finally {
      this.running = false;
      this.settleEmpty();
    }
  }

  private async publishOne(pending: Pending): Promise<void> {
    const { checked } = pending;
    // Scoped by subject because JetStream dedupes message ids stream-wide, across sessions.
    const msgID = `${checked.subject}|${checked.key}`;
    for (let attempt = 1; !this.closed; attempt += 1) {
      try {
        await this.options.whenConnected();
        await this.options.js.publish(checked.subject, pending.wire, {
          msgID,
          timeout: this.options.attemptTimeoutMs,
          ...(pending.headers === undefined ? {} : { headers: pending.headers }),
        });
        pending.resolve();
        return;
      } catch (error) {
        if (this.closed) return;
        if (!isRetryable(error)) {
          const reason = error instanceof Error ? error.message : String(error);
          this.options.diagnostics.emit({
            kind: 'control_publish_failed',
            severity: 'error',
            envelope: checked.ref,
            reason,
          });
          pending.reject(
            new BusError(
              'control_publish_failed',
              `JetStream refused a ControlLane signal: ${reason}`,
              {
                provider: 'nats',
                cause: error,
              },
            ),
          );
          return;
        }
        this.options.diagnostics.emit({
          kind: 'control_publish_retry',
          severity: 'warning',
          envelope: checked.ref,
          attempt,
          reason: error instanceof Error ? error.message : String(error),
        });
        await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  private settleEmpty(): void {
    if (this.queue.length > 0) return;
    const waiters = this.emptyWaiters;
    this.emptyWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** Timeouts, no-responders and connection errors pass with time; API refusals (stream full, too large) do not. */
function isRetryable(error: unknown): boolean {
  if (error instanceof JetStreamApiError) return RETRYABLE_API_CODES.has(error.code);
  return true;
}

function closedError(): BusError {
  return new BusError('closed', 'the NATS bus is closed', { provider: 'nats' });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
