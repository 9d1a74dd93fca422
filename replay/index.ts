/**
 * Public surface of replay/ (ADR 0031): the OR-02 Stage-A recorder, the facts of a baseline
 * record, the answerer of the turn machine's evidence requests, and the export of Stage-A
 * evidence to a sink: what an embedder needs to build a runtime's `SessionEvidence`.
 */
export { createStageARecorder } from './recorder/stage-a.ts';
export {
  STAGE_A_DEFAULT_LIMITS,
  type AppendFailedMarker,
  type BaselineAppendContext,
  type BaselineAppendResult,
  type BaselineFailureReason,
  type DetailAppendResult,
  type DetailFailureReason,
  type InvocationSnapshot,
  type StageAEntry,
  type StageAEntryKind,
  type StageALimits,
  type StageARecorder,
  type StageARecorderOptions,
  type StageARegion,
  type StageARegionStats,
  type StageAStats,
} from './recorder/types.ts';
export {
  factsFromEvidenceRequest,
  type BaselineFacts,
  type TurnEvidenceFacts,
} from './recorder/baseline.ts';
export type { RecordingLevel } from './recorder/redaction.ts';
export {
  attachEvidenceAnswerer,
  createEvidenceResponder,
  type EvidenceAnswer,
  type EvidenceResponder,
  type EvidenceResponderOptions,
  type EvidenceResponse,
} from './recorder/answer.ts';
export { exportStageA, type StageAExportReport } from './recorder/export.ts';
