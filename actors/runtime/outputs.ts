/**
 * The outbound side of one session: RK-21 publishing (via the publisher), the OR-02 recorder
 * feed, the RK-22 egress fence for DataLane output, and delivery to subscribers, in that order
 * for every output. The fence is applied synchronously: once `fence()` returns, no output of the
 * turn can be published.
 */
import type { ControlSignal, DecisionOutcome, Lane } from '../../contracts/index.ts';
import { createSignalStamper } from '../edges/index.ts';
import { EgressFence, type CancelMarkers, type FenceCause } from '../fence/index.ts';
import type { ExecutionReport } from '../graph/executor.ts';
import { SessionPublisher } from './publisher.ts';
import type { TurnRecord } from './turn-record.ts';
import { egressPayload, outputRecord, type FlowIdentity, type FlowTime } from './turn-flow.ts';
import type { RuntimeListener, RuntimeOptions, RuntimeOutput, SessionEvidence } from './types.ts';

/** Everything a session sends out. */
export class SessionOutputs {
  private readonly identity: FlowIdentity;
  private readonly options: RuntimeOptions;
  private readonly publisher: SessionPublisher;
  private readonly fence: EgressFence;
  private readonly listeners = new Set<RuntimeListener>();
  /** The session's Stage-A recorder. */
  readonly evidence: SessionEvidence;

  /** Creates the outbound side of one session. */
  constructor(identity: FlowIdentity, options: RuntimeOptions, outbox_capacity: number) {
    this.identity = identity;
    this.options = options;
    this.evidence = options.evidence(identity);
    this.publisher = new SessionPublisher({
      ...identity,
      bus: options.bus,
      validator: options.validator,
      capacity: outbox_capacity,
      onDiagnostic: (code, message) => this.deliver({ kind: 'diagnostic', code, message }),
    });
    this.fence = new EgressFence({
      session_id: identity.session_id,
      clock: options.clock,
      stamp: createSignalStamper(identity, options.clock),
      emit: (signal) => this.signal(signal),
      onDiagnostic: (diagnostic) => this.deliver({ kind: 'fence', diagnostic }),
    });
  }

  /** Envelopes published so far, by lane. */
  get published(): Readonly<Record<Lane, number>> {
    return this.publisher.published;
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: RuntimeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Publishes, records and delivers a ControlLane signal; false when it was not publishable. */
  signal(signal: ControlSignal): boolean {
    const published = this.publisher.signal(signal);
    if (published === null) return false;
    this.evidence.recordSignal(published);
    this.deliver({ kind: 'control', record: published });
    return true;
  }

  /** Records a decision outcome, publishes it on the TelemetryLane and delivers it. */
  outcome(outcome: DecisionOutcome): void {
    this.evidence.recordDecision(outcome);
    const epoch = outcome.authority_epoch ?? this.identity.authority_epoch;
    const identity = { ...this.identity, authority_epoch: epoch };
    const record = outputRecord(identity, this.time(), 'TelemetryLane', outcome.turn_id, {});
    this.publisher.record(record, { decision_outcome: outcome as never });
    this.deliver({ kind: 'outcome', outcome });
  }

  /** RK-22: one output item of a turn, published only if the fence accepts it. */
  egress(turn: TurnRecord, report: Extract<ExecutionReport, { kind: 'egress' }>): void {
    const item = report.item;
    const epoch = turn.evaluation?.authority_epoch ?? this.identity.authority_epoch;
    const identity = { ...this.identity, authority_epoch: epoch };
    const record = outputRecord(identity, this.time(), 'DataLane', turn.turn_id, {
      payload_class: item.kind === 'audio' ? 'audio_raw' : 'text_raw',
      media_time: { pts_ms: turn.media_ms },
      node_id: report.node_id,
      provider_invocation_id: report.provider_invocation_id,
    });
    if (this.fence.decide(record).kind !== 'accepted') return;
    turn.first_output_at_ms ??= record.runtime_timestamp_ms;
    if (item.kind === 'audio') turn.media_ms += item.duration_ms;
    turn.tags.add(item.kind === 'audio' ? 'audio_raw' : 'text_raw');
    const payload = egressPayload(item);
    const published = this.publisher.record(record, payload);
    if (published !== null) this.deliver({ kind: 'data', record: published, payload });
  }

  /** Starts accepting output of a turn at `epoch`. */
  open(turn_id: string, epoch: number): void {
    this.fence.openTurn(turn_id, epoch);
  }

  /** Fences a turn now; true the first time (the caller then cancels the turn's nodes). */
  fenceTurn(turn_id: string, cause: FenceCause): boolean {
    if (!this.fence.apply(turn_id, cause)) return false;
    this.fence.markSent(turn_id);
    return true;
  }

  /** Records that the turn's nodes and provider calls acknowledged the cancel (first time). */
  acknowledge(turn_id: string): void {
    this.fence.markAck(turn_id);
  }

  /** Emits the TTS flush marker (`playback_cancelled`) of a fenced turn, once. */
  flush(turn: TurnRecord): void {
    if (turn.flushed || !this.fence.isFenced(turn.turn_id)) return;
    turn.flushed = true;
    this.fence.announceFlush(turn.turn_id);
  }

  /** Refuses further output of a closed turn. */
  close(turn_id: string): void {
    this.fence.closeTurn(turn_id);
  }

  /** The fence's timing and counting evidence of a turn. */
  markers(turn_id: string): CancelMarkers | undefined {
    return this.fence.markers(turn_id);
  }

  /** Hands one output to every listener, in order; a throwing listener is reported to the others. */
  deliver(output: RuntimeOutput): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(output);
      } catch (error) {
        if (output.kind === 'diagnostic' && output.code === 'listener_failed') continue;
        const message = error instanceof Error ? error.message : String(error);
        this.deliver({ kind: 'diagnostic', code: 'listener_failed', message });
      }
    }
  }

  /** Resolves once every published envelope is in the bus's custody. */
  drain(): Promise<void> {
    return this.publisher.drain();
  }

  private time(): FlowTime {
    return { at_ms: this.options.clock.now(), wall_ms: this.options.clock.wallNow() };
  }
}
