export {
  TURN_POLICY_DEFAULTS,
  turnMachine,
  type ConnectionSignal,
  type EvidenceRequested,
  type LateEventRemapped,
  type LateEventReported,
  type NoLegalPathReason,
  type TerminalCandidate,
  type TurnArbitrateEvent,
  type TurnConditions,
  type TurnContext,
  type TurnEmitted,
  type TurnEvent,
  type TurnFailureKind,
  type TurnInput,
  type TurnOutputEvent,
  type TurnPolicies,
} from './turn.machine.ts';
export {
  sessionMachine,
  type OpeningProposalPolicy,
  type RoutedTurnEvent,
  type SessionContext,
  type SessionEmitted,
  type SessionEvent,
  type SessionInput,
  type SessionPolicies,
} from './session.machine.ts';
export {
  failingArbitrations,
  passingArbitration,
  turnPathEvents,
  turnPathInput,
  turnSerializeState,
} from './turn.path-events.ts';
export {
  sessionPathEvents,
  sessionPathInput,
  sessionSerializeState,
} from './session.path-events.ts';
export { nodeMachine } from './node.machine.ts';
export {
  NODE_BUDGET_DEFAULTS,
  type NodeAbortReason,
  type NodeAbortRequested,
  type NodeBargeIn,
  type NodeBudget,
  type NodeCancel,
  type NodeChunkProduced,
  type NodeCompleted,
  type NodeContext,
  type NodeDecision,
  type NodeDecisionCause,
  type NodeDecisionEmitted,
  type NodeDecisionKind,
  type NodeDecisionReason,
  type NodeEmitted,
  type NodeErrorRaised,
  type NodeEvent,
  type NodeHookEmitted,
  type NodeInput,
  type NodeMode,
  type NodeOutput,
  type NodeStatus,
} from './node/types.ts';
export { invocationMachine, noopAttempt, type AttemptLogic } from './invocation.machine.ts';
export { INVOCATION_DEFAULTS } from './invocation/input.ts';
export type {
  AttemptOutcome,
  AttemptRequest,
  AttemptResult,
  InvocationAction,
  InvocationAttemptEmitted,
  InvocationAttemptRecord,
  InvocationCancel,
  InvocationContext,
  InvocationEmitted,
  InvocationEvent,
  InvocationInput,
  InvocationOutcomeEmitted,
  InvocationOutcomeRecord,
  InvocationResult,
  InvocationStart,
  InvocationStatus,
  NormalizedOutcome,
} from './invocation/types.ts';
export {
  NODE_AFTER_EVENTS,
  nodePathEvents,
  nodePathFilterEvents,
  nodePathInput,
  nodePathInputs,
  nodeSerializeState,
  type NodePathEvent,
} from './node.path-events.ts';
export {
  INVOCATION_AFTER_EVENTS,
  invocationPathEvents,
  invocationPathInput,
  invocationPathInputs,
  invocationSerializeState,
  type InvocationPathEvent,
} from './invocation.path-events.ts';
export {
  eventId,
  idPart,
  stampOutcome,
  stampSignal,
  transition,
  type OutcomeFields,
  type SignalFields,
  type StampIdentity,
  type StampTime,
} from './stamp.ts';
export type {
  MachineOutput,
  OutcomeEmitted,
  SignalEmitted,
  Timed,
  TransitionEmitted,
} from './outputs.ts';
export {
  LEGAL_TURN_EDGES,
  checkTurnInvariants,
  isMachineOutput,
  type InvariantOptions,
} from './invariants.ts';
