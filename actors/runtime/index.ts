/**
 * Public surface of actors/runtime: the Runtime (composition of sessions), its options and
 * outputs.
 */
export {
  RUNTIME_LIMIT_DEFAULTS,
  RuntimeError,
  createRuntime,
  type Runtime,
  type RuntimeErrorCode,
} from './runtime.ts';
export type {
  AuthorityChange,
  EvidenceVerdict,
  FeedResult,
  IngressKind,
  InspectionObserver,
  RuntimeLimits,
  RuntimeListener,
  RuntimeOptions,
  RuntimeOutput,
  RuntimeRefusal,
  RuntimeTurnFacts,
  SessionEvidence,
  SessionIdentity,
  SessionOptions,
  TransportEvent,
} from './types.ts';
