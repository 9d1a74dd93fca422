/**
 * Concrete events, inputs and a state serializer that let xstate/graph traversal
 * (`getShortestPaths`, `getSimplePaths`, `new TestModel(...)`) take every declared transition and
 * guard branch of `nodeMachine`.
 *
 * How xstate 5.33 graph traversal treats delays: an `events` array REPLACES the default event
 * list, so `xstate.after.<delay>.<stateId>` transitions are only traversed when listed here;
 * they are sent like any other event (no clock is involved in traversal). `createTestModel`
 * rejects machines with `after` or `invoke` ("After events on test machines are not supported"),
 * so use `new TestModel(nodeMachine, { events, serializeState, filterEvents })` or the path
 * functions directly.
 *
 * Both budget timers are armed when the node starts, so while the warning is pending traversal
 * may send the exhaustion first, which cannot happen in real time: pass
 * `filterEvents: nodePathFilterEvents` to drop it (a live replay that advances the clock until
 * the exhaustion fires reaches the same state anyway, after the warning). A live replay (the
 * suites `rspp paths` generates) advances the `SimulatedClock` for `xstate.after.*` steps.
 *
 * Guard branches that depend on input: the budget config error is only taken with
 * `nodePathInputs[1]`, a primary's terminate (no degrade, no fallback branch) with
 * `nodePathInputs[2]`; everything else with `nodePathInput`.
 */
import type { NodeContext, NodeEvent, NodeInput } from './node/types.ts';
import type { DoneActorEvent } from 'xstate';
import type { InvocationInput, InvocationOutput, InvocationResult } from './invocation/types.ts';

/** The delayed-transition event types of `nodeMachine`. */
export const NODE_AFTER_EVENTS = {
  warn: 'xstate.after.warnDelay.node.active.primary.running.warning.within_budget',
  exhaust: 'xstate.after.exhaustDelay.node.active.primary.running.exhaustion.counting',
  fallbackWarn: 'xstate.after.warnDelay.node.active.fallback.running.warning.within_budget',
  fallbackExhaust: 'xstate.after.exhaustDelay.node.active.fallback.running.exhaustion.counting',
} as const;

/** A delayed-transition event of `nodeMachine`. */
export type NodeAfterEvent = {
  readonly type: (typeof NODE_AFTER_EVENTS)[keyof typeof NODE_AFTER_EVENTS];
};

/** The running invocation's done event: how it ended, handled as `invocation.outcome`. */
export type NodeInvocationDone = DoneActorEvent<InvocationOutput, 'invocation'>;

/** An event of the node path model: an accepted event, its invocation's end or a delayed event. */
export type NodePathEvent = NodeEvent | NodeInvocationDone | NodeAfterEvent;

const identity = {
  session_id: 'sess-path',
  turn_id: 'turn-path',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 1,
} as const;

/** The invocation of a path node: its own provider and a fallback branch's. */
function invocationOf(event_id: string, provider: string): InvocationInput {
  return {
    identity,
    event_id,
    modality: 'llm',
    preferred_provider_id: provider,
    provider_ids: [provider],
    allowed_adaptive_actions: ['retry'],
  };
}

/** Primary path input: default budget, both `degrade` and `fallback` allowed, with a branch. */
export const nodePathInput: NodeInput = {
  identity,
  node_id: 'node-path',
  allowed_adaptive_actions: ['degrade', 'fallback'],
  started_at_ms: 0,
  invocation: invocationOf('node-path', 'llm-a'),
  fallback: invocationOf('node-path-fallback', 'llm-b'),
};

/** All path inputs; their union covers every transition (see the file comment). */
export const nodePathInputs: readonly NodeInput[] = [
  nodePathInput,
  { ...nodePathInput, budget: { warn_ms: 2000, exhaust_ms: 1500 } },
  {
    identity,
    node_id: 'node-path',
    allowed_adaptive_actions: [],
    started_at_ms: 0,
    invocation: invocationOf('node-path', 'llm-a'),
  },
];

