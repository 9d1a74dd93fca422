/**
 * The `generation` actor the runtime provides to a turn while it is `Active` (RK-07):
 * it runs the turn's graph. It builds the turn's dataflow and, as each node's input starts,
 * creates that node's actor as its child (the node machine, whose child is its invocation, whose
 * child is the provider attempt), so the live system is one tree: session -> turn ->
 * generation -> node -> invocation -> attempt. Nodes report their end with their done events
 * (`xstate.done.actor.<node_id>`, output: status and failure kind); it answers its turn with
 * `turn.generation.completed` once every node is done, or `turn.failure` on the first node that
 * has no legal path left. Told `generation.cancel` when the turn leaves `running`, it runs the
 * nodes' cancel hooks (`on_cancel` / `on_barge_in`) in a microtask, after the event that ended
 * the turn; the turn stops it at its terminal, which stops every node left and aborts every
 * provider call.
 */
import {
  createActor,
  type Actor,
  type ActorLogic,
  type ActorScope,
  type AnyActorRef,
  type AnyEventObject,
  type DoneActorEvent,
  type EventObject,
  type Snapshot,
} from 'xstate';
import type { PipelineNode } from '../../contracts/internal.ts';
import type { TelemetryNode, TelemetryNodeStatus } from '../../contracts/index.ts';
import type { NodeEmitted, NodeOutput } from '../../machines/index.ts';
import type {
  GenerationCancel,
  GenerationRequest,
  StampIdentity,
} from '../../machines/internal.ts';
import { Dataflow } from '../graph/dataflow.ts';
import type { EdgePlan } from '../graph/edge-inputs.ts';
import { nodeInput, runtimeNodeMachine, type InvocationPlan } from '../nodes/node.actor.ts';
import { portsOf } from '../nodes/types.ts';
import { servicesOf, type SessionServices } from './services.ts';

/** What a generation receives: its nodes' ends (done events), and its turn's cancel. */
type GenerationEvent = DoneActorEvent<NodeOutput> | GenerationCancel;

/** The prefix of a child's done event type (`xstate.done.actor.<id>`). */
const DONE = 'xstate.done.actor.';

type NodeActor = Actor<typeof runtimeNodeMachine>;

/** The snapshot of a generation: its input and the run it owns (never persisted). */
type GenerationSnapshot = Snapshot<undefined> & {
  readonly input: GenerationRequest;
  run: GenerationRun | undefined;
};

/** xstate's stop event, delivered to an actor's own logic when its parent stops it. */
const STOP = 'xstate.stop';

/**
 * The runtime's `generation` actor logic. Custom logic rather than `fromCallback`: a parent of
 * actors it creates must be able to stop them (`actorScope.stopChild`), which only the logic's
 * scope can do.
 */
export const generationLogic: ActorLogic<GenerationSnapshot, EventObject, GenerationRequest> = {
  getInitialSnapshot: (_scope, input) => ({
    status: 'active',
    output: undefined,
    error: undefined,
    input,
    run: undefined,
  }),
  start: (snapshot, scope) => {
    snapshot.run = new GenerationRun(servicesOf(snapshot.input.services), snapshot.input, scope);
    snapshot.run.start();
  },
  transition: (snapshot, event) => {
    if (event.type === STOP) {
      snapshot.run?.stop();
      const stopped: GenerationSnapshot = {
        status: 'stopped',
        output: undefined,
        error: undefined,
        input: snapshot.input,
        run: undefined,
      };
      return stopped;
    }
    snapshot.run?.receive(event as GenerationEvent);
    return snapshot;
  },
  getPersistedSnapshot: (snapshot) => ({ ...snapshot, run: undefined }),
};

/** One turn's run of its graph. */
class GenerationRun {
  private readonly s: SessionServices;
  private readonly request: GenerationRequest;
  private readonly scope: ActorScope<GenerationSnapshot, EventObject>;
  private readonly self: AnyActorRef;
  private readonly identity: StampIdentity;
  private readonly dataflow: Dataflow;
  private readonly nodes = new Map<string, NodeActor>();
  private readonly done = new Set<string>();
  /** Nodes whose telemetry span is open (filled only when a telemetry port is set). */
  private readonly telemetryNodes = new Set<string>();
  private running = true;
  private stopped = false;

