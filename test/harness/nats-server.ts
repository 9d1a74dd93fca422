/** The test harness's nats-server launcher: the one in tools/nats, shared with the benchmarks. */
export {
  findFreeLoopbackPort,
  findNatsServerBinary,
  startNatsServer,
  type NatsServerHandle,
  type NatsServerOptions,
  type NatsStopMode,
} from '../../tools/nats/nats-server.ts';
