/**
 * RK-11 provider invocation controller: one provider invocation (identity, candidates,
 * attempts, per-attempt timeout, cancel, retry / provider_switch / fallback) as a statechart.
 *
 * Accepts: `invocation.start`, `invocation.cancel`, `attempt.result` and `attempt.output` (from
 * the `attempt` actor), and its own delayed events
 * `xstate.after.attemptTimeout.invocation.attempting` and
 * `xstate.after.retryBackoff.invocation.backingOff`.
 *
 * Emits (xstate `emit`): `control.signal` (RK-11 `provider_error`, `circuit_event`,
 * `provider_switch`, scope `provider_invocation`, event id `<event_id>-<signal>-<n>` with n the
 * 1-based attempt index), `invocation.attempt` (per-attempt evidence, once the attempt's retry
 * decision is known) and, on every final state, `invocation.outcome` (also the machine output).
 * An invocation with a parent (a node) also sends it `invocation.output_started` once output
 * was first delivered; the parent learns the outcome from the done event (output: the result and
 * its end time).
 *
 * Once an attempt delivered output downstream, no silent re-generation: a failure is retried
 * only on a provider that declares a safe resume (`resumable_provider_ids`), never switched or
 * fallen back from; the invocation ends with what was delivered (`delivered` in its result).
 *
 * Each attempt runs the injected `attempt` actor (default: does nothing, so the machine stays
 * pure and path-testable). The runtime provides the real one with
 * `invocationMachine.provide({ actors: { attempt } })`: it gets the per-attempt request as input,
 * sends back `attempt.result`, and returns a cleanup that aborts its AbortController. Leaving
 * `attempting` (result, timeout, cancel) stops the actor, so the cleanup always runs.
 */
import { enqueueActions, fromCallback, setup, type EventObject } from 'xstate';
import {
  CANCELLED_BEFORE_INVOKE,
  CANCELLED_OUTCOME,
  PREFERRED_MISSING,
  attemptRequest,
  buildResult,
  currentProvider,
  endTime,
} from './invocation/records.ts';
import { timeOf } from './node/clock.ts';
import {
  cancelAttemptStep,
  concludeStep,
  endStep,
  finalizeStep,
  resultStep,
  retryStep,
  startStep,
  switchStep,
  timeoutStep,
  type InvocationStep,
} from './invocation/steps.ts';
import { initialInvocationContext } from './invocation/input.ts';
import type {
  AttemptRequest,
  InvocationContext,
  InvocationEmitted,
  InvocationEvent,
  InvocationReport,
  InvocationInput,
  InvocationOutput,
  InvocationStatus,
  RetryDecision,
} from './invocation/types.ts';

/** Default `attempt` actor: does nothing (the runtime provides one that calls the adapter). */
const noopAttempt = fromCallback<EventObject, AttemptRequest>(() => undefined);

/** Logic type a runtime `attempt` actor must have (`fromCallback<EventObject, AttemptRequest>`). */
export type AttemptLogic = typeof noopAttempt;

type Ctx = InvocationContext;

/** Nothing was delivered yet, or the current provider can resume without repeating itself. */
const mayRepeat = (context: Ctx): boolean =>
  !context.delivered || context.resumable.includes(currentProvider(context));

const canRetry = (context: Ctx): boolean =>
  context.last !== null &&
  context.last.outcome.retryable &&
  context.allowed.includes('retry') &&
  context.provider_attempt < context.max_attempts &&
  mayRepeat(context);

// Another provider never continues what this one already delivered.
const hasNextCandidate = (context: Ctx): boolean =>
  !context.delivered && context.provider_index + 1 < context.candidates.length;

