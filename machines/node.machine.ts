/**
 * RK-08 node runtime host with RK-17 node budgets: the lifecycle of one pipeline node in a turn.
 * Budget timers are two statechart delays in the orthogonal regions of `running`, both armed
 * when the node starts (`warning` region: `warnDelay` moves `within_budget` -> `over_warning`;
 * `exhaustion` region: `exhaustDelay` leaves `running`), so a simulated clock advanced in one jump
 * fires them at their true times. Regions are entered (and their delays armed) in document
 * order, and Node timers and `SimulatedClock` fire equal due times in arming order, so with
 * warn == exhaust `budget_warning` still precedes `budget_exhausted`. Failures
 * (budget exhausted, node error/crash, provider failure) go through one deterministic decision:
 * degrade if allowed and not yet degraded, else fallback if allowed and not yet on fallback,
 * else terminate. Decisions only escalate: normal -> degraded -> fallback -> terminate.
 *
 * Accepts: `node.chunk.produced`, `node.completed`, `node.error.raised`, `invocation.outcome`
 * (forwarded from the node's invocation actor; `success`/`cancelled` are not failures),
 * `node.cancel`, `node.barge_in`, and its own delayed events
 * `xstate.after.warnDelay.node.active.running.warning.within_budget` and
 * `xstate.after.exhaustDelay.node.active.running.exhaustion.counting`.
 *
 * Emits (xstate `emit`): `control.signal` (RK-17 `budget_warning`
 * `node_budget_threshold_exceeded`, `budget_exhausted` `node_timeout_or_failure`, `degrade`,
 * `fallback`; scope `node`), `node.decision` (the decision as data), `node.hook` (`on_cancel`,
 * `on_barge_in`, `on_budget_exhausted`) and `node.abort.requested` (terminate: the turn should
 * `abort(node_timeout_or_failure)` or, for a provider failure, `abort(provider_failure)`).
 * A budget config error (`warn_ms > exhaust_ms`, or a non-finite/negative value) ends the node
 * in `failed` at start with `config_error` set, instead of throwing.
 */
import { enqueueActions, setup } from 'xstate';
import {
  adaptStep,
  cancelStep,
  completeStep,
  configErrorStep,
  exhaustStep,
  nodeFailureStep,
  outputStep,
  providerFailureStep,
  terminateStep,
  timeStep,
  warnStep,
  type NodeStep,
} from './node/effects.ts';
import {
  initialNodeContext,
  type NodeContext,
  type NodeEmitted,
  type NodeEvent,
  type NodeInput,
  type NodeOutput,
} from './node/types.ts';

/** The RK-08/RK-17 node statechart. */
export const nodeMachine = setup({
  types: {
    input: {} as NodeInput,
    context: {} as NodeContext,
    events: {} as NodeEvent,
    emitted: {} as NodeEmitted,
    output: {} as NodeOutput,
  },
  delays: {
    warnDelay: ({ context }) => context.budget.warn_ms,
    exhaustDelay: ({ context }) => context.budget.exhaust_ms,
  },
  guards: {
    budgetConfigInvalid: ({ context }) => context.config_error !== null,
    errorRecoverable: ({ event }) =>
      event.type === 'node.error.raised' && event.kind === 'error' && event.recoverable === true,
    providerFailed: ({ event }) =>
      event.type === 'invocation.outcome' &&
      event.result.outcome_class !== 'success' &&
      event.result.outcome_class !== 'cancelled',
    canDegrade: ({ context }) => context.allow_degrade && context.mode === 'normal',
    canFallback: ({ context }) => context.allow_fallback && context.mode !== 'fallback',
  },
  actions: {
    rejectConfig: enqueueActions(({ context, enqueue }) => run(enqueue, configErrorStep(context))),
    warnBudget: enqueueActions(({ context, enqueue }) => run(enqueue, warnStep(context))),
    exhaustBudget: enqueueActions(({ context, enqueue }) => run(enqueue, exhaustStep(context))),
    noteOutput: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, outputStep(context, event)),
    ),
    noteTime: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, timeStep(context, event)),
    ),
    complete: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, completeStep(context, event)),
    ),
    noteNodeFailure: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'node.error.raised') run(enqueue, nodeFailureStep(context, event));
    }),
    noteProviderFailure: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'invocation.outcome') run(enqueue, providerFailureStep(context, event));
    }),
    runCancelHook: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'node.cancel' || event.type === 'node.barge_in')
        run(enqueue, cancelStep(context, event));
    }),
    degrade: enqueueActions(({ context, enqueue }) => run(enqueue, adaptStep(context, 'degrade'))),
    fallback: enqueueActions(({ context, enqueue }) =>
      run(enqueue, adaptStep(context, 'fallback')),
    ),
    terminate: enqueueActions(({ context, enqueue }) => run(enqueue, terminateStep(context))),
  },
}).createMachine({
  id: 'node',
  context: ({ input }) => initialNodeContext(input),
  initial: 'starting',
  states: {
    // Transient: a budget config error fails the node before any timer starts.
    starting: {
      always: [
        { guard: 'budgetConfigInvalid', target: 'failed', actions: 'rejectConfig' },
        { target: 'active' },
      ],
    },
    active: {
      initial: 'running',
      on: {
        'node.chunk.produced': { actions: 'noteOutput' },
        'node.completed': { target: 'done', actions: 'complete' },
        'node.error.raised': [
          { guard: 'errorRecoverable', actions: 'noteTime' },
          { target: 'deciding', actions: 'noteNodeFailure' },
        ],
        'invocation.outcome': [
          { guard: 'providerFailed', target: 'deciding', actions: 'noteProviderFailure' },
          { actions: 'noteTime' },
        ],
        'node.cancel': { target: 'cancelled', actions: 'runCancelHook' },
        'node.barge_in': { target: 'cancelled', actions: 'runCancelHook' },
      },
      states: {
        running: {
          type: 'parallel',
          states: {
            // Declared first: entered, and its delay armed, before the exhaustion region's.
            warning: {
              initial: 'within_budget',
              states: {
                within_budget: {
                  after: { warnDelay: { target: 'over_warning', actions: 'warnBudget' } },
                },
                over_warning: {},
              },
            },
            exhaustion: {
              initial: 'counting',
              states: {
                counting: {
                  after: { exhaustDelay: { target: '#node.deciding', actions: 'exhaustBudget' } },
                },
              },
            },
          },
        },
        degraded: {},
        fallback: {},
      },
    },
    // Transient: the RK-17 decision for the pending failure, in precedence order.
    deciding: {
      always: [
        { guard: 'canDegrade', target: 'active.degraded', actions: 'degrade' },
        { guard: 'canFallback', target: 'active.fallback', actions: 'fallback' },
        { target: 'failed', actions: 'terminate' },
      ],
    },
    done: { type: 'final' },
    cancelled: { type: 'final' },
    failed: { type: 'final' },
  },
  output: ({ context }) => ({
    node_id: context.node_id,
    status: context.status === 'active' ? 'failed' : context.status,
    mode: context.mode,
    decision: context.decision,
    abort_reason: context.abort_reason,
    config_error: context.config_error,
  }),
});

/** Applies a step: one context patch, then its effects in order. */
function run(
  enqueue: {
    assign: (patch: Partial<NodeContext>) => void;
    emit: (event: NodeEmitted) => void;
  },
  step: NodeStep,
): void {
  enqueue.assign(step.context);
  for (const event of step.emitted) enqueue.emit(event);
}
