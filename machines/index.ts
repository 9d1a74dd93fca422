/**
 * Public surface of machines/ (ADR 0031): the four lifecycle statecharts (turn RK-03, session
 * RK-02, node RK-08, invocation RK-11) with their inputs, events, emitted outputs and defaults,
 * and the lifecycle invariant check over their outputs. Names the other folders of this
 * repository use besides are in `internal.ts`.
 */
export {
  TURN_POLICY_DEFAULTS,
  turnMachine,
  type EvidenceRequested,
  type TurnEmitted,
  type TurnEvent,
  type TurnInput,
  type TurnPolicies,
} from './turn.machine.ts';
export {
  sessionMachine,
  type InputSupersededReason,
  type SessionEmitted,
  type SessionEvent,
  type SessionInput,
  type SessionPolicies,
} from './session.machine.ts';
export { nodeMachine } from './node.machine.ts';
export {
  NODE_BUDGET_DEFAULTS,
  type NodeEmitted,
  type NodeEvent,
  type NodeInput,
  type NodeOutput,
} from './node/types.ts';
export { invocationMachine, type AttemptLogic } from './invocation.machine.ts';
export { INVOCATION_DEFAULTS } from './invocation/input.ts';
export type {
  AttemptOutcome,
  AttemptRequest,
  InvocationEmitted,
  InvocationEvent,
  InvocationInput,
  InvocationOutput,
} from './invocation/types.ts';
export type { MachineOutput } from './outputs.ts';
export { checkTurnInvariants, isMachineOutput, type InvariantOptions } from './invariants.ts';