/** The RK-11 invocation controller statechart. */
export const invocationMachine = setup({
  types: {
    input: {} as InvocationInput,
    context: {} as InvocationContext,
    events: {} as InvocationEvent,
    emitted: {} as InvocationEmitted,
    output: {} as InvocationOutput,
  },
  actors: { attempt: noopAttempt },
  delays: {
    attemptTimeout: ({ context }) => context.timeout_ms,
    retryBackoff: ({ context }) => context.last?.outcome.backoff_ms ?? 0,
  },
  guards: {
    preferredMissing: ({ context }) => context.preferred_missing,
    resultIsStale: ({ context, event }) =>
      (event.type === 'attempt.result' || event.type === 'attempt.output') &&
      ((event.provider_id !== undefined && event.provider_id !== currentProvider(context)) ||
        (event.attempt !== undefined && event.attempt !== context.provider_attempt)),
    firstDelivery: ({ context }) => !context.delivered,
    lastSucceeded: ({ context }) => context.last?.outcome.class === 'success',
    lastCancelled: ({ context }) => context.last?.outcome.class === 'cancelled',
    canRetryNow: ({ context }) => canRetry(context) && context.last?.outcome.backoff_ms === 0,
    canRetryAfterBackoff: ({ context }) => canRetry(context),
    canSwitchProvider: ({ context }) =>
      hasNextCandidate(context) && context.allowed.includes('provider_switch'),
    canFallback: ({ context }) => hasNextCandidate(context) && context.allowed.includes('fallback'),
  },
  actions: {
    start: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type === 'invocation.start') run(enqueue, startStep(context, event), self);
    }),
    block: enqueueActions(({ context, event, enqueue, self }) => {
      run(enqueue, endStep(context, event, PREFERRED_MISSING), self);
    }),
    cancelBeforeInvoke: enqueueActions(({ context, event, enqueue, self }) => {
      run(enqueue, endStep(context, event, CANCELLED_BEFORE_INVOKE), self);
    }),
    cancelAttempt: enqueueActions(({ context, event, enqueue, self }) => {
      run(enqueue, cancelAttemptStep(context, event), self);
    }),
    cancelBackoff: enqueueActions(({ context, event, enqueue, self }) => {
      run(enqueue, endStep(context, event, CANCELLED_OUTCOME), self);
    }),
    settleResult: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type === 'attempt.result') run(enqueue, resultStep(context, event), self);
    }),
    settleTimeout: enqueueActions(({ context, enqueue, self }) => {
      run(enqueue, timeoutStep(context), self);
    }),
    conclude: enqueueActions(({ context, enqueue, self }, params: { decision: RetryDecision }) => {
      run(enqueue, concludeStep(context, params.decision), self);
    }),
    retryNow: enqueueActions(({ context, enqueue, self }) => {
      run(enqueue, retryStep(context, false), self);
    }),
    retryAfterBackoff: enqueueActions(({ context, enqueue, self }) => {
      run(enqueue, retryStep(context, true), self);
    }),
    switchProvider: enqueueActions(({ context, enqueue, self }) => {
      run(enqueue, switchStep(context), self);
    }),
    finalize: enqueueActions(({ context, enqueue, self }, params: { status: InvocationStatus }) => {
      run(enqueue, finalizeStep(context, params.status), self);
    }),
    noteDelivery: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'attempt.output') return;
      const time = timeOf(context.now, event);
      enqueue.assign({ delivered: true, now: time });
      if (self._parent !== undefined)
        enqueue.sendParent({ type: 'invocation.output_started', ...time });
    }),
  },
}).createMachine({
  id: 'invocation',
  context: ({ input }) => initialInvocationContext(input),
  initial: 'pending',
  states: {
    pending: {
      on: {
        'invocation.start': [
          { guard: 'preferredMissing', target: 'blocked', actions: 'block' },
          { target: 'attempting', actions: 'start' },
        ],
        'invocation.cancel': { target: 'cancelled', actions: 'cancelBeforeInvoke' },
      },
    },
    attempting: {
      invoke: { id: 'attempt', src: 'attempt', input: ({ context }) => attemptRequest(context) },
      after: { attemptTimeout: { target: 'settling', actions: 'settleTimeout' } },
      on: {
        'attempt.result': [
          { guard: 'resultIsStale' },
          { target: 'settling', actions: 'settleResult' },
        ],
        'attempt.output': [
          { guard: 'resultIsStale' },
          { guard: 'firstDelivery', actions: 'noteDelivery' },
        ],
        'invocation.cancel': { target: 'cancelled', actions: 'cancelAttempt' },
      },
    },
    // Transient: the retry / switch / fallback / give-up decision, in precedence order.
    settling: {
      always: [
        { guard: 'lastSucceeded', target: 'succeeded', actions: concludeWith('none') },
        { guard: 'lastCancelled', target: 'cancelled', actions: concludeWith('none') },
        {
          guard: 'canRetryNow',
          target: 'attempting',
          actions: [concludeWith('retry'), 'retryNow'],
        },
        { guard: 'canRetryAfterBackoff', target: 'backingOff', actions: concludeWith('retry') },
        {
          guard: 'canSwitchProvider',
          target: 'attempting',
          actions: [concludeWith('provider_switch'), 'switchProvider'],
        },
        {
          guard: 'canFallback',
          target: 'attempting',
          actions: [concludeWith('fallback'), 'switchProvider'],
        },
        { target: 'exhausted', actions: concludeWith('none') },
      ],
    },
    backingOff: {
      after: { retryBackoff: { target: 'attempting', actions: 'retryAfterBackoff' } },
      on: { 'invocation.cancel': { target: 'cancelled', actions: 'cancelBackoff' } },
    },
    succeeded: { type: 'final', entry: finalizeAs('succeeded') },
    cancelled: { type: 'final', entry: finalizeAs('cancelled') },
    exhausted: { type: 'final', entry: finalizeAs('exhausted') },
    blocked: { type: 'final', entry: finalizeAs('blocked') },
  },
  // The result with its end time: a parent node learns the outcome from the done event alone,
  // so it never hears of a child after it stopped.
  output: ({ context }) => ({
    ...(context.result ?? buildResult(context, 'cancelled')),
    ...endTime(context),
  }),
});

function concludeWith(decision: RetryDecision) {
  return { type: 'conclude', params: { decision } } as const;
}

function finalizeAs(status: InvocationStatus) {
  return { type: 'finalize', params: { status } } as const;
}

/** Applies a step: one context patch, then its effects in order. */
/**
 * Applies a step: one context patch, then its effects in order. An invocation with a parent
 * (a node) also reports its signals and attempt records to it (`invocation.report`); its
 * outcome is its output (`InvocationOutput`).
 */
function run(
  enqueue: {
    assign: (patch: Partial<InvocationContext>) => void;
    emit: (event: InvocationEmitted) => void;
    sendParent: (event: InvocationReport) => void;
  },
  step: InvocationStep,
  self: { readonly _parent?: unknown },
): void {
  enqueue.assign(step.context);
  for (const event of step.emitted) {
    enqueue.emit(event);
    if (self._parent !== undefined && event.type !== 'invocation.outcome')
      enqueue.sendParent({ type: 'invocation.report', output: event });
  }
}
