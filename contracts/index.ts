/**
 * Public surface of contracts/: generated types for every artifact (more exports are added
 * by the validators and the signal registry).
 */
export type {
  ArtifactBundle,
  BufferStrategy,
  ControlSignal,
  ControlSignalEmitter,
  ControlSignalName,
  DecisionOutcome,
  EventAbi,
  EventEnvelope,
  EventRecord,
  EventScope,
  Lane,
  MediaTime,
  PayloadClass,
  ResolvedTurnPlan,
  SeqRange,
  TurnState,
  TurnTransition,
  WatermarkThreshold,
} from './generated/types.ts';
