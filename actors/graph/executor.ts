/**
 * RK-07 graph executor: runs the node actors of one turn along the compiled graph. Every graph
 * edge is an RK-12 bounded buffer configured from the plan's BufferSpec; its watermark, flow and
 * drop_notice signals are reported as ControlLane signals. A node reads a bounded, replayable
 * input log that pulls from its inbound edges as the provider consumes (in arrival order across
 * edges; the input ends when every upstream node is done and the edges are drained); items a node
 * produces go to its outbound edges, or to egress when it has none. Shedding never ends the turn
 * unless the plan's DataLane shedding strategy is `degrade`/`fallback`, which needs a branch the
 * runtime does not have (reported as `overflow`). The turn's generation is complete once every
 * node is done; the first node failure stops the rest and is reported. Nodes are dispatched in
 * topological order, so the run is deterministic.
 */
import type { AdaptiveAction, LlmInput, PipelineNode } from '../../contracts/index.ts';
import type { NodeAbortRequested, StampIdentity } from '../../machines/index.ts';
import type { RuntimeClock } from '../edges/index.ts';
import { createNodeActor, type NodeActor } from '../nodes/node.actor.ts';
import {
  portsOf,
  type GraphItem,
  type NodeReport,
  type ProviderCatalogue,
} from '../nodes/types.ts';
import { EdgeInputs, SIMPLE_EDGE_PLAN, createEdgeScope, type EdgePlan } from './edge-inputs.ts';
import type { RuntimeGraph } from './graph.ts';
import { InputLog } from './input-log.ts';

/** What a turn's execution reports to the session. */
export type ExecutionReport =
  | Extract<NodeReport, { kind: 'signal' | 'attempt' }>
  | {
      readonly kind: 'egress';
      readonly node_id: string;
      readonly item: GraphItem;
      readonly provider_invocation_id: string;
    }
  | { readonly kind: 'completed' }
  | { readonly kind: 'failed'; readonly request: NodeAbortRequested }
  /** A shed the plan does not let the turn survive; the session aborts the turn. */
  | { readonly kind: 'overflow'; readonly node_id: string };

/** Options of {@link createGraphExecution}. */
export type GraphExecutionOptions = {
  readonly graph: RuntimeGraph;
  readonly identity: StampIdentity;
  readonly clock: RuntimeClock;
  readonly providers: ProviderCatalogue;
  /** The plan's provider bindings by modality. */
  readonly bindings: Readonly<Record<string, string | undefined>>;
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  /** What the turn starts from: the user's words and/or audio, fed to the source nodes. */
  readonly input: readonly GraphItem[];
  /** Conversation so far, given to LLM nodes before their upstream text. */
  readonly history: readonly LlmInput[];
  /**
   * Items of a node's accepted input kept for provider retries (the plan's edge
   * `max_queue_items`); a retry after more than this was read fails without a new call.
   */
  readonly edge_capacity: number;
  /** The frozen plan's edge buffer policies and flow control (default: simple mode's). */
  readonly edge_plan?: EdgePlan;
  readonly node_budget_ms?: number;
  readonly attempt_timeout_ms?: number;
  readonly report: (report: ExecutionReport) => void;
};

/** One turn's run of the graph. */
export type GraphExecution = {
  start(): void;
  /** Cancels every node now (synchronously); later provider output is ignored. */
  cancel(kind: 'cancel' | 'barge_in'): void;
  /** True until completed, failed or cancelled. */
  readonly running: boolean;
};

/** Converts a node's edge items into its port's input type. */
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

