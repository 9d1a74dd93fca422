/**
 * Public surface of actors/bridge: the transport side of a session over the bus, with the
 * transport gateway's egress fence (ADR 0014).
 */
export { createTransportBridge } from './bridge.ts';
export type { BridgeDiagnostic, TransportBridge, TransportBridgeOptions } from './types.ts';
