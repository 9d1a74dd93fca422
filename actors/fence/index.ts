/**
 * Public surface of actors/fence: the RK-22 egress fence.
 */
export {
  EgressFence,
  type CancelMarkers,
  type FenceCause,
  type FenceDiagnostic,
  type FenceDiagnosticCode,
} from './egress-fence.ts';
