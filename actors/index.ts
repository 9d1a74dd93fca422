/**
 * Public surface of actors/: each area appends its named exports below (no `export *`).
 */
// RK-04/RK-19 plan and determinism, CP turn-start bundle, pre-turn arbitration (ADR 0007).
export {
  ADAPTIVE_ACTION_ORDER,
  BOUND_MODALITIES,
  DEFAULT_ADAPTIVE_ACTIONS,
  DEFAULT_EDGE_ID,
  DEFAULT_PIPELINE,
  DEFAULT_PROVENANCE,
  DEFAULT_PROVIDER_BINDINGS,
  GRAPH_COMPILATION_SNAPSHOT,
  LEASE_RESOLUTION_SNAPSHOT,
  SIMPLE_BUDGETS,
  SIMPLE_EDGE_POLICY,
  SIMPLE_FLOW_CONTROL,
  SIMPLE_PROFILE,
  SIMPLE_RECORDING,
  normalizeAdaptiveActions,
  type EdgePolicy,
} from './turn-start/defaults.ts';
export {
  MERGE_RULE,
  ORDERING_MARKERS,
  SEED_MASK,
  deriveSeed,
  determinismContext,
  seedFromDigest,
  type DeterminismContext,
  type DeterminismEvidence,
  type SeedDerivation,
} from './turn-start/determinism.ts';
export {
  planHash,
  resolveTurnPlan,
  toArbitrationPlan,
  type FrozenPlan,
  type PlanFailure,
  type PlanFailureCode,
  type PlanHashInputs,
  type PlanInputs,
  type PlanResult,
} from './turn-start/plan.ts';
export { deepFreeze, mutableCopy, type DeepReadonly } from './turn-start/freeze.ts';
export {
  BUNDLE_ORDER,
  type AdmissionValue,
  type ControlPlaneSnapshot,
  type CpFailure,
  type CpFailureCode,
  type CpModuleId,
  type CpRead,
  type CpStep,
  type GraphCompilerValue,
  type LeaseValue,
  type PipelineRecord,
  type PolicyValue,
  type ProviderHealthValue,
  type RegistryValue,
  type RolloutValue,
  type RoutingViewValue,
} from './turn-start/snapshot.ts';
export {
  compileGraph,
  graphFingerprint,
  normalizePipelineRecord,
  resolvePipelineRecord,
  resolvePipelineVersion,
  type CompiledGraph,
  type GraphCompileInput,
  type VersionResolution,
} from './turn-start/cp-pipeline.ts';
export {
  cpAdmissionOutcome,
  resolveCpAdmission,
  resolveLease,
  resolvePolicy,
  resolveProviderHealth,
  resolveRoutingView,
  type CpAdmissionDecision,
  type LeaseResolution,
  type PolicyResolution,
  type RoutingView,
} from './turn-start/cp-runtime.ts';
export {
  resolveTurnStartBundle,
  type BundleRequest,
  type BundleResult,
  type TurnStartBundle,
} from './turn-start/bundle.ts';
export {
  observePreTurn,
  type PreTurnInput,
  type PreTurnObservation,
} from './turn-start/pre-turn.ts';
// RK-21 identity and sequencing.
export {
  correlationId,
  eventId,
  formatOrdinal,
  idPart,
  idempotencyKey,
  identify,
  sha256Hex,
  type EventIdentity,
} from './identity/ids.ts';
export {
  buildOutcome,
  buildSignal,
  nonNegativeInt,
  type OutcomeSpec,
  type SignalSpec,
  type StampContext,
} from './identity/stamp.ts';
export {
  DEFAULT_RETRY_WINDOW,
  createSequencer,
  isSignalOutput,
  type SequencedRecord,
  type Sequencer,
  type SequencerOptions,
  type SignalOutput,
} from './identity/sequencer.ts';
// RK-25 local admission.
export {
  ADMISSION_ALLOW_REASON,
  ADMISSION_POLICY_DEFAULTS,
  bundleFailureDecision,
  evaluatePreTurnAdmission,
  evaluateSchedulingPoint,
  hasCapacity,
  isSnapshotValid,
  planFailureDecision,
  preTurnDecision,
  shedDecision,
  shedScope,
  type AdmissionDecision,
  type AdmissionPolicies,
  type AdmissionSnapshotView,
  type CapacityView,
  type LocalAdmissionView,
  type PreTurnAdmission,
  type PreTurnOutcomeKind,
  type SchedulingLoad,
  type ShedScope,
} from './admission/admission.ts';
// RK-24 epoch guard and RK-05 event ABI gateway.
export {
  checkEgressEpoch,
  checkIngressEpoch,
  enrichEpoch,
  type EpochCarrier,
  type EpochCheck,
  type EpochCheckOptions,
  type EpochDirection,
  type RoutingEpochView,
  type StaleEpochDiagnostic,
} from './guard/epoch.ts';
export {
  DEFAULT_SCHEMA_VERSION,
  applyAbiDefaults,
  createEventGateway,
  type AdmittedEvent,
  type EventGateway,
  type GatewayBatchResult,
  type GatewayRejectCode,
  type GatewayRejection,
} from './guard/gateway.ts';
// RK-26 execution pool.
export {
  POOL_DEFAULTS,
  PoolTaskWithdrawn,
  createExecutionPool,
  type ExecutionPool,
  type PoolClock,
  type PoolOptions,
  type PoolStats,
  type PoolTask,
  type PoolTaskResult,
  type SubmitResult,
} from './pool/pool.ts';
export { poolProviders, pooledPort, type PooledCatalogue } from './pool/pooled-ports.ts';
// RK-12/13/14 edge buffers, watermarks and flow control, minimal RK-15 (ADR 0008).
export {
  EdgeBuffer,
  EdgeConfigError,
  MAX_MERGED_SOURCES,
  coalesceSeqRanges,
  createEdgeBuffer,
  createManualClock,
  createSignalStamper,
  resolveLaneConfigs,
  type BlockSettlement,
  type BufferPolicy,
  type DequeuedItem,
  type EdgeBufferOptions,
  type EdgeItem,
  type EdgeRecord,
  type EdgeStats,
  type FlowControlPolicy,
  type FlowMode,
  type FlowSignal,
  type LaneConfig,
  type LaneStats,
  type LaneStrategy,
  type LaneTuning,
  type LaneWatermarks,
  type ManualClock,
  type ManualClockOptions,
  type MergeSource,
  type OfferOutcome,
  type PayloadMerger,
  type PressureState,
  type QueueMetrics,
  type RuntimeClock,
  type SignalDraft,
  type SignalStamper,
  type StamperIdentity,
  type SyncLossConfig,
  type TimerHandle,
} from './edges/index.ts';
// RK-16 cancellation tokens and manager, RK-22 egress fence (ADR 0008).
export {
  EgressFence,
  type CancelMarkers,
  type EgressDecision,
  type EgressFenceOptions,
  type FenceCause,
  type FenceDiagnostic,
  type FenceDiagnosticCode,
} from './fence/index.ts';
// Runtime composition, RK-07 graph executor + RK-06 lane router, RK-08 node actors (ADR 0012).
export {
  RUNTIME_LIMIT_DEFAULTS,
  RuntimeError,
  createRuntime,
  type EvidenceVerdict,
  type FeedResult,
  type IngressKind,
  type InspectionObserver,
  type Runtime,
  type RuntimeErrorCode,
  type RuntimeLimits,
  type RuntimeListener,
  type RuntimeOptions,
  type RuntimeOutput,
  type RuntimeRefusal,
  type RuntimeTurnFacts,
  type SessionEvidence,
  type SessionIdentity,
  type SessionOptions,
  type TransportEvent,
} from './runtime/index.ts';
export {
  DEFAULT_GRAPH,
  compileRuntimeGraph,
  laneQueue,
  lanePriority,
  type GraphCompileResult,
  type GraphErrorCode,
  type GraphSpec,
  type RuntimeGraph,
} from './graph/graph.ts';
export { SIMPLE_EDGE_PLAN, type EdgePlan } from './graph/edge-inputs.ts';
export { InputLog, InputNotReplayableError } from './graph/input-log.ts';
export type { GraphItem, ProviderCatalogue } from './nodes/types.ts';
// Transport bridge: the transport gateway's side of a session, with its egress fence (ADR 0014).
export {
  DEFAULT_BRIDGE_TURNS,
  createTransportBridge,
  type BridgeDiagnostic,
  type BridgeDiagnosticCode,
  type BridgeIngress,
  type BridgeStats,
  type TransportBridge,
  type TransportBridgeOptions,
} from './bridge/index.ts';
