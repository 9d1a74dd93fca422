/**
 * In-repo surface of machines/ (ADR 0031): what actors/, replay/, tools/ and test/ use beyond the
 * public `index.ts`: the turn machine's effect requests, the RK-21 stamp helpers, path-test
 * fixtures. Not for embedders; may change with any release.
 */
export type {
  ArbitrationRequest,
  ConnectionSignal,
  EvidenceAppendRequest,
  GenerationCancel,
  GenerationRequest,
  NoLegalPathReason,
  PlanningRequest,
  PlanRequest,
  TerminalCandidate,
  TurnArbitrateEvent,
  TurnContext,
  TurnPlanEvent,
} from './turn.machine.ts';
export { passingArbitration, passingPlan } from './turn.path-events.ts';
export type { NodeBudget } from './node/types.ts';
export type { AttemptResult, InvocationOutcomeEmitted } from './invocation/types.ts';
export { eventId, idPart, stampSignal, type SignalFields, type StampIdentity } from './stamp.ts';
export type { RuntimeLink } from './outputs.ts';
export { sessionAuthorityEnding, sessionTurnEnding, turnFencesOn } from './fence-ahead.ts';
