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
 * One guard branch depends on input: the budget config error is only taken with
 * `nodePathInputs[1]`; everything else with `nodePathInput`.
 */
import type { NodeContext, NodeEvent, NodeInput } from './node/types.ts';
import type { InvocationResult } from './invocation/types.ts';

/** The delayed-transition event types of `nodeMachine`. */
export const NODE_AFTER_EVENTS = {
  warn: 'xstate.after.warnDelay.node.active.running.warning.within_budget',
  exhaust: 'xstate.after.exhaustDelay.node.active.running.exhaustion.counting',
} as const;

/** A delayed-transition event of `nodeMachine`. */
export type NodeAfterEvent = {
  readonly type: (typeof NODE_AFTER_EVENTS)[keyof typeof NODE_AFTER_EVENTS];
};

/** An event of the node path model: an accepted event or one of its delayed events. */
export type NodePathEvent = NodeEvent | NodeAfterEvent;

const identity = {
  session_id: 'sess-path',
  turn_id: 'turn-path',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 1,
} as const;

/** Primary path input: default budget, both `degrade` and `fallback` allowed. */
export const nodePathInput: NodeInput = {
  identity,
  node_id: 'node-path',
  allowed_adaptive_actions: ['degrade', 'fallback'],
  started_at_ms: 0,
};

/** All path inputs; their union covers every transition (see the file comment). */
export const nodePathInputs: readonly NodeInput[] = [
  nodePathInput,
  { ...nodePathInput, budget: { warn_ms: 2000, exhaust_ms: 1500 } },
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
});

/** Concrete events (with payloads) that drive every transition of `nodeMachine`. */
export const nodePathEvents: readonly NodePathEvent[] = [
  { type: 'node.chunk.produced', at_ms: 100 },
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
  { type: 'node.completed', at_ms: 500 },
  { type: 'node.cancel', at_ms: 600 },
  { type: 'node.barge_in', at_ms: 600 },
  { type: NODE_AFTER_EVENTS.warn },
  { type: NODE_AFTER_EVENTS.exhaust },
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
  if (event.type !== NODE_AFTER_EVENTS.exhaust || !isWarningPending(snapshot.value)) return true;
  return warn_ms === exhaust_ms;
}

/** Whether a node state value has `active.running.warning` = `within_budget`. */
function isWarningPending(value: unknown): boolean {
  const pick = (v: unknown, key: string): unknown =>
    typeof v === 'object' && v !== null && key in v
      ? (v as Record<string, unknown>)[key]
      : undefined;
  return pick(pick(pick(value, 'active'), 'running'), 'warning') === 'within_budget';
}
