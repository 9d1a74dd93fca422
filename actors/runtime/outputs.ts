/**
 * The outbound side of one session: RK-21 publishing (via the publisher), the OR-02 recorder
 * feed, the RK-22 egress fence for DataLane output, and delivery to subscribers, in that order
 * for every output. The fence is applied synchronously: once `fence()` returns, no output of the
 * turn can be published. Delivery signals are per turn (ADR 0027): `output_accepted` once, when
 * a turn's first output passes the fence; `playback_cancelled` is the turn machine's.
 */
import type {
  BusPayload,
  ControlSignal,
  DecisionOutcome,
  EventRecord,
  Lane,
  TelemetryDropReason,
} from '../../contracts/index.ts';
import type { ChunkAck } from '../../contracts/internal.ts';
import { createSignalStamper, type EdgeRecord, type SignalStamper } from '../edges/index.ts';
import { EgressFence, type CancelMarkers, type FenceCause } from '../fence/index.ts';
import type { GraphItem } from '../nodes/types.ts';
import { SessionPublisher } from './publisher.ts';
import type { TurnFacts } from './turn-ledger.ts';
import type {
  AudioPayload,
  RuntimeListener,
  RuntimeOptions,
  RuntimeOutput,
  SessionEvidence,
  SessionIdentity,
} from './types.ts';

/** Runtime and wall-clock time of an output. */
type OutputTime = { readonly at_ms: number; readonly wall_ms: number };

/** A record the runtime publishes itself; RK-21 restamps its id and sequence. */
function ownRecord(
  identity: SessionIdentity,
  time: OutputTime,
  lane: Lane,
  turn_id: string | undefined,
  extra: Partial<EventRecord>,
): EdgeRecord {
  const record: EdgeRecord = {
    schema_version: 'v1.0',
    event_scope: turn_id === undefined ? 'session' : 'turn',
    session_id: identity.session_id,
    ...(turn_id === undefined ? {} : { turn_id }),
    pipeline_version: identity.pipeline_version,
    event_id: 'pending',
    lane,
    transport_sequence: 0,
    runtime_sequence: 0,
    runtime_timestamp_ms: time.at_ms,
    wall_clock_timestamp_ms: time.wall_ms,
    payload_class: 'metadata',
    authority_epoch: identity.authority_epoch,
  };
  return Object.assign(record, extra);
}

/** The JSON payload of an egress item; audio samples travel beside it as bytes. */
function egressPayload(item: GraphItem): BusPayload {
  if (item.kind === 'text') return { text: item.text };
  const audio: AudioPayload = {
    kind: 'audio',
    encoding: 'pcm16le',
    sample_rate_hz: item.sample_rate_hz,
    channels: 1,
    duration_ms: item.duration_ms,
    samples: item.pcm.length,
  };
  return audio;
}

/** The PCM16LE bytes of a frame (typed arrays are little-endian on every platform Node runs). */
function pcmBytes(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}

/** Everything a session sends out. */
export class SessionOutputs {
  private readonly identity: SessionIdentity;
  private readonly options: RuntimeOptions;
  private readonly publisher: SessionPublisher;
  private readonly fence: EgressFence;
  private readonly stamp: SignalStamper;
  private readonly listeners = new Set<RuntimeListener>();
  /** Deliveries in progress (a listener's call back into the runtime nests one). */
  private depth = 0;
  /** The session's Stage-A recorder. */
  readonly evidence: SessionEvidence;

  /** Creates the outbound side of one session. */
  constructor(identity: SessionIdentity, options: RuntimeOptions, outbox_capacity: number) {
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
    this.stamp = createSignalStamper(identity, options.clock);
    this.fence = new EgressFence({
      session_id: identity.session_id,
      clock: options.clock,
      onDiagnostic: (diagnostic) => this.deliver({ kind: 'fence', diagnostic }),
    });
  }

  /** Envelopes published so far, by lane. */
  get published(): Readonly<Record<Lane, number>> {
    return this.publisher.published;
  }

  /** True while the ControlLane backlog is full (input that adds signals must wait). */
  get saturated(): boolean {
    return this.publisher.saturated;
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
    this.options.telemetry?.signal(this.identity.tenant_id, published);
    this.deliver({ kind: 'control', record: published });
    return true;
  }

  private dropped(lane: Lane, reason: TelemetryDropReason): void {
    this.options.telemetry?.dropped(
      this.identity.tenant_id,
      this.identity.session_id,
      lane,
      reason,
    );
  }

