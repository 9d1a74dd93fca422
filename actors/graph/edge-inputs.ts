/**
 * RK-12 on the graph: the inbound edges of one node as bounded edge buffers, each built from the
 * frozen plan's BufferSpec (the edge's own `edge_buffer_policies` entry, else `default`) when its
 * first item arrives. The buffers own overflow, watermarks (RK-13), flow signals (RK-14) and
 * `drop_notice`; this side only turns graph items into edge records and takes the oldest item
 * across edges. Every item gets the node's next `runtime_sequence`, so `seq_range` of a notice
 * names the n-th item offered to that node, and taking the lowest sequence first keeps the
 * arrival order across edges (the RK-19 merge rule: `runtime_sequence`, then `event_id`).
 */
import type { ControlSignal } from '../../contracts/index.ts';
import type { ChunkAck, GraphEdge } from '../../contracts/internal.ts';
import type { StampIdentity } from '../../machines/internal.ts';
import {
  EdgeBuffer,
  EdgeConfigError,
  createSignalStamper,
  type BufferPolicy,
  type DequeuedItem,
  type EdgeRecord,
  type FlowControlPolicy,
  type PayloadMerger,
  type RuntimeClock,
  type SignalStamper,
} from '../edges/index.ts';
import type { GraphItem } from '../nodes/types.ts';
import {
  DEFAULT_EDGE_ID,
  SIMPLE_EDGE_POLICY,
  SIMPLE_FLOW_CONTROL,
} from '../turn-start/defaults.ts';

/** The part of a frozen ResolvedTurnPlan that configures the graph's edges. */
export type EdgePlan = {
  readonly edge_buffer_policies: Readonly<Record<string, BufferPolicy | undefined>>;
  readonly flow_control: FlowControlPolicy;
};

/** The edge section every simple-mode plan freezes (used when a caller passes no plan). */
export const SIMPLE_EDGE_PLAN: EdgePlan = {
  edge_buffer_policies: { [DEFAULT_EDGE_ID]: SIMPLE_EDGE_POLICY },
  flow_control: SIMPLE_FLOW_CONTROL,
};

/** What every edge of one turn shares. */
export type EdgeScope = {
  readonly plan: EdgePlan;
  readonly clock: RuntimeClock;
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly turn_id: string;
  readonly authority_epoch: number;
  readonly stamp: SignalStamper;
  readonly emit: (signal: ControlSignal) => void;
};

/** The edge scope of one turn; its stamper is created only when an edge first signals. */
export function createEdgeScope(
  plan: EdgePlan,
  clock: RuntimeClock,
  identity: StampIdentity,
  emit: (signal: ControlSignal) => void,
): EdgeScope {
  const { session_id, pipeline_version } = identity;
  let stamper: SignalStamper | undefined;
  return {
    plan,
    clock,
    session_id,
    pipeline_version,
    // An execution always runs one turn (turn-flow sets the id); signals are turn-scoped.
    turn_id: identity.turn_id ?? '',
    authority_epoch: identity.authority_epoch,
    // The uncontended path never signals, so most turns never build a stamper.
    stamp: (draft) =>
      (stamper ??= createSignalStamper({ session_id, pipeline_version }, clock))(draft),
    emit,
  };
}

/** A mutable `EdgeItem`: `EdgeBuffer.offer` copies its fields before anything else runs. */
type Offer = { record: EdgeRecord; payload: GraphItem; bytes: number };

/** Text joins as is (deltas carry their own spacing); audio frames are concatenated. */
const mergeItems: PayloadMerger<GraphItem> = (parts) => {
  const first = parts[0]?.payload;
  if (first?.kind === 'audio') {
    let samples = 0;
    let duration_ms = 0;
    for (const { payload } of parts) {
      if (payload.kind !== 'audio') continue;
      samples += payload.pcm.length;
      duration_ms += payload.duration_ms;
    }
    const pcm = new Int16Array(samples);
    let at = 0;
    for (const { payload } of parts) {
      if (payload.kind !== 'audio') continue;
      pcm.set(payload.pcm, at);
      at += payload.pcm.length;
    }
    // Records of different kinds never merge (payload_class differs); one producer keeps a rate.
    const payload: GraphItem = {
      kind: 'audio',
      pcm,
      sample_rate_hz: first.sample_rate_hz,
      duration_ms,
    };
    return { payload, bytes: pcm.byteLength };
  }
  let text = '';
  for (const { payload } of parts) if (payload.kind === 'text') text += payload.text;
  return { payload: { kind: 'text', text }, bytes: text.length };
};

