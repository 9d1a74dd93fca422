/** The bus adapter's single window onto contracts/: the rest of adapters/bus imports from here. */
export type { BusEnvelope, BusPort, Lane } from '../../../contracts/index.ts';
export type {
  BusConnectionReason,
  BusConnectionState,
  BusDiagnostic,
  BusDiagnosticListener,
  BusDirection,
  BusEnvelopeRef,
  BusHandler,
  BusKind,
  BusLaneStats,
  BusLimits,
  BusLimitsOverride,
  BusSubscribeOptions,
  BusSubscription,
  BusSubscriptionStats,
} from '../../../contracts/internal.ts';
export { BusError, DEFAULT_BUS_LIMITS } from '../../../contracts/internal.ts';
export {
  CONTROL_STREAM_NAME,
  CONTROL_STREAM_SUBJECTS,
  LANES_BY_PRIORITY,
  assertSubjectToken,
  laneFilter,
  laneSubject,
} from '../../../contracts/internal.ts';