  constructor(
    s: SessionServices,
    request: GenerationRequest,
    scope: ActorScope<GenerationSnapshot, EventObject>,
  ) {
    this.s = s;
    this.request = request;
    this.scope = scope;
    this.self = scope.self;
    const { session_id, pipeline_version, authority_epoch, turn_id } = request;
    this.identity = { session_id, pipeline_version, authority_epoch, turn_id };
    const plan: EdgePlan | undefined = request.plan ?? undefined;
    const facts = s.ledger.of(turn_id);
    const edge = plan?.edge_buffer_policies['default'];
    this.dataflow = new Dataflow({
      graph: s.graph,
      identity: this.identity,
      clock: s.options.clock,
      providers: s.options.providers,
      ...(plan === undefined ? {} : { plan }),
      input: s.conversation.inputOf(turn_id),
      history: s.conversation.messages(s.system_prompt),
      edge_capacity: s.limits.edge_capacity ?? edge?.max_queue_items ?? 64,
      sinks: {
        egress: (node_id, item, provider_invocation_id) =>
          s.outputs.egress(
            turn_id,
            authority_epoch,
            facts,
            { node_id, provider_invocation_id },
            item,
          ),
        signal: (signal) => s.outputs.signal(signal),
        heard: (_node_id, text) => facts.reply.heard(text),
        dispatch: (node_id) => this.startNode(node_id),
        overflow: () => this.fail(),
        edgeFailed: () => this.fail(),
      },
    });
  }

  start(): void {
    this.s.outputs.openTurn(this.request.turn_id, this.request.authority_epoch);
    this.dataflow.start();
  }

  receive(event: GenerationEvent): void {
    if (!this.running) return;
    if (event.type === 'generation.cancel') {
      this.cancel(event.kind);
      return;
    }
    if (!event.type.startsWith(DONE)) return;
    const { node_id, status, failure } = event.output;
    this.nodeEnded(node_id, status === 'done' ? 'done' : 'failed');
    if (status === 'done') {
      this.nodeFinished(node_id);
    } else if (status === 'failed') {
      this.stopNodes();
      this.end({ type: 'turn.failure', failure: failure ?? 'node', ...this.s.now() });
    }
  }

  private nodeFinished(node_id: string): void {
    this.done.add(node_id);
    this.dataflow.nodeDone(node_id);
    if (this.done.size === this.s.graph.order.length) this.finish();
  }

  /** Stopped by the turn at its terminal: every node and provider call ends now. */
  stop(): void {
    this.running = false;
    this.stopped = true;
    this.dataflow.close();
    this.stopNodes();
    for (const node_id of [...this.telemetryNodes]) this.nodeEnded(node_id, 'stopped');
  }

  private startNode(node_id: string): void {
    const node = this.s.graph.nodes.find((n) => n.node_id === node_id);
    if (node === undefined || !this.running) return;
    const plan = this.request.plan;
    const budget_ms = node.budget_ms ?? this.s.limits.node_budget_ms;
    const fallback = this.s.graph.fallbacks.get(node_id);
    const actor = createActor(runtimeNodeMachine, {
      parent: this.self,
      id: node_id,
      input: nodeInput({
        identity: this.identity,
        allowed_adaptive_actions: plan?.allowed_adaptive_actions ?? [],
        primary: this.invocationPlan(node_id, node),
        fallback: fallback === undefined ? undefined : this.invocationPlan(node_id, fallback),
        ...(budget_ms === undefined ? {} : { budget: budgetOf(budget_ms) }),
        attempt_timeout_ms: this.s.limits.attempt_timeout_ms,
        started: this.s.now(),
      }),
    });
    actor.on('*', (event) => this.onNodeOutput(node_id, event));
    // An actor error is a node crash (never an uncaught exception): the turn aborts, rank 4.
    actor.subscribe({ error: () => this.fail() });
    this.nodes.set(node_id, actor);
    this.nodeStarted(node);
    actor.start();
  }