const providerResult = (
  status: InvocationResult['status'],
  outcome_class: InvocationResult['outcome_class'],
  reason: string | null,
): InvocationResult => ({
  status,
  provider_invocation_id: 'pvi/sess-path/turn-path/evt-path/llm',
  provider_id: 'llm-a',
  outcome_class,
  reason,
  attempt_count: 1,
  outcome: {
    provider_invocation_id: 'pvi/sess-path/turn-path/evt-path/llm',
    modality: 'llm',
    provider_id: 'llm-a',
    outcome_class,
    retryable: false,
    retry_decision: 'none',
    attempt_count: 1,
    final_attempt_latency_ms: 100,
    total_invocation_latency_ms: 100,
  },
  delivered: false,
});

/** Concrete events (with payloads) that drive every transition of `nodeMachine`. */
export const nodePathEvents: readonly NodePathEvent[] = [
  { type: 'node.chunk.produced', at_ms: 100 },
  { type: 'invocation.output_started', at_ms: 100, wall_ms: 100 },
  { type: 'node.error.raised', at_ms: 200, kind: 'error', recoverable: true, code: 'transient' },
  { type: 'node.error.raised', at_ms: 300, kind: 'crash', code: 'handler_crash' },
  {
    type: 'invocation.outcome',
    at_ms: 400,
    wall_ms: 400,
    result: providerResult('succeeded', 'success', null),
  },
  {
    type: 'invocation.outcome',
    at_ms: 400,
    wall_ms: 400,
    result: providerResult('exhausted', 'timeout', 'provider_timeout'),
  },
  {
    type: 'invocation.outcome',
    at_ms: 400,
    wall_ms: 400,
    result: providerResult('cancelled', 'cancelled', 'provider_cancelled'),
  },
  {
    type: 'xstate.done.actor.invocation',
    actorId: 'invocation',
    output: { ...providerResult('succeeded', 'success', null), at_ms: 400, wall_ms: 400 },
  },
  { type: 'node.completed', at_ms: 500 },
  // What the invocation child reports is re-emitted (its per-attempt evidence here).
  {
    type: 'invocation.report',
    output: {
      type: 'invocation.attempt',
      record: {
        provider_invocation_id: 'pvi/sess-path/turn-path/evt-path/llm',
        modality: 'llm',
        provider_id: 'llm-a',
        outcome_class: 'success',
        retryable: false,
        retry_decision: 'none',
        attempt: 1,
        attempt_latency_ms: 100,
        session_id: 'sess-path',
        turn_id: 'turn-path',
        pipeline_version: 'pipeline-v1',
        event_id: 'evt-path-attempt-1',
        transport_sequence: 1,
        runtime_sequence: 1,
        authority_epoch: 1,
        runtime_timestamp_ms: 100,
        wall_clock_timestamp_ms: 100,
      },
    },
  },
  { type: 'node.cancel', at_ms: 600 },
  { type: 'node.barge_in', at_ms: 600 },
  { type: NODE_AFTER_EVENTS.warn },
  { type: NODE_AFTER_EVENTS.exhaust },
  { type: NODE_AFTER_EVENTS.fallbackWarn },
  { type: NODE_AFTER_EVENTS.fallbackExhaust },
];

/**
 * Recommended `serializeState`: state value plus adaptation mode, the only data the node's
 * guards read. Times and counters are left out, so traversal stays small and terminates.
 */
export function nodeSerializeState(snapshot: { value: unknown; context: NodeContext }): string {
  return JSON.stringify({ value: snapshot.value, mode: snapshot.context.mode });
}

/**
 * Recommended `filterEvents`: drops the exhaustion while the warning is still pending unless
 * warn == exhaust (otherwise the warning always fires first in real time).
 */
export function nodePathFilterEvents(
  snapshot: { value: unknown; context: NodeContext },
  event: { type: string },
): boolean {
  const { warn_ms, exhaust_ms } = snapshot.context.budget;
  const owner =
    event.type === NODE_AFTER_EVENTS.exhaust
      ? 'primary'
      : event.type === NODE_AFTER_EVENTS.fallbackExhaust
        ? 'fallback'
        : null;
  if (owner === null || !isWarningPending(snapshot.value, owner)) return true;
  return warn_ms === exhaust_ms;
}

/** Whether a node state value has `active.<owner>.running.warning` = `within_budget`. */
function isWarningPending(value: unknown, owner: string): boolean {
  const pick = (v: unknown, key: string): unknown =>
    typeof v === 'object' && v !== null && key in v
      ? (v as Record<string, unknown>)[key]
      : undefined;
  const running = pick(pick(pick(value, 'active'), owner), 'running');
  return pick(running, 'warning') === 'within_budget';
}
