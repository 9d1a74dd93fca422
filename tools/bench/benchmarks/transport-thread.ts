/**
 * The benchmark's transport side in its own thread, as a transport gateway is its own process:
 * its own NATS connection and event loop, so it reads the runtime's output as soon as it
 * arrives instead of after the worker side's work. Driven by {@link ThreadCommand}s; reports
 * replies and batched {@link BridgeEvent}s. This module is the thread's entry point (its
 * composition root), so the thread's state lives at module level here and nowhere else.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { IngressKind } from '../../../actors/index.ts';
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import { openTransportSide, type BridgeEvent, type TransportSide } from './rig-sides.ts';

/** A request from the main thread. */
export type ThreadCommand =
  | { readonly id: number; readonly op: 'open' | 'close'; readonly session_id: string }
  | {
      readonly id: number;
      readonly op: 'sendBatch';
      readonly items: readonly {
        readonly session_id: string;
        readonly kind: IngressKind;
        readonly text?: string;
      }[];
    }
  | {
      readonly id: number;
      readonly op: 'burst';
      readonly session_id: string;
      readonly kind: IngressKind;
      readonly count: number;
    }
  | { readonly id: number; readonly op: 'stop' };

/** What the thread posts back. */
export type ThreadMessage =
  | { readonly op: 'ready' }
  | { readonly op: 'reply'; readonly id: number; readonly value?: unknown; readonly error?: string }
  | {
      readonly op: 'events';
      readonly events: readonly { readonly session_id: string; readonly event: BridgeEvent }[];
    };

const port = parentPort;
if (port === null) throw new Error('transport-thread: must run in a worker thread');
const { natsUrl } = workerData as { natsUrl: string };
const bus = await createNatsBus({ servers: natsUrl, name: 'bench-transport' });
const sides = new Map<string, TransportSide>();
// Events go out in one message per turn of this thread's event loop, not one per chunk.
let batch: { session_id: string; event: BridgeEvent }[] = [];
const flush = () => {
  const events = batch;
  batch = [];
  port.postMessage({ op: 'events', events } satisfies ThreadMessage);
};

const sideOf = (session_id: string): TransportSide => {
  const side = sides.get(session_id);
  if (side === undefined) throw new Error(`unknown session ${session_id}`);
  return side;
};

const run = async (command: ThreadCommand): Promise<unknown> => {
  switch (command.op) {
    case 'open': {
      const side = await openTransportSide(bus, command.session_id, (event) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ session_id: command.session_id, event });
      });
      sides.set(command.session_id, side);
      return undefined;
    }
    case 'sendBatch':
      // Started in order, so one session's sends keep their order on the bus.
      return Promise.all(command.items.map((i) => sideOf(i.session_id).send(i.kind, i.text)));
    case 'burst':
      return sideOf(command.session_id).burst(command.kind, command.count);
    case 'close':
      await sides.get(command.session_id)?.close();
      sides.delete(command.session_id);
      return undefined;
    case 'stop':
      for (const side of sides.values()) await side.close();
      sides.clear();
      await bus.close();
      return undefined;
  }
};

port.on('message', (command: ThreadCommand) => {
  run(command).then(
    (value) => port.postMessage({ op: 'reply', id: command.id, value } satisfies ThreadMessage),
    (error: unknown) =>
      port.postMessage({
        op: 'reply',
        id: command.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies ThreadMessage),
  );
});
port.postMessage({ op: 'ready' } satisfies ThreadMessage);
