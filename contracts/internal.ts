/**
 * In-repo surface of contracts/ (ADR 0031): what machines/, actors/, adapters/, replay/, tools/
 * and test/ use beyond the public `index.ts`: the remaining generated types, artifact names and
 * schemas, the signal registry and reason codes, subjects, the bus and lease port details,
 * provider outcome normalization. Not for embedders; may change with any release.
 */
export type {
  AdaptiveAction,
  BaselineEvidence,
  ControlSignalEmitter,
  ControlSignalName,
  EdgeBufferSpec,
  EventEnvelope,
  GraphDefinition,
  GraphEdge,
  InvocationModality,
  InvocationOutcome,
  MigrationMarker,
  NodeType,
  OutcomeClass,
  PayloadClass,
  PipelineEdge,
  PipelineFile,
  PipelineNode,
  ProviderModality,
  RedactionAction,
  RedactionDecision,
  ResolvedTurnPlan,
  RetryDecision,
  SeqRange,
  SnapshotProvenance,
  TurnState,
  WatermarkThreshold,
} from './generated/types.ts';
export {
  ARTIFACT_NAMES,
  ARTIFACT_SCHEMA_IDS,
  PIPELINE_FILE_SCHEMA_ID,
  REFERENCE_ARTIFACT_NAMES,
  isArtifactName,
} from './artifacts.ts';
export { renderValue } from './issues.ts';
export {
  createContractScreen,
  createDefinitionValidator,
  type ContractScreen,
} from './validate.ts';
export { loadContractSchemas, type ContractSchemaDocument } from './schemas.ts';
export { SEMANTIC_RULES } from './semantic-rules.ts';
export { SIGNAL_REGISTRY } from './signal-registry.ts';
export {
  AUTHORITY_REASONS,
  CP_ADMISSION_REASONS,
  GRAPH_COMPILE_ERRORS,
  LEASE_REASONS,
  PRE_TURN_REASONS,
  SCHEDULING_REASONS,
  SIGNAL_REASONS,
  type AbortReason,
  type CpAdmissionReason,
  type GraphCompileError,
  type LeaseReason,
  type ProviderOutcomeReason,
} from './reason-codes.ts';
export {
  BusError,
  DEFAULT_BUS_LIMITS,
  type BusConnectionReason,
  type BusConnectionState,
  type BusDiagnostic,
  type BusDiagnosticListener,
  type BusEnvelopeRef,
  type BusHandler,
  type BusDirection,
  type BusKind,
  type BusLaneStats,
  type BusLimits,
  type BusLimitsOverride,
  type BusSubscribeOptions,
  type BusSubscription,
  type BusSubscriptionStats,
} from './ports/bus.port.ts';
export {
  ASSIGNMENT_WILDCARD,
  CONTROL_STREAM_NAME,
  CONTROL_STREAM_SUBJECTS,
  EVIDENCE_STREAM_NAME,
  EVIDENCE_STREAM_SUBJECTS,
  LANES_BY_PRIORITY,
  LEASE_BUCKET_NAME,
  SubjectTokenError,
  WORKER_QUEUE_GROUP,
  assertSubjectToken,
  assignmentSubject,
  evidenceFilter,
  evidenceSubject,
  laneFilter,
  laneSubject,
  leaseKey,
  orphanClaimKey,
  parseEvidenceSubject,
} from './subjects.ts';
export { INGRESS_MARKER, ingressMarkerOf } from './ingress-marker.ts';
export {
  ADAPTER_ERROR_CODES,
  normalizeProviderFailure,
  outcomeOfAbort,
  retryAfterMs,
} from './errors.ts';
export type {
  AnyProviderPort,
  ProviderAttemptFields,
  ProviderCapabilities,
  ProviderCapabilitiesBase,
  ProviderOutcome,
  ProviderPort,
  ProviderScheduler,
} from './ports/provider.port.ts';
export { ABORTED, abortableReader } from './ports/abortable-next.ts';
export { createChunkChecker, type ChunkAck, type ChunkRule } from './ports/provider-stream.ts';
export {
  EvidenceSinkError,
  type EvidenceDocument,
  type EvidenceOffer,
  type EvidenceOfferRefusal,
  type EvidenceSinkFailure,
  type EvidenceSinkFailureCode,
  type EvidenceSinkFailureListener,
  type EvidenceSinkState,
  type EvidenceSinkStats,
} from './ports/evidence.port.ts';
export {
  DEFAULT_LEASE_TTL_MS,
  LeaseError,
  assertLeaseGrant,
  assertLeaseHolder,
  assertLeaseId,
  assertLeaseInteger,
  leaseHeldError,
  isLeaseError,
  type LeaseErrorCode,
  type LeaseGrant,
  type LeasePort,
  type LeaseState,
  type LeaseUnwatch,
  type LeaseWatchListener,
  type SessionLease,
} from './ports/lease.port.ts';
