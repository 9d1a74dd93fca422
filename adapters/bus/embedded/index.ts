/** Embedded (in-process) bus adapter: the default, deterministic implementation of the bus port. */
export { createEmbeddedBus, type EmbeddedBus, type EmbeddedBusOptions } from './embedded-bus.ts';
