/**
 * RK-08 node actor: runs one pipeline node of a turn as the node machine (budgets, decisions,
 * hooks) plus one RK-11 invocation machine whose `attempt` actor calls the provider port. Items
 * the provider produces go to the graph as they arrive; the node completes when the invocation
 * succeeds, and asks the turn for an abort (`node.abort.requested`) when no legal path is left.
 */
import { createActor, type Actor } from 'xstate';
import type { AdaptiveAction, AnyProviderPort, PipelineNode } from '../../contracts/index.ts';
import {
  invocationMachine,
  nodeMachine,
  type NodeBudget,
  type StampIdentity,
} from '../../machines/index.ts';
import type { RuntimeClock } from '../edges/index.ts';
import { createSharedAttemptLogic, type AttemptContext } from './attempt.ts';
import type { GraphItem, NodeReport } from './types.ts';

/** What a node actor is given. */
export type NodeActorOptions = {
  readonly identity: StampIdentity;
  readonly node: PipelineNode;
  readonly clock: RuntimeClock;
  /** Ports of the node's modality; `preferred` must be one of them. */
  readonly ports: readonly AnyProviderPort[];
  readonly preferred_provider_id: string;
  /** The plan's frozen adaptive actions (RK-11 uses retry/provider_switch/fallback). */
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  readonly budget?: Partial<NodeBudget>;
  readonly attempt_timeout_ms?: number;
  /** The node's input in the port's input type, replayable from the start. */
  readonly input: (signal: AbortSignal) => AsyncIterable<unknown>;
  /** Whether a new attempt could still read the whole input (default: always). */
  readonly replayable?: () => boolean;
  /** Receives every report, synchronously and in order. */
  readonly report: (report: NodeReport) => void;
};

/** A running node: started once, cancelled at most once. */
export type NodeActor = {
  readonly node_id: string;
  start(): void;
  /** RK-16: cancels the invocation (aborting the provider call) and runs `on_cancel`/`on_barge_in`. */
  cancel(kind: 'cancel' | 'barge_in'): void;
  /** Stops both machines without further reports. */
  stop(): void;
};

const time = (clock: RuntimeClock) => ({ at_ms: clock.now(), wall_ms: clock.wallNow() });

/** Each node's attempt deps by the actor system of its invocation actor (a root actor). */
const attempts = new WeakMap<object, AttemptContext>();
/**
 * The invocation machine with the real `attempt` actor, provided once: `provide` rebuilds the
 * whole machine, which per node cost a large share of a turn's start.
 */
const providedInvocation = invocationMachine.provide({
  actors: { attempt: createSharedAttemptLogic((system) => attempts.get(system as object)) },
});

/** Creates the actor of one node. */
export function createNodeActor(options: NodeActorOptions): NodeActor {
  const { clock, node, report } = options;
  let live = true;
  const forwarded = { count: 0 };
  let produced = false;
  const emitItem = (item: GraphItem, _index: number, provider_invocation_id: string) => {
    if (!live) return;
    // The machine only keeps the first output's time: later chunks would be events that change
    // nothing but cost a macrostep each.
    if (!produced) nodeActor.send({ type: 'node.chunk.produced', ...time(clock) });
    produced = true;
    report({ kind: 'item', node_id: node.node_id, item, provider_invocation_id });
  };
  const attemptContext: AttemptContext = {
    deps: {
      clock,
      port: (id) => options.ports.find((p) => p.capabilities.provider_id === id),
      input: options.input,
      replayable: options.replayable,
      onItem: emitItem,
    },
    forwarded,
  };
  const started = time(clock);
  // Degrade and fallback need pre-resolved branches (RK-07) the runtime does not run yet:
  // without one, a failure has no legal path and the turn aborts (lifecycle.md ranks 3/4).
  const nodeActor: Actor<typeof nodeMachine> = createActor(nodeMachine, {
    clock,
    input: {
      identity: options.identity,
      node_id: node.node_id,
      allowed_adaptive_actions: [],
      started_at_ms: started.at_ms,
      started_wall_ms: started.wall_ms,
      ...(options.budget === undefined ? {} : { budget: options.budget }),
    },
  });
  const modality = node.provider_modality ?? (node.node_type as 'stt' | 'llm' | 'tts');
  const invocation = createActor(providedInvocation, {
    clock,
    input: {
      identity: options.identity,
      event_id: node.node_id,
      modality,
      preferred_provider_id: options.preferred_provider_id,
      provider_ids: options.ports.map((p) => p.capabilities.provider_id),
      allowed_adaptive_actions: options.allowed_adaptive_actions,
      ...(options.attempt_timeout_ms === undefined
        ? {}
        : { attempt_timeout_ms: options.attempt_timeout_ms }),
    },
  });
  attempts.set(invocation.system, attemptContext);
  nodeActor.on('*', (event) => {
    if (!live) return;
    if (event.type === 'control.signal') report({ kind: 'signal', signal: event.signal });
    if (event.type === 'node.abort.requested') {
      report({ kind: 'failed', node_id: node.node_id, request: event });
    }
  });
  invocation.on('*', (event) => {
    if (!live) return;
    if (event.type === 'control.signal') report({ kind: 'signal', signal: event.signal });
    if (event.type === 'invocation.attempt') report({ kind: 'attempt', record: event.record });
    if (event.type === 'invocation.outcome') {
      if (event.result.outcome_class === 'success') {
        nodeActor.send({ type: 'node.completed', ...time(clock) });
        if (live) report({ kind: 'done', node_id: node.node_id });
      } else if (event.result.outcome_class !== 'cancelled') {
        nodeActor.send(event);
      }
    }
  });
  // An actor error is a node crash (never an uncaught exception): the turn aborts, rank 4.
  const crash = () => {
    if (!live) return;
    live = false;
    report({
      kind: 'failed',
      node_id: node.node_id,
      request: {
        type: 'node.abort.requested',
        node_id: node.node_id,
        reason: 'node_timeout_or_failure',
        failure: 'node',
        cause: 'node_crash',
        detail: 'actor_error',
        ...time(clock),
      },
    });
  };
  nodeActor.subscribe({ error: crash });
  invocation.subscribe({ error: crash });
  return {
    node_id: node.node_id,
    start() {
      nodeActor.start();
      invocation.start();
      invocation.send({ type: 'invocation.start', ...time(clock) });
    },
    cancel(kind) {
      if (!live) return;
      // A finished machine is left alone: xstate warns (printing the event) on sends to it.
      if (invocation.getSnapshot().status === 'active') {
        invocation.send({ type: 'invocation.cancel', ...time(clock) });
      }
      if (nodeActor.getSnapshot().status === 'active') {
        nodeActor.send({
          type: kind === 'barge_in' ? 'node.barge_in' : 'node.cancel',
          ...time(clock),
        });
      }
      live = false;
      invocation.stop();
      nodeActor.stop();
    },
    stop() {
      live = false;
      invocation.stop();
      nodeActor.stop();
    },
  };
}
