/**
 * Public surface of actors/bridge: the transport side of a session over the bus, with the
 * transport gateway's egress fence (ADR 0014).
 */
export { createTransportBridge } from './bridge.ts';
export { DEFAULT_BRIDGE_TURNS } from './turn-table.ts';
export type {
  BridgeDiagnostic,
  BridgeDiagnosticCode,
  BridgeIngress,
  BridgeStats,
  TransportBridge,
  TransportBridgeOptions,
} from './types.ts';
