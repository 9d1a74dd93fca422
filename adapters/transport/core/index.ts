/**
 * Shared core of the local transports (wav and console): the ingress events they feed the
 * runtime and the RK-23 signals they report. Internal to adapters/transport.
 */
export { createIngressStamper, type IngressIdentity, type IngressStamper } from './ingress.ts';
export {
  CONNECTION_SIGNALS,
  type ConnectionSignalName,
  type LocalAudioFrame,
  type LocalTransportEvent,
} from './types.ts';
