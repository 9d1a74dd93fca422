/** NATS bus adapter: the distributed implementation of the bus port (v3 client, JetStream ControlLane). */
export {
  CONTROL_PUBLISH_DEFAULTS,
  CONTROL_STREAM_LIMITS,
  createNatsBus,
  type NatsBus,
  type NatsBusOptions,
  type OrderedRecord,
} from './nats-bus.ts';
export { BINARY_LENGTH_HEADER } from './wire.ts';