/** The bounded inbound edges of one node. */
export class EdgeInputs {
  private readonly scope: EdgeScope;
  private readonly edges: readonly GraphEdge[];
  private readonly buffers: (EdgeBuffer<GraphItem> | undefined)[];
  // A node with several inbound edges holds at most one item per edge here while it picks the
  // oldest; a single-edge node takes straight from its buffer.
  private readonly staged: (DequeuedItem<GraphItem> | undefined)[] = [];
  private offer: Offer | undefined;
  private seq = 0;

  /** Creates the (not yet built) buffers of `edges`, the node's inbound edges. */
  constructor(scope: EdgeScope, edges: readonly GraphEdge[]) {
    this.scope = scope;
    this.edges = edges;
    this.buffers = edges.map(() => undefined);
  }

  /**
   * Offers an item produced upstream to `edge`; the buffer queues, merges, parks or sheds it as
   * its policy says. On a lossless (`block`) edge under pressure (`flow_xoff`) it returns a
   * promise that settles at `flow_xon`: the producer waits before it reads its provider again.
   * Throws `EdgeConfigError` when the edge's policy is unusable.
   */
  push(edge: GraphEdge, item: GraphItem): ChunkAck {
    const index = this.edges.indexOf(edge);
    const buffer = this.buffers[index] ?? this.open(index);
    const seq = this.seq++;
    const record = this.record(edge.edge_id, seq, item);
    const bytes = item.kind === 'audio' ? item.pcm.byteLength : item.text.length;
    const offer = (this.offer ??= { record, payload: item, bytes });
    offer.record = record;
    offer.payload = item;
    offer.bytes = bytes;
    // A parked (`block`) offer settles by itself: admitted on a later take, or shed with a
    // drop_notice when max_block_time_ms runs out; nothing here waits for it.
    buffer.offer(offer);
    return buffer.blocking && !buffer.writable ? buffer.whenWritable() : undefined;
  }

  /** Takes the oldest queued item across the node's edges, if any. */
  take(): GraphItem | undefined {
    const count = this.buffers.length;
    if (count === 1) return this.buffers[0]?.take()?.payload;
    let best: DequeuedItem<GraphItem> | undefined;
    let bestAt = -1;
    for (let i = 0; i < count; i += 1) {
      const head = (this.staged[i] ??= this.buffers[i]?.take());
      if (head === undefined) continue;
      if (best === undefined || head.record.runtime_sequence < best.record.runtime_sequence) {
        best = head;
        bestAt = i;
      }
    }
    if (best === undefined) return undefined;
    this.staged[bestAt] = undefined;
    return best.payload;
  }

  /** Flushes every buffer without notices (turn end or cancel) and stops its timers. */
  close(): void {
    for (const buffer of this.buffers) buffer?.close();
    this.staged.length = 0;
  }

  private open(index: number): EdgeBuffer<GraphItem> {
    const edge = this.edges[index];
    if (edge === undefined) throw new RangeError('edge inputs: edge is not inbound here');
    const { plan } = this.scope;
    const policy =
      plan.edge_buffer_policies[edge.edge_id] ?? plan.edge_buffer_policies[DEFAULT_EDGE_ID];
    if (policy === undefined) {
      throw new EdgeConfigError(
        edge.edge_id,
        'edge_buffer_policies',
        'an entry or `default`',
        edge.edge_id,
      );
    }
    const buffer = new EdgeBuffer<GraphItem>({
      edge_id: edge.edge_id,
      policy,
      flow: plan.flow_control,
      turn_id: this.scope.turn_id,
      authority_epoch: this.scope.authority_epoch,
      clock: this.scope.clock,
      stamp: this.scope.stamp,
      emit: this.scope.emit,
      merger: mergeItems,
    });
    this.buffers[index] = buffer;
    return buffer;
  }

  private record(edge_id: string, seq: number, item: GraphItem): EdgeRecord {
    const { scope } = this;
    const now = scope.clock.now();
    return {
      schema_version: 'v1.0',
      event_scope: 'turn',
      session_id: scope.session_id,
      turn_id: scope.turn_id,
      pipeline_version: scope.pipeline_version,
      // Internal to the edge (merge lineage only); RK-21 never publishes it.
      event_id: `${edge_id}/${seq}`,
      edge_id,
      lane: 'DataLane',
      transport_sequence: seq,
      runtime_sequence: seq,
      runtime_timestamp_ms: now,
      wall_clock_timestamp_ms: scope.clock.wallNow(),
      authority_epoch: scope.authority_epoch,
      payload_class: item.kind === 'audio' ? 'audio_raw' : 'text_raw',
    };
  }
}
