/**
 * RK-08 node actors as the runtime runs them: the node machine with its invocation child, the
 * RK-11 invocation machine with the real `attempt` actor. Provided once per process (`provide`
 * rebuilds a whole machine): everything per node arrives with the node's input.
 */
import type { AdaptiveAction, AnyProviderPort, PipelineNode } from '../../contracts/internal.ts';
import {
  invocationMachine,
  nodeMachine,
  type InvocationInput,
  type NodeInput,
} from '../../machines/index.ts';
import type { NodeBudget, StampIdentity } from '../../machines/internal.ts';
import { attemptLogic } from './attempt.ts';
import type { NodeIo } from './node-io.ts';

/** The node machine whose invocation calls providers. */
export const runtimeNodeMachine = nodeMachine.provide({
  actors: { invocation: invocationMachine.provide({ actors: { attempt: attemptLogic } }) },
});

/** One node's invocation: which provider it prefers, among which, with which I/O. */
export type InvocationPlan = {
  readonly node: PipelineNode;
  readonly ports: readonly AnyProviderPort[];
  readonly preferred_provider_id: string;
  readonly io: NodeIo;
};

/** What a node's input is built from. */
export type NodeInputOptions = {
  readonly identity: StampIdentity;
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  readonly primary: InvocationPlan;
  /** The pre-resolved fallback branch, when the graph has one for this node. */
  readonly fallback?: InvocationPlan | undefined;
  readonly budget?: Partial<NodeBudget>;
  readonly attempt_timeout_ms?: number | undefined;
  readonly started: { readonly at_ms: number; readonly wall_ms: number };
};

/** The RK-11 input of one invocation of a node. */
function invocationInput(options: NodeInputOptions, plan: InvocationPlan): InvocationInput {
  const { node } = plan;
  return {
    identity: options.identity,
    event_id: node.node_id,
    modality: node.provider_modality ?? (node.node_type as 'stt' | 'llm' | 'tts'),
    preferred_provider_id: plan.preferred_provider_id,
    provider_ids: plan.ports.map((p) => p.capabilities.provider_id),
    allowed_adaptive_actions: options.allowed_adaptive_actions,
    resumable_provider_ids: plan.ports
      .filter((p) => p.capabilities.resumable_output === true)
      .map((p) => p.capabilities.provider_id),
    services: plan.io,
    ...(options.attempt_timeout_ms === undefined
      ? {}
      : { attempt_timeout_ms: options.attempt_timeout_ms }),
  };
}

/** The node machine's input for one node of a turn. */
export function nodeInput(options: NodeInputOptions): NodeInput {
  return {
    identity: options.identity,
    node_id: options.primary.node.node_id,
    allowed_adaptive_actions: options.allowed_adaptive_actions,
    started_at_ms: options.started.at_ms,
    started_wall_ms: options.started.wall_ms,
    invocation: invocationInput(options, options.primary),
    ...(options.fallback === undefined
      ? {}
      : { fallback: invocationInput(options, options.fallback) }),
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  };
}
