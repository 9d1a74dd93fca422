/**
 * Shared core of the bus adapter (embedded and nats): the per-subscription inbox, envelope
 * checks and wire form, limits and diagnostics, so both implementations behave the same by
 * construction. Internal to adapters/bus.
 */
export { DiagnosticsHub } from './diagnostics.ts';
export {
  BINARY_MAX_BYTES,
  checkDirection,
  checkEnvelope,
  copyBytes,
  decodeEnvelope,
  encodeEnvelope,
  type CheckedEnvelope,
} from './envelope.ts';
export { SubscriptionInbox, type Schedule } from './inbox.ts';
export { resolveLimits } from './limits.ts';
export {
  BusError,
  CONTROL_STREAM_NAME,
  CONTROL_STREAM_SUBJECTS,
  assertSubjectToken,
  laneFilter,
} from './contracts.ts';
export type {
  BusConnectionReason,
  BusConnectionState,
  BusDiagnosticListener,
  BusDirection,
  BusEnvelope,
  BusEnvelopeRef,
  BusHandler,
  BusPort,
  BusSubscribeOptions,
  BusSubscription,
  Lane,
} from './contracts.ts';
