/**
 * RK-08 node runtime host with RK-17 node budgets: the lifecycle of one pipeline node in a turn.
 * The node runs its RK-11 invocation as the child actor `invocation` (the runtime provides the
 * invocation machine with its real `attempt` actor; the default does nothing) and learns from
 * it, by events, when output started (`invocation.output_started`) and, from its done event,
 * how it ended (handled as `invocation.outcome`, which a driver may also send directly).
 *
 * The budget is the time to first output: two statechart delays in the orthogonal regions of
 * `running` (`warning` region: `warnDelay` moves `within_budget` -> `over_warning`; `exhaustion`
 * region: `exhaustDelay` fails the node), armed when the node (or its fallback) starts, so a
 * simulated clock advanced in one jump fires them at their true times. Regions are entered, and
 * their delays armed, in document order, so with warn == exhaust `budget_warning` still precedes
 * `budget_exhausted`. The first output moves the node to `streaming`: a long reply is never cut
 * by a budget meant for responsiveness.
 *
 * Failures (no output in budget, node error/crash, provider failure) go through one
 * deterministic decision: degrade if allowed and not yet degraded, else fallback if allowed
 * (and the node has a pre-resolved fallback branch) and not yet on it, else terminate.
 * Decisions only escalate: normal -> degraded -> fallback -> terminate. `degrade` lifts the
 * budget and lets the invocation go on, or, when the invocation already ended, ends the node
 * with the output it delivered; `fallback` runs the fallback branch's invocation in place of
 * the primary one, with its own budget.
 *
 * Accepts: `node.chunk.produced` / `invocation.output_started`, `node.completed`,
 * `node.error.raised`, `invocation.outcome` (`success`/`cancelled` are not failures),
 * `node.cancel`, `node.barge_in`, and its own delayed budget events.
 *
 * Emits (xstate `emit`): `control.signal` (RK-17 `budget_warning`
 * `node_budget_threshold_exceeded`, `budget_exhausted` `node_timeout_or_failure`, `degrade`,
 * `fallback`; scope `node`), `node.decision` (the decision as data), `node.hook` (`on_cancel`,
 * `on_barge_in`, `on_budget_exhausted`) and `node.abort.requested` (terminate: the turn should
 * `abort(node_timeout_or_failure)` or, for a provider failure, `abort(provider_failure)`), and
 * re-emits what its invocation reports (`invocation.report`: RK-11 signals, per-attempt
 * evidence), so one `actor.on('*')` on the node sees all of it. A parent learns how the node
 * ended from its done event (output: status, decision, and the turn's `failure` kind).
 * A budget config error (`warn_ms > exhaust_ms`, or a non-finite/negative value) ends the node
 * in `failed` at start with `config_error` set, instead of throwing.
 */
import {
  enqueueActions,
  fromCallback,
  setup,
  type AnyActorLogic,
  type DoneActorEvent,
} from 'xstate';
import type { InvocationInput, InvocationOutput } from './invocation/types.ts';
import type { Timed } from './outputs.ts';
import {
  adaptStep,
  cancelStep,
  completeDegradedStep,
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

/**
 * Default `invocation` child: does nothing, so the machine stays pure and its budgets alone
 * decide. The runtime provides the RK-11 invocation machine (any actor logic taking an
 * {@link InvocationInput} fits).
 */
const idleInvocation: AnyActorLogic = fromCallback<{ type: string }, InvocationInput>(
  () => undefined,
);

/** The output events that end the time-to-first-output budget. */
const OUTPUT = ['node.chunk.produced', 'invocation.output_started'] as const;

/** A budget for the first output, as parallel regions; `owner` is the state holding it. */
function firstOutputBudget(owner: string) {
  return {
    type: 'parallel',
    on: Object.fromEntries(
      OUTPUT.map((type) => [
        type,
        { target: `#node.active.${owner}.streaming`, actions: 'noteOutput' },
      ]),
    ),
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
            after: {
              exhaustDelay: { target: `#node.active.${owner}.deciding`, actions: 'exhaustBudget' },
            },
          },
        },
      },
    },
  } as const;
}

/** How the running invocation ends the node, and where a failure is decided. */
function invocationEnds(owner: string) {
  return {
    'node.completed': { target: '#node.done', actions: 'complete' },
    'node.error.raised': [
      { guard: 'errorRecoverable', actions: 'noteTime' },
      { target: `#node.active.${owner}.deciding`, actions: 'noteNodeFailure' },
    ],
    'invocation.outcome': [
      { guard: 'invocationSucceeded', target: '#node.done', actions: 'complete' },
      {
        guard: 'providerFailed',
        target: `#node.active.${owner}.deciding`,
        actions: 'noteProviderFailure',
      },
      { actions: 'noteTime' },
    ],
  } as const;
}

