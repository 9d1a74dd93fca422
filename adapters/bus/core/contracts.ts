/** The bus adapter's single window onto contracts/: the rest of adapters/bus imports from here. */
export type { ControlSignal, EventRecord, Lane } from '../../../contracts/index.ts';
export type {
  BusConnectionReason,
  BusConnectionState,
  BusDiagnostic,
  BusDiagnosticListener,
  BusDirection,
  BusEnvelope,
  BusEnvelopeRef,
  BusHandler,
  BusKind,
  BusLaneLimits,
  BusLaneStats,
  BusLimits,
  BusLimitsOverride,
  BusPayload,
  BusPort,
  BusSubscribeOptions,
  BusSubscription,
  BusSubscriptionStats,
} from '../../../contracts/index.ts';
export { BusError, DEFAULT_BUS_LIMITS } from '../../../contracts/index.ts';
export {
  CONTROL_STREAM_NAME,
  CONTROL_STREAM_SUBJECTS,
  LANES_BY_PRIORITY,
  SubjectTokenError,
  assertSubjectToken,
  laneFilter,
  laneSubject,
} from '../../../contracts/index.ts';
