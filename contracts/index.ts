/**
 * Public surface of contracts/ (ADR 0031), for an embedder and a provider author: the record
 * types a runtime's outputs carry, the contract validator, the bus, provider and evidence sink
 * ports with their inputs, chunks and capabilities, the adapter error, and `invokeProvider` (how
 * the runtime calls a provider; conformance kits use it too). Names the other folders of this
 * repository use besides are in `internal.ts`.
 */
export type {
  ControlSignal,
  DecisionOutcome,
  EventRecord,
  InvocationAttempt,
  Lane,
  TurnTransition,
} from './generated/types.ts';
export type { ArtifactName } from './artifacts.ts';
export type { ValidationIssue } from './issues.ts';
export {
  createContractValidator,
  type ContractValidator,
  type ValidationResult,
} from './validate.ts';
export type { BusEnvelope, BusPayload, BusPort } from './ports/bus.port.ts';
export { AdapterError, toAdapterError, type AdapterErrorCode } from './errors.ts';
export type {
  LlmCapabilities,
  LlmChunk,
  LlmInput,
  LlmPort,
  ProviderRequest,
  SttCapabilities,
  SttChunk,
  SttInput,
  SttPort,
  TtsCapabilities,
  TtsChunk,
  TtsInput,
  TtsPort,
} from './ports/provider.port.ts';
export { invokeProvider, type ProviderSettlement } from './ports/provider-stream.ts';
export type { EvidenceSinkPort } from './ports/evidence.port.ts';
export type {
  RuntimeTelemetryPort,
  TelemetryDropReason,
  TelemetryNode,
  TelemetryNodeStatus,
  TelemetryTurnScope,
} from './ports/telemetry.port.ts';