  /** Records a decision outcome, publishes it on the TelemetryLane (best effort), delivers it. */
  outcome(outcome: DecisionOutcome): void {
    this.evidence.recordDecision(outcome);
    const epoch = outcome.authority_epoch ?? this.identity.authority_epoch;
    const identity = { ...this.identity, authority_epoch: epoch };
    const record = ownRecord(identity, this.time(), 'TelemetryLane', outcome.turn_id, {});
    if (this.publisher.telemetry(record, { decision_outcome: outcome as never }) === null)
      this.dropped('TelemetryLane', 'lane_backlog');
    this.deliver({ kind: 'outcome', outcome });
  }

  /**
   * RK-22: one output item of a turn, published only if the fence accepts it. Returns a promise
   * while the DataLane backlog is full: the producing provider is then read more slowly.
   */
  egress(
    turn_id: string,
    epoch: number,
    facts: TurnFacts,
    source: { readonly node_id: string; readonly provider_invocation_id: string },
    item: GraphItem,
  ): ChunkAck {
    const identity = { ...this.identity, authority_epoch: epoch };
    const record = ownRecord(identity, this.time(), 'DataLane', turn_id, {
      payload_class: item.kind === 'audio' ? 'audio_raw' : 'text_raw',
      media_time: { pts_ms: facts.media_ms },
      node_id: source.node_id,
      provider_invocation_id: source.provider_invocation_id,
    });
    if (this.fence.decide(record).kind !== 'accepted') {
      this.dropped('DataLane', 'fenced');
      return undefined;
    }
    const first = facts.delivered(item, record.runtime_timestamp_ms);
    const payload = egressPayload(item);
    const published =
      item.kind === 'audio'
        ? this.publisher.data(record, payload, pcmBytes(item.pcm))
        : this.publisher.data(record, payload);
    if (published === null) return undefined;
    this.deliver({
      kind: 'data',
      record: published,
      payload,
      ...(item.kind === 'audio' ? { pcm: item.pcm } : {}),
    });
    if (first) this.announceOutput(turn_id, epoch, source);
    return this.publisher.dataReady();
  }

  /** Starts accepting output of a turn at `epoch`. */
  openTurn(turn_id: string, epoch: number): void {
    this.fence.openTurn(turn_id, epoch);
  }

  /** Fences a turn now (RK-16/RK-22); true the first time. */
  fenceTurn(turn_id: string, cause: FenceCause): boolean {
    return this.fence.apply(turn_id, cause);
  }

  /** The turn's nodes were told to cancel (they stop at once: the ack is the same moment). */
  cancelSent(turn_id: string): void {
    this.fence.markSent(turn_id);
    this.fence.markAck(turn_id);
  }

  /** Refuses further output of a closed turn. */
  closeTurn(turn_id: string): void {
    this.fence.closeTurn(turn_id);
  }

  /** The fence's timing and counting evidence of a turn. */
  markers(turn_id: string): CancelMarkers | undefined {
    return this.fence.markers(turn_id);
  }

  /** True while a listener runs: a call it makes back into the runtime is re-entrant. */
  get delivering(): boolean {
    return this.depth > 0;
  }

  /** Hands one output to every listener, in order; a throwing listener is reported to the others. */
  deliver(output: RuntimeOutput): void {
    this.depth += 1;
    try {
      for (const listener of [...this.listeners]) {
        try {
          listener(output);
        } catch (error) {
          if (output.kind === 'diagnostic' && output.code === 'listener_failed') continue;
          const message = error instanceof Error ? error.message : String(error);
          this.deliver({ kind: 'diagnostic', code: 'listener_failed', message });
        }
      }
    } finally {
      this.depth -= 1;
    }
  }

  /** Resolves once every published envelope is in the bus's custody. */
  drain(): Promise<void> {
    return this.publisher.drain();
  }

  /** RK-22 `output_accepted`: the turn's output started reaching the transport. */
  private announceOutput(
    turn_id: string,
    epoch: number,
    source: { readonly node_id: string; readonly provider_invocation_id: string },
  ): void {
    this.signal(
      this.stamp({
        signal: 'output_accepted',
        emitted_by: 'RK-22',
        event_scope: 'turn',
        turn_id,
        authority_epoch: epoch,
        reason: 'output_accepted',
        node_id: source.node_id,
        provider_invocation_id: source.provider_invocation_id,
      }),
    );
  }

  private time(): OutputTime {
    return { at_ms: this.options.clock.now(), wall_ms: this.options.clock.wallNow() };
  }
}
