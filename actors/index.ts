/**
 * Public surface of actors/, for an embedder of the runtime (ADR 0031): `createRuntime`, its
 * options, inputs and outputs, the graph it runs, the clock and CP snapshot it takes, and the
 * transport bridge of a transport gateway. Everything else is internal: tools/ and test/ import
 * the defining modules (or a subfolder's index.ts) directly.
 */
// Runtime composition (ADR 0012, 0023).
export {
  RUNTIME_LIMIT_DEFAULTS,
  RuntimeError,
  createRuntime,
  type AuthorityChange,
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
// The graph every turn runs (RK-07) and the providers its nodes call.
export { DEFAULT_GRAPH, type GraphSpec } from './graph/graph.ts';
export type { ProviderCatalogue } from './nodes/types.ts';
// Injected time and the CP snapshot pre-turn evaluation reads.
export { createManualClock, type ManualClock, type RuntimeClock } from './edges/index.ts';
export type { ControlPlaneSnapshot } from './turn-start/snapshot.ts';
// Transport bridge: the transport gateway's side of a session, with its egress fence (ADR 0014).
export {
  createTransportBridge,
  type BridgeDiagnostic,
  type TransportBridge,
  type TransportBridgeOptions,
} from './bridge/index.ts';
