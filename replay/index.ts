/**
 * Public surface of replay/: the OR-02 Stage-A recorder, baseline record assembly, the answerer
 * of the turn machine's evidence requests, and the export of Stage-A evidence to a sink.
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
  buildBaselineRecord,
  factsFromEvidenceRequest,
  type BaselineDraft,
  type BaselineFacts,
  type TurnEvidenceFacts,
} from './recorder/baseline.ts';
export {
  OR02_REDACTION_DEFAULTS,
  redactionDecisions,
  type RecordingLevel,
} from './recorder/redaction.ts';
export { promoteAttempts } from './recorder/promote.ts';
export {
  answerEvidenceRequest,
  attachEvidenceAnswerer,
  createEvidenceResponder,
  type EvidenceAnswer,
  type EvidenceResponder,
  type EvidenceResponderOptions,
  type EvidenceResponse,
} from './recorder/answer.ts';
export { exportStageA, type StageAExportReport } from './recorder/export.ts';