/** The RK-08/RK-17 node statechart. */
export const nodeMachine = setup({
  types: {
    input: {} as NodeInput,
    context: {} as NodeContext,
    events: {} as NodeEvent,
    emitted: {} as NodeEmitted,
    output: {} as NodeOutput,
  },
  actors: { invocation: idleInvocation },
  delays: {
    warnDelay: ({ context }) => context.budget.warn_ms,
    exhaustDelay: ({ context }) => context.budget.exhaust_ms,
  },
  guards: {
    budgetConfigInvalid: ({ context }) => context.config_error !== null,
    errorRecoverable: ({ event }) =>
      event.type === 'node.error.raised' && event.kind === 'error' && event.recoverable === true,
    invocationSucceeded: ({ event }) =>
      event.type === 'invocation.outcome' && event.result.outcome_class === 'success',
    providerFailed: ({ event }) =>
      event.type === 'invocation.outcome' &&
      event.result.outcome_class !== 'success' &&
      event.result.outcome_class !== 'cancelled',
    canDegrade: ({ context }) => context.allow_degrade && context.mode === 'normal',
    canFallback: ({ context }) => context.allow_fallback && context.mode !== 'fallback',
    // A degraded node whose provider gave up has nothing more coming: it ends with what it has.
    invocationEnded: ({ context }) => context.failure?.cause === 'provider_failure',
  },
  actions: {
    rejectConfig: enqueueActions(({ context, enqueue }) => run(enqueue, configErrorStep(context))),
    warnBudget: enqueueActions(({ context, enqueue }) => run(enqueue, warnStep(context))),
    exhaustBudget: enqueueActions(({ context, enqueue }) => run(enqueue, exhaustStep(context))),
    noteOutput: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, outputStep(context, timed(event))),
    ),
    noteTime: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, timeStep(context, timed(event))),
    ),
    complete: enqueueActions(({ context, event, enqueue }) =>
      run(enqueue, completeStep(context, timed(event))),
    ),
    completeDegraded: enqueueActions(({ context, enqueue }) =>
      run(enqueue, completeDegradedStep(context)),
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
    startInvocation: enqueueActions(({ context, enqueue }) => {
      const time = context.budget_from;
      enqueue.sendTo('invocation', { type: 'invocation.start', ...time });
    }),
    // Leaving an invocation that may still run: it records its attempt as cancelled first.
    cancelInvocation: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'invocation.outcome' || event.type === 'node.completed') return;
      enqueue.sendTo('invocation', { type: 'invocation.cancel', ...context.now });
    }),
    // The invocation's outcome arrives as its done event; it is handled as `invocation.outcome`.
    takeOutcome: enqueueActions(({ event, enqueue }) => {
      const done = event as unknown as DoneActorEvent<InvocationOutput>; // onDone only
      const { at_ms, wall_ms, ...result } = done.output;
      enqueue.raise({ type: 'invocation.outcome', result, at_ms, wall_ms });
    }),
    relayInvocation: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'invocation.report') enqueue.emit(event.output);
    }),
  },
}).createMachine({
  id: 'node',
  context: ({ input }) => initialNodeContext(input),
  initial: 'starting',
  on: { 'invocation.report': { actions: 'relayInvocation' } },
  states: {
    // Transient: a budget config error fails the node before any timer or invocation starts.
    starting: {
      always: [
        { guard: 'budgetConfigInvalid', target: 'failed', actions: 'rejectConfig' },
        { target: 'active' },
      ],
    },
    active: {
      initial: 'primary',
      on: {
        'node.cancel': { target: 'cancelled', actions: 'runCancelHook' },
        'node.barge_in': { target: 'cancelled', actions: 'runCancelHook' },
      },
      states: {
        primary: {
          invoke: {
            id: 'invocation',
            src: 'invocation',
            input: ({ context }: { context: NodeContext }) => context.invocation,
            onDone: { actions: 'takeOutcome' },
          },
          exit: 'cancelInvocation',
          initial: 'running',
          on: {
            ...invocationEnds('primary'),
            ...Object.fromEntries(OUTPUT.map((type) => [type, { actions: 'noteOutput' }])),
          },
          states: {
            // Entered after the invocation was spawned, so the start reaches it.
            running: { entry: 'startInvocation', ...firstOutputBudget('primary') },
            streaming: {},
            // Transient: the RK-17 decision for the pending failure, in precedence order.
            deciding: {
              always: [
                { guard: 'canDegrade', target: 'degraded', actions: 'degrade' },
                { guard: 'canFallback', target: '#node.active.fallback', actions: 'fallback' },
                { target: '#node.failed', actions: 'terminate' },
              ],
            },
            degraded: {
              always: {
                guard: 'invocationEnded',
                target: '#node.done',
                actions: 'completeDegraded',
              },
            },
          },
        },
        // The pre-resolved fallback branch runs in place of the primary invocation.
        fallback: {
          invoke: {
            id: 'invocation',
            src: 'invocation',
            // Only entered with a fallback branch (`canFallback`).
            input: ({ context }: { context: NodeContext }) =>
              context.fallback ?? context.invocation,
            onDone: { actions: 'takeOutcome' },
          },
          exit: 'cancelInvocation',
          initial: 'running',
          on: {
            ...invocationEnds('fallback'),
            ...Object.fromEntries(OUTPUT.map((type) => [type, { actions: 'noteOutput' }])),
          },
          states: {
            running: { entry: 'startInvocation', ...firstOutputBudget('fallback') },
            streaming: {},
            // Decisions only escalate: after the fallback, only terminate is left.
            deciding: { always: { target: '#node.failed', actions: 'terminate' } },
          },
        },
      },
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
    failure: context.abort_request?.failure ?? null,
    config_error: context.config_error,
  }),
});

/** The time an event carries (a relayed report carries none: it changes nothing but output). */
function timed(event: NodeEvent): Timed {
  return 'at_ms' in event ? event : { at_ms: 0 };
}

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