  /** OR-01: a node span opens (only with a telemetry port: nothing is built otherwise). */
  private nodeStarted(node: PipelineNode): void {
    const telemetry = this.s.options.telemetry;
    if (telemetry === undefined) return;
    this.telemetryNodes.add(node.node_id);
    telemetry.nodeStarted(this.telemetryNode(node.node_id, node.node_type));
  }

  private nodeEnded(node_id: string, status: TelemetryNodeStatus): void {
    const telemetry = this.s.options.telemetry;
    if (telemetry === undefined || !this.telemetryNodes.delete(node_id)) return;
    const node_type = this.s.graph.nodes.find((n) => n.node_id === node_id)?.node_type ?? 'unknown';
    telemetry.nodeEnded({ ...this.telemetryNode(node_id, node_type), status });
  }

  private telemetryNode(node_id: string, node_type: string): TelemetryNode {
    const { tenant_id } = this.s.identity;
    const { session_id, turn_id, authority_epoch } = this.request;
    const wall_ms = this.s.now().wall_ms;
    return { tenant_id, session_id, turn_id, authority_epoch, node_id, node_type, wall_ms };
  }

  /** How one node (or its fallback) invokes its providers; its I/O is the primary's place. */
  private invocationPlan(node_id: string, node: PipelineNode): InvocationPlan {
    const modality = node.provider_modality ?? (node.node_type as 'stt' | 'llm' | 'tts');
    const ports = portsOf(this.s.options.providers, modality);
    const bound = node.provider_id ?? this.request.plan?.provider_bindings[modality];
    const preferred = ports.find((p) => p.capabilities.provider_id === bound) ?? ports[0];
    return {
      node,
      ports,
      preferred_provider_id: preferred?.capabilities.provider_id ?? bound ?? `${modality}-none`,
      io: this.dataflow.io(node_id, node),
    };
  }

  private onNodeOutput(node_id: string, event: NodeEmitted): void {
    if (!this.running) return;
    if (event.type === 'control.signal') this.s.outputs.signal(event.signal);
    else if (event.type === 'invocation.attempt') {
      this.s.ledger.of(this.request.turn_id).attempt(event.record);
      this.s.outputs.evidence.recordAttempt(event.record);
      this.s.options.telemetry?.attempt(this.s.identity.tenant_id, node_id, event.record);
    }
  }

  /**
   * The turn ended early. The fence already holds every chunk back, so the teardown (the nodes'
   * cancel hooks, their invocations and provider calls) runs after the event that ended the
   * turn: a microtask queued before the turn's evidence append, so it is done before the
   * terminal. The generation stays alive until then (the turn stops it at its terminal).
   */
  private cancel(kind: 'cancel' | 'barge_in'): void {
    this.running = false;
    queueMicrotask(() => {
      if (this.stopped) return;
      this.dataflow.close();
      const time = this.s.now();
      for (const node of this.nodes.values()) {
        if (node.getSnapshot().status !== 'active') continue;
        node.send({ type: kind === 'barge_in' ? 'node.barge_in' : 'node.cancel', ...time });
      }
      // Node actors and provider calls stop synchronously (AbortSignal): the ack is immediate.
      this.s.outputs.cancelSent(this.request.turn_id);
    });
  }

  /** A node crash, an unusable edge or a shed the plan forbids: rank 4, the turn aborts. */
  private fail(): void {
    if (!this.running) return;
    this.stopNodes();
    this.end({ type: 'turn.failure', failure: 'node', ...this.s.now() });
  }

  private finish(): void {
    this.end({ type: 'turn.generation.completed', ...this.s.now() });
  }

  private end(event: AnyEventObject): void {
    this.running = false;
    this.dataflow.close();
    this.self._parent?.send(event);
  }

  private stopNodes(): void {
    for (const node of this.nodes.values()) {
      if (node.getSnapshot().status === 'active') this.scope.stopChild(node);
    }
    this.nodes.clear();
  }
}

/** A node budget: exhaustion at `ms`, the warning at 80% of it. */
function budgetOf(ms: number) {
  return { warn_ms: Math.floor(ms * 0.8), exhaust_ms: ms };
}