/** Creates (without starting) the execution of one turn. */
export function createGraphExecution(options: GraphExecutionOptions): GraphExecution {
  const { graph, report, clock, identity } = options;
  const plan = options.edge_plan ?? SIMPLE_EDGE_PLAN;
  const shedding = plan.flow_control.shedding_strategy_by_lane.DataLane;
  // RK-13 may only take plan-frozen actions; degrade/fallback need a pre-resolved branch the
  // runtime does not run yet, so a plan naming them makes a DataLane shed terminal.
  const shedIsTerminal = shedding === 'degrade' || shedding === 'fallback';
  const scope = createEdgeScope(plan, clock, identity, (signal) => {
    if (!running) return;
    report({ kind: 'signal', signal });
    if (shedIsTerminal && signal.signal === 'drop_notice' && signal.target_lane === 'DataLane') {
      const node_id = graph.edges.find((e) => e.edge_id === signal.edge_id)?.to ?? '';
      // After the buffer operation, so the rest of its signals (discontinuity) go out first.
      queueMicrotask(() => {
        if (!running) return;
        stopAll('cancel');
        report({ kind: 'overflow', node_id });
      });
    }
  });
  const edges = new Map<string, EdgeInputs>();
  const logs = new Map<string, InputLog<GraphItem>>();
  for (const node of graph.nodes) {
    const inbound = graph.inbound.get(node.node_id) ?? [];
    if (inbound.length === 0) {
      // The turn input is already bounded (the conversation keeps a bounded window) and fully
      // held here, so a source node's input is replayable however long it is.
      const log = new InputLog<GraphItem>(Math.max(options.edge_capacity, options.input.length));
      logs.set(node.node_id, log);
      continue;
    }
    const inputs = new EdgeInputs(scope, inbound);
    edges.set(node.node_id, inputs);
    logs.set(node.node_id, new InputLog<GraphItem>(options.edge_capacity, () => inputs.take()));
  }
  const pendingUpstream = new Map(
    graph.nodes.map((n) => [n.node_id, graph.inbound.get(n.node_id)?.length ?? 0]),
  );
  const done = new Set<string>();
  const actors = new Map<string, NodeActor>();
  const started = new Set<string>();
  let running = false;

  // A node is dispatched when its input starts (first item or end of input), so its budget and
  // its provider's per-attempt timeout cover its own work, not the wait for upstream nodes.
  const dispatch = (node_id: string) => {
    if (!running || started.has(node_id)) return;
    started.add(node_id);
    actors.get(node_id)?.start();
  };

  const closeEdges = () => {
    for (const inputs of edges.values()) inputs.close();
  };

  const stopAll = (kind?: 'cancel' | 'barge_in') => {
    running = false;
    for (const actor of actors.values()) {
      if (kind === undefined) actor.stop();
      else actor.cancel(kind);
    }
    for (const log of logs.values()) log.close();
    closeEdges();
  };

  /** An edge whose policy cannot be built fails its consumer like a node crash (rank 4). */
  const failEdge = (node_id: string, error: unknown) => {
    stopAll('cancel');
    report({
      kind: 'failed',
      request: {
        type: 'node.abort.requested',
        node_id,
        reason: 'node_timeout_or_failure',
        failure: 'node',
        cause: 'node_crash',
        detail: error instanceof Error ? error.name : 'edge_error',
        at_ms: clock.now(),
        wall_ms: clock.wallNow(),
      },
    });
  };

  const onReport = (r: NodeReport) => {
    if (!running) return;
    switch (r.kind) {
      case 'signal':
      case 'attempt':
        report(r);
        return;
      case 'item': {
        const outs = graph.outbound.get(r.node_id) ?? [];
        if (outs.length === 0) {
          report({
            kind: 'egress',
            node_id: r.node_id,
            item: r.item,
            provider_invocation_id: r.provider_invocation_id,
          });
          return;
        }
        for (const edge of outs) {
          try {
            edges.get(edge.to)?.push(edge, r.item);
          } catch (error) {
            failEdge(edge.to, error);
            return;
          }
          // A signal emitted by the offer may have ended the turn.
          if (!running) return;
          logs.get(edge.to)?.notify();
          dispatch(edge.to);
        }
        return;
      }
      case 'done': {
        done.add(r.node_id);
        for (const edge of graph.outbound.get(r.node_id) ?? []) {
          const left = (pendingUpstream.get(edge.to) ?? 1) - 1;
          pendingUpstream.set(edge.to, left);
          if (left === 0) {
            logs.get(edge.to)?.close();
            dispatch(edge.to);
          }
        }
        if (done.size === graph.nodes.length) {
          running = false;
          // Items no node read (a provider that ended early) leave without notices, as on cancel.
          closeEdges();
          report({ kind: 'completed' });
        }
        return;
      }
      case 'failed':
        stopAll('cancel');
        report({ kind: 'failed', request: r.request });
        return;
    }
  };

  return {
    get running() {
      return running;
    },
    start() {
      running = true;
      for (const node of graph.nodes) {
        if ((graph.inbound.get(node.node_id)?.length ?? 0) > 0) continue;
        const log = logs.get(node.node_id);
        for (const item of options.input) log?.append(item);
        log?.close();
      }
      for (const id of graph.order) {
        const node = graph.nodes.find((n) => n.node_id === id);
        const log = logs.get(id);
        if (node === undefined || log === undefined) continue;
        const modality = node.provider_modality ?? (node.node_type as 'stt' | 'llm' | 'tts');
        const ports = portsOf(options.providers, modality);
        const bound = node.provider_id ?? options.bindings[modality];
        const preferred = ports.find((p) => p.capabilities.provider_id === bound) ?? ports[0];
        const actor = createNodeActor({
          identity: options.identity,
          node,
          clock: options.clock,
          ports,
          preferred_provider_id: preferred?.capabilities.provider_id ?? bound ?? `${modality}-none`,
          allowed_adaptive_actions: options.allowed_adaptive_actions,
          input: portInput(node, log, options.history),
          replayable: () => log.replayable,
          report: onReport,
          ...(node.budget_ms !== undefined || options.node_budget_ms !== undefined
            ? { budget: budgetOf(node.budget_ms ?? options.node_budget_ms ?? 1500) }
            : {}),
          ...(options.attempt_timeout_ms === undefined
            ? {}
            : { attempt_timeout_ms: options.attempt_timeout_ms }),
        });
        actors.set(id, actor);
      }
      for (const id of graph.order) {
        if ((graph.inbound.get(id)?.length ?? 0) === 0) dispatch(id);
      }
    },
    cancel(kind) {
      if (!running) return;
      stopAll(kind);
    },
  };
}

/** A node budget: exhaustion at `ms`, the warning at 80% of it. */
function budgetOf(ms: number) {
  return { warn_ms: Math.floor(ms * 0.8), exhaust_ms: ms };
}
