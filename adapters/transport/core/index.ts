/**
 * Shared core of the transports (wav, console and livekit): the ingress events they feed the
 * runtime, the RK-23 signals they report and the energy voice activity detector. Internal to
 * adapters/transport.
 */
export { createIngressStamper, type IngressIdentity, type IngressStamper } from './ingress.ts';
export {
  CONNECTION_SIGNALS,
  type ConnectionSignalName,
  type LocalAudioFrame,
  type LocalTransportEvent,
} from './types.ts';
export { createEnergyVad, levelDbfs, type EnergyVad, type VadOptions } from './vad.ts';
