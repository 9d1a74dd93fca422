/**
 * RK-07/RK-12 dataflow of one turn's graph: what flows between the node actors. Every graph edge
 * is an RK-12 bounded buffer configured from the plan's BufferSpec (watermark, flow and
 * drop_notice signals go out as ControlLane signals). A node reads a bounded, replayable input
 * log that pulls from its inbound edges as its provider consumes (in arrival order across edges;
 * the input ends when every upstream node is done and the edges are drained); what a node
 * produces goes to its outbound edges, or to the egress when it has none. A lossless edge (or a
 * full egress) makes the producer wait: its provider stream is read more slowly. A node is
 * dispatched (its actor created and started) when its input starts, so its budget covers its own
 * work. The dataflow decides nothing about the turn: node lifecycles are the node machines'.
 */
import type { ControlSignal, LlmInput } from '../../contracts/index.ts';
import type { ChunkAck, PipelineNode } from '../../contracts/internal.ts';
import type { StampIdentity } from '../../machines/internal.ts';
import type { RuntimeClock } from '../edges/index.ts';
import { NodeIo } from '../nodes/node-io.ts';
import { portsOf, type GraphItem, type ProviderCatalogue } from '../nodes/types.ts';
import { EdgeInputs, SIMPLE_EDGE_PLAN, createEdgeScope, type EdgePlan } from './edge-inputs.ts';
import type { RuntimeGraph } from './graph.ts';
import { InputLog } from './input-log.ts';

/** Where the dataflow sends what leaves the graph and what it has to say. */
export type DataflowSinks = {
  /** An item of a sink node for the transport; a promise asks the producer to wait. */
  readonly egress: (node_id: string, item: GraphItem, provider_invocation_id: string) => ChunkAck;
  /** A ControlLane signal of an edge (watermark, flow, drop_notice, discontinuity). */
  readonly signal: (signal: ControlSignal) => void;
  /** A text item a sink node read (what a TTS speaks, for the reply record). */
  readonly heard: (node_id: string, text: string) => void;
  /** A node's input started: create and start its actor. */
  readonly dispatch: (node_id: string) => void;
  /** A DataLane shed the plan does not let the turn survive (`degrade`/`fallback` shedding). */
  readonly overflow: (node_id: string) => void;
  /** An edge whose policy cannot be built: its consumer fails like a node crash. */
  readonly edgeFailed: (node_id: string, error: unknown) => void;
};

/** What one turn's dataflow is built from. */
export type DataflowOptions = {
  readonly graph: RuntimeGraph;
  readonly identity: StampIdentity;
  readonly clock: RuntimeClock;
  readonly providers: ProviderCatalogue;
  /** The frozen plan's edge buffer policies and flow control (default: simple mode's). */
  readonly plan?: EdgePlan;
  /** What the turn starts from: the user's words and/or audio, fed to the source nodes. */
  readonly input: readonly GraphItem[];
  /** Conversation so far, given to LLM nodes before their upstream text. */
  readonly history: readonly LlmInput[];
  /** Items of a node's accepted input kept for provider retries (a plan edge's bound). */
  readonly edge_capacity: number;
  readonly sinks: DataflowSinks;
};

/** Converts a node's input log items into its port's input type. */
function portInput(node: PipelineNode, log: InputLog<GraphItem>, history: readonly LlmInput[]) {
  return (signal: AbortSignal): AsyncIterable<unknown> => ({
    async *[Symbol.asyncIterator]() {
      if (node.node_type === 'llm') yield* history;
      for await (const item of log.reader(signal)) {
        if (node.node_type === 'stt') {
          yield item.kind === 'text'
            ? { type: 'text', text: item.text }
            : { type: 'audio', pcm: item.pcm, sample_rate_hz: item.sample_rate_hz };
        } else if (item.kind === 'text') {
          yield node.node_type === 'llm'
            ? { type: 'message', role: 'user', text: item.text }
            : { type: 'text', text: item.text };
        }
      }
    },
  });
}

/** The dataflow of one turn. */
export class Dataflow {
  private readonly options: DataflowOptions;
  private readonly edges = new Map<string, EdgeInputs>();
  private readonly logs = new Map<string, InputLog<GraphItem>>();
  private readonly pendingUpstream = new Map<string, number>();
  private readonly dispatched = new Set<string>();
  private open = true;

