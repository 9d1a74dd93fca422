/**
 * Publisher side of the NATS ControlLane: a bounded FIFO that stores control signals in
 * JetStream with up to `window` publishes in flight, resolves each signal when its own
 * acknowledgement arrives, and retries across disconnects, keeping stream order equal to
 * publish order (ADR 0005, ADR 0024).
 *
 * Why order holds: one connection delivers publishes in send order and the server stores them
 * in that order, so what a connection lost is always a suffix of what was sent on it. The
 * outbox therefore (1) never sends on a new connection while an attempt sent on the previous one
 * is unsettled, and (2) after any retryable failure stops sending, lets every in-flight attempt
 * settle, then re-sends every unacknowledged signal in publish order with its original
 * `Nats-Msg-Id`: one that was stored but lost its acknowledgement comes back as a duplicate, not
 * a second copy. Acknowledged stream sequences are checked against publish order, so a
 * violation the design cannot exclude is reported instead of passing silently.
 */
import { JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import {
  BusError,
  type BusEnvelopeRef,
  type CheckedEnvelope,
  type DiagnosticsHub,
} from '../core/index.ts';

/** Options of a {@link ControlOutbox}. */
export interface ControlOutboxOptions {
  /** JetStream client of the bus connection. */
  readonly js: JetStreamClient;
  /** Most signals waiting for a JetStream acknowledgement (queued or in flight). */
  readonly capacity: number;
  /** Most publishes sent and not yet acknowledged at once. */
  readonly window: number;
  /** How long one publish attempt waits for the acknowledgement, in ms. */
  readonly attemptTimeoutMs: number;
  /** Resolves when the connection is up (immediately if it is); rejects once the bus closes. */
  readonly whenConnected: () => Promise<void>;
  /**
   * Identity of the connection a publish made now would travel on (server id and client id),
   * or undefined while there is no usable connection.
   */
  readonly connectionId: () => string | undefined;
  /** Where retries, failures and order violations are reported. */
  readonly diagnostics: DiagnosticsHub;
}

/** The payload and headers of one signal's NATS message. */
export interface ControlWire {
  readonly data: string | Uint8Array;
  readonly headers: MsgHdrs | undefined;
}

/**
 * A record stored through the outbox on a subject of another JetStream stream (ADR 0035): sent
 * in publish order with the signals around it, on the same connection, with the same retries.
 */
export interface OutboxRecord {
  readonly subject: string;
  /** `Nats-Msg-Id`: JetStream dedupes it stream-wide within the stream's duplicate window. */
  readonly msgID: string;
  /** Identity named in diagnostics (the signal the record describes). */
  readonly ref: BusEnvelopeRef;
}

/** `queued`: to send in this round; `failed`: its attempt failed, re-sent by the next round. */
type EntryState = 'queued' | 'in_flight' | 'failed' | 'done';

interface Entry extends OutboxRecord {
  readonly wire: ControlWire;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  state: EntryState;
  attempts: number;
  /** Stream sequence of a fresh (non-duplicate) store, checked against publish order. */
  seq: number | undefined;
  /** Stream that stored it (sequences are compared within one stream). */
  stream: string;
}

// JetStream API error codes that mean "try again" (cluster/stream temporarily unavailable).
const RETRYABLE_API_CODES: ReadonlySet<number> = new Set([10008]);
const MAX_BACKOFF_MS = 1000;
/** Pause before re-checking when the bus reports `connected` but the client has no server INFO yet. */
const CONNECTION_RECHECK_MS = 10;

/** The ControlLane publisher of one NATS bus. */
export class ControlOutbox {
  // Unsettled signals in publish order; settled ones leave from the head.
  private entries: Entry[] = [];
  /** Index in `entries` of the next signal to send in this round. */
  private next = 0;
  private inFlight = 0;
  private unsettled = 0;
  /** Connection the in-flight attempts went out on. */
  private sentOn: string | undefined;
  /** Sending stopped until every in-flight attempt settled; then the round restarts. */
  private halted = false;
  /** A wait (connection, backoff) is running; it resumes sending when it ends. */
  private waiting = false;
  private failedRounds = 0;
  /** Highest fresh sequence settled so far, per stream. */
  private readonly highestSeq = new Map<string, number>();
  private closed = false;
  private emptyWaiters: (() => void)[] = [];
  private readonly options: ControlOutboxOptions;

  /** Creates an empty outbox. */
  constructor(options: ControlOutboxOptions) {
    this.options = options;
  }

  /** Number of signals not yet acknowledged by JetStream (queued or in flight). */
  get size(): number {
    return this.unsettled;
  }

  /** Queues a signal and sends it if the window has room; resolves once JetStream stored it. */
  enqueue(checked: CheckedEnvelope, wire: ControlWire): Promise<void> {
    // Scoped by subject because JetStream dedupes message ids stream-wide, across sessions.
    const msgID = `${checked.subject}|${checked.key}`;
    return this.enqueueRecord({ subject: checked.subject, msgID, ref: checked.ref }, wire);
  }

  /**
   * Queues a record for another stream behind every signal queued so far and ahead of every
   * later one; resolves once JetStream stored it. Capacity and retries are the signals'.
   */
  enqueueRecord(record: OutboxRecord, wire: ControlWire): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.unsettled >= this.options.capacity) {
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
      this.entries.push({
        subject: record.subject,
        msgID: record.msgID,
        ref: record.ref,
        wire,
        resolve,
        reject,
        state: 'queued',
        attempts: 0,
        seq: undefined,
        stream: '',
      });
      this.unsettled += 1;
      this.pump();
    });
  }

  /** Resolves once every queued signal is acknowledged, failed or rejected by close. */
  whenEmpty(): Promise<void> {
    if (this.unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptyWaiters.push(resolve));
  }

  /** Rejects every waiting signal with `closed` and refuses new ones. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const entries = this.entries;
    this.entries = [];
    this.unsettled = 0;
    for (const entry of entries) if (entry.state !== 'done') entry.reject(closedError());
    this.settleEmpty();
  }

  /** Sends queued signals in publish order while the window has room and the connection allows. */
  private pump(): void {
    if (this.closed || this.halted || this.waiting) return;
    while (this.next < this.entries.length && this.inFlight < this.options.window) {
      const connection = this.options.connectionId();
      if (connection === undefined) {
        this.waitForConnection();
        return;
      }
      if (this.inFlight > 0 && connection !== this.sentOn) {
        // The client reconnected under in-flight attempts: the old connection may have lost a
        // suffix of them, so nothing goes out on the new one before they are re-sent in order.
        // The last of them to settle restarts the round.
        this.halted = true;
        return;
      }
      this.sentOn = connection;
      const entry = this.entries[this.next];
      this.next += 1;
      if (entry?.state === 'queued') this.send(entry);
    }
  }

  private send(entry: Entry): void {
    entry.state = 'in_flight';
    entry.attempts += 1;
    this.inFlight += 1;
    const { headers } = entry.wire;
    void this.options.js
      .publish(entry.subject, entry.wire.data, {
        msgID: entry.msgID,
        timeout: this.options.attemptTimeoutMs,
        ...(headers === undefined ? {} : { headers }),
      })
      .then(
        (ack) => this.acknowledged(entry, ack),
        (error: unknown) => this.failed(entry, error),
      );
  }

  private acknowledged(entry: Entry, ack: PubAck): void {
    this.inFlight -= 1;
    if (this.closed) return;
    this.failedRounds = 0;
    // Only fresh stores take part in the order check: a duplicate names where an earlier copy
    // went, which after a server restart may be older than a copy stored again since (the
    // server rebuilds its duplicate table from the messages it still holds).
    if (!ack.duplicate) {
      entry.seq = ack.seq;
      entry.stream = ack.stream;
    }
    this.settle(entry);
    entry.resolve();
    this.resume();
  }

  private failed(entry: Entry, error: unknown): void {
    this.inFlight -= 1;
    if (this.closed) return;
    const reason = error instanceof Error ? error.message : String(error);
    if (isRetryable(error)) {
      entry.state = 'failed';
      this.halted = true;
      this.options.diagnostics.emit({
        kind: 'control_publish_retry',
        severity: 'warning',
        envelope: entry.ref,
        attempt: entry.attempts,
        reason,
      });
    } else {
      // A refusal (stream full, message too large) is final for this signal only; the signals
      // after it are not affected, so stream order of what is stored still follows publish order.
      this.settle(entry);
      this.options.diagnostics.emit({
        kind: 'control_publish_failed',
        severity: 'error',
        envelope: entry.ref,
        reason,
      });
      entry.reject(
        new BusError(
          'control_publish_failed',
          `JetStream refused a ControlLane signal: ${reason}`,
          {
            provider: 'nats',
            cause: error,
          },
        ),
      );
    }
    this.resume();
  }

  /** Continues after an attempt settled or a wait ended: sends more, or restarts a halted round. */
  private resume(): void {
    if (!this.halted) {
      this.pump();
    } else if (this.inFlight === 0) {
      void this.restartRound();
    }
  }

  /**
   * Every attempt of the round has settled: re-sends every unacknowledged signal, from the
   * oldest, once the connection is up (after a backoff if attempts failed).
   */
  private async restartRound(): Promise<void> {
    if (this.waiting) return;
    this.waiting = true;
    const anyFailed = this.entries.some((entry) => entry.state === 'failed');
    try {
      if (anyFailed) {
        this.failedRounds += 1;
        await delay(Math.min(MAX_BACKOFF_MS, 50 * 2 ** Math.min(this.failedRounds, 5)));
      }
      await this.options.whenConnected();
    } catch {
      return; // Closed: close() already rejected every signal.
    } finally {
      this.waiting = false;
    }
    if (this.closed) return;
    // What the last connection lost is a suffix of what it was sent, so re-sending every
    // unacknowledged signal from the oldest restores publish order; stored ones are duplicates.
    for (const entry of this.entries) if (entry.state === 'failed') entry.state = 'queued';
    this.halted = false;
    this.sentOn = undefined;
    this.next = 0;
    this.pump();
  }

  private waitForConnection(): void {
    this.waiting = true;
    void (async () => {
      try {
        await this.options.whenConnected();
        // The bus may report `connected` a moment before the client holds the server's INFO.
        if (this.options.connectionId() === undefined) await delay(CONNECTION_RECHECK_MS);
      } catch {
        return; // Closed: close() already rejected every signal.
      } finally {
        this.waiting = false;
      }
      if (!this.closed) this.resume();
    })();
  }

  /** Marks a signal settled and removes the settled head, checking stream order as it goes. */
  private settle(entry: Entry): void {
    entry.state = 'done';
    this.unsettled -= 1;
    let settled = 0;
    for (const head of this.entries) {
      if (head.state !== 'done') break;
      settled += 1;
      if (head.seq === undefined) continue;
      const highest = this.highestSeq.get(head.stream) ?? 0;
      if (head.seq < highest) {
        this.options.diagnostics.emit({
          kind: 'transport_error',
          severity: 'error',
          reason: `ControlLane stream order differs from publish order: ${head.ref.event_id} stored at sequence ${head.seq}, before a signal published earlier (sequence ${highest})`,
        });
      } else {
        this.highestSeq.set(head.stream, head.seq);
      }
    }
    if (settled > 0) {
      this.entries.splice(0, settled);
      this.next = Math.max(0, this.next - settled);
    }
    this.settleEmpty();
  }

  private settleEmpty(): void {
    if (this.unsettled > 0) return;
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
