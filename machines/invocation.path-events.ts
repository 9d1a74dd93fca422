/**
 * Concrete events, inputs and a state serializer that let xstate/graph traversal
 * (`getShortestPaths`, `getSimplePaths`, `new TestModel(...)`) take every declared transition and
 * guard branch of `invocationMachine`.
 *
 * How xstate 5.33 graph traversal treats delays: an `events` array REPLACES the default event
 * list, so `xstate.after.<delay>.<stateId>` transitions are only traversed when listed here;
 * they are sent like any other event. `createTestModel` rejects machines with `after` or
 * `invoke`, so use `new TestModel(invocationMachine, { events, serializeState })` or the path
 * functions directly. Traversal never starts the invoked `attempt` actor (its mock actor scope
 * defers nothing), so attempt outcomes are the `attempt.result` events below. A live replay
 * (the suites `rspp paths` generates) advances the `SimulatedClock` for `xstate.after.*` steps.
 *
 * Input-dependent guard branches need more inputs: `invocationPathInputs[1]` (only `retry` and
 * `fallback` allowed) takes the `canFallback` branch, `invocationPathInputs[2]` (preferred
 * provider missing from the catalogue) takes `preferredMissing`, `invocationPathInputs[3]` (a
 * provider with a safe resume) retries after delivered output; everything else is taken with
 * `invocationPathInput`.
 */
import type { InvocationContext, InvocationEvent, InvocationInput } from './invocation/types.ts';

/** The delayed-transition event types of `invocationMachine`. */
export const INVOCATION_AFTER_EVENTS = {
  timeout: 'xstate.after.attemptTimeout.invocation.attempting',
  backoff: 'xstate.after.retryBackoff.invocation.backingOff',
} as const;

/** A delayed-transition event of `invocationMachine`. */
export type InvocationAfterEvent = {
  readonly type: (typeof INVOCATION_AFTER_EVENTS)[keyof typeof INVOCATION_AFTER_EVENTS];
};

/** An event of the invocation path model: an accepted event or one of its delayed events. */
export type InvocationPathEvent = InvocationEvent | InvocationAfterEvent;

/** Primary path input: two candidates, two attempts each, every RK-11 action allowed. */
export const invocationPathInput: InvocationInput = {
  identity: {
    session_id: 'sess-path',
    turn_id: 'turn-path',
    pipeline_version: 'pipeline-v1',
    authority_epoch: 1,
  },
  event_id: 'evt-path',
  modality: 'llm',
  preferred_provider_id: 'llm-a',
  provider_ids: ['llm-b', 'llm-a'],
  allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
  max_attempts_per_provider: 2,
  attempt_timeout_ms: 1000,
};

/** All path inputs; their union covers every transition (see the file comment). */
export const invocationPathInputs: readonly InvocationInput[] = [
  invocationPathInput,
  { ...invocationPathInput, allowed_adaptive_actions: ['retry', 'fallback'] },
  { ...invocationPathInput, preferred_provider_id: 'llm-missing' },
  { ...invocationPathInput, resumable_provider_ids: ['llm-a'] },
];

/** Concrete events (with payloads) that drive every transition of `invocationMachine`. */
export const invocationPathEvents: readonly InvocationPathEvent[] = [
  { type: 'invocation.start', at_ms: 0 },
  { type: 'invocation.cancel', at_ms: 50 },
  { type: 'attempt.result', at_ms: 100, outcome: { class: 'success', retryable: false } },
  {
    type: 'attempt.result',
    at_ms: 100,
    outcome: {
      class: 'overload',
      retryable: true,
      reason: 'provider_overload',
      circuit_open: true,
      backoff_ms: 500,
    },
  },
  {
    type: 'attempt.result',
    at_ms: 100,
    outcome: {
      class: 'infrastructure_failure',
      retryable: true,
      reason: 'provider_transport_error',
      backoff_ms: 0,
    },
  },
  {
    type: 'attempt.result',
    at_ms: 100,
    outcome: { class: 'blocked', retryable: false, reason: 'provider_auth_or_policy_block' },
  },
  {
    type: 'attempt.result',
    at_ms: 100,
    outcome: { class: 'cancelled', retryable: false, reason: 'provider_cancelled' },
  },
  // A late result of another attempt: ignored (the `resultIsStale` branch).
  {
    type: 'attempt.result',
    at_ms: 100,
    attempt: 99,
    outcome: { class: 'success', retryable: false },
  },
  // The attempt delivered output (first time: noted; again, or from another attempt: ignored).
  { type: 'attempt.output', at_ms: 60 },
  { type: 'attempt.output', at_ms: 60, attempt: 99 },
  { type: INVOCATION_AFTER_EVENTS.timeout },
  { type: INVOCATION_AFTER_EVENTS.backoff },
];

/**
 * Recommended `serializeState`: state value plus the candidate index and per-provider attempt,
 * the only data the guards read across events. Times, ordinals and records are left out, so
 * traversal stays small and terminates.
 */
export function invocationSerializeState(snapshot: {
  value: unknown;
  context: InvocationContext;
}): string {
  const { provider_index, provider_attempt, delivered } = snapshot.context;
  return JSON.stringify({ value: snapshot.value, provider_index, provider_attempt, delivered });
}