  /** Builds the edges and input logs; nothing runs until {@link start}. */
  constructor(options: DataflowOptions) {
    this.options = options;
    const { graph, clock, identity, sinks } = options;
    const plan = options.plan ?? SIMPLE_EDGE_PLAN;
    const shedding = plan.flow_control.shedding_strategy_by_lane.DataLane;
    // RK-13 may only take plan-frozen actions: a plan that sheds DataLane by `degrade` or
    // `fallback` makes a DataLane drop end the generation (there is no branch for a shed).
    const shedIsTerminal = shedding === 'degrade' || shedding === 'fallback';
    const scope = createEdgeScope(plan, clock, identity, (signal) => {
      if (!this.open) return;
      sinks.signal(signal);
      if (shedIsTerminal && signal.signal === 'drop_notice' && signal.target_lane === 'DataLane') {
        const node_id = graph.edges.find((e) => e.edge_id === signal.edge_id)?.to ?? '';
        // After the buffer operation, so the rest of its signals (discontinuity) go out first.
        queueMicrotask(() => {
          if (this.open) sinks.overflow(node_id);
        });
      }
    });
    for (const id of graph.order) {
      const inbound = graph.inbound.get(id) ?? [];
      this.pendingUpstream.set(id, inbound.length);
      if (inbound.length === 0) {
        // The turn input is bounded (the conversation keeps a bounded window) and fully held
        // here, so a source node's input is replayable however long it is.
        const size = Math.max(options.edge_capacity, options.input.length);
        this.logs.set(id, this.log(id, new InputLog<GraphItem>(size)));
        continue;
      }
      const inputs = new EdgeInputs(scope, inbound);
      this.edges.set(id, inputs);
      const log = new InputLog<GraphItem>(options.edge_capacity, () => inputs.take());
      this.logs.set(id, this.log(id, log));
    }
  }

  /** Fills the source nodes' inputs and dispatches them. */
  start(): void {
    for (const id of this.options.graph.order) {
      if ((this.options.graph.inbound.get(id)?.length ?? 0) > 0) continue;
      const log = this.logs.get(id);
      for (const item of this.options.input) log?.append(item);
      log?.close();
      this.dispatch(id);
    }
  }

  /** The I/O of a node (or of its fallback, which reads the same input and writes the same way). */
  io(node_id: string, node: PipelineNode): NodeIo {
    const log = this.logs.get(node_id) ?? new InputLog<GraphItem>(1);
    const modality = node.provider_modality ?? (node.node_type as 'stt' | 'llm' | 'tts');
    const ports = portsOf(this.options.providers, modality);
    return new NodeIo({
      clock: this.options.clock,
      port: (id) => ports.find((p) => p.capabilities.provider_id === id),
      input: portInput(node, log, this.options.history),
      replayable: () => log.replayable,
      emit: (item, pvi) => this.emit(node_id, item, pvi),
    });
  }

  /** A node finished its output: downstream inputs end once all their upstream nodes did. */
  nodeDone(node_id: string): void {
    for (const edge of this.options.graph.outbound.get(node_id) ?? []) {
      const left = (this.pendingUpstream.get(edge.to) ?? 1) - 1;
      this.pendingUpstream.set(edge.to, left);
      if (left === 0) {
        this.logs.get(edge.to)?.close();
        this.dispatch(edge.to);
      }
    }
  }

  /** Stops every flow: edges flush without notices, readers end, waiting producers go. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    for (const log of this.logs.values()) log.close();
    for (const inputs of this.edges.values()) inputs.close();
  }

  private log(node_id: string, log: InputLog<GraphItem>): InputLog<GraphItem> {
    const { graph, sinks } = this.options;
    const node = graph.nodes.find((n) => n.node_id === node_id);
    // What a TTS sink reads is what the reply says, in the order its frames name it.
    const speaks = node?.node_type === 'tts' && (graph.outbound.get(node_id)?.length ?? 0) === 0;
    if (speaks) log.onAppend((item) => item.kind === 'text' && sinks.heard(node_id, item.text));
    return log;
  }

  private dispatch(node_id: string): void {
    if (!this.open || this.dispatched.has(node_id)) return;
    this.dispatched.add(node_id);
    this.options.sinks.dispatch(node_id);
  }

  private emit(node_id: string, item: GraphItem, pvi: string): ChunkAck {
    if (!this.open) return undefined;
    const { graph, sinks } = this.options;
    const outs = graph.outbound.get(node_id) ?? [];
    if (outs.length === 0) return sinks.egress(node_id, item, pvi);
    const waits: PromiseLike<void>[] = [];
    for (const edge of outs) {
      try {
        const wait = this.edges.get(edge.to)?.push(edge, item);
        if (wait !== undefined) waits.push(wait);
      } catch (error) {
        sinks.edgeFailed(edge.to, error);
        return undefined;
      }
      // A signal emitted by the offer may have ended the turn.
      if (!this.open) return undefined;
      this.logs.get(edge.to)?.notify();
      this.dispatch(edge.to);
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(() => undefined);
  }
}
