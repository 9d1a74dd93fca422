/**
 * The rig with both sides in this thread, on one bus (the embedded bus, or one NATS connection
 * per side): the transport's bridge and the runtime share the event loop.
 */
import type { BusPort } from '../../../contracts/index.ts';
import type { RigFactory, RigSession } from './runtime-kit.ts';
import { buildRigRuntime, deliver, openTransportSide, openWorkerSide } from './rig-sides.ts';

/** Rigs whose worker side is on `worker` and transport side on `transport`, in this thread. */
export function inProcessRigs(worker: BusPort, transport: BusPort): RigFactory {
  return (options = {}) => {
    const { runtime, clock } = buildRigRuntime(worker, options);
    return {
      runtime,
      async open(session_id, hooks = {}): Promise<RigSession> {
        const side = await openWorkerSide(runtime, worker, session_id, hooks);
        const transportSide = await openTransportSide(transport, session_id, (e) =>
          deliver(hooks, e),
        );
        return {
          send: (kind, text) => transportSide.send(kind, text),
          burst: (kind, count) => transportSide.burst(kind, count),
          egress: () => side.egress(),
          feedNow: (kind, text) => side.feedNow(kind, text),
          async close() {
            await side.close();
            await transportSide.close();
          },
        };
      },
      async close() {
        await runtime.stop();
        clock.dispose();
      },
    };
  };
}
