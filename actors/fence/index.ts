/**
 * Public surface of actors/fence: RK-16 cancellation tokens and manager, RK-22 egress fence.
 */
export {
  CancelToken,
  DEFAULT_MAX_CHILDREN,
  type CancelCause,
  type CancelReason,
  type CancelScope,
} from './cancel-token.ts';
export {
  CancellationManager,
  createCancellationManager,
  type CancelReceipt,
  type CancelRequest,
  type CancellationManagerOptions,
} from './cancellation-manager.ts';
export {
  EgressFence,
  type CancelMarkers,
  type EgressDecision,
  type EgressFenceOptions,
  type FenceCause,
  type FenceDiagnostic,
  type FenceDiagnosticCode,
} from './egress-fence.ts';
