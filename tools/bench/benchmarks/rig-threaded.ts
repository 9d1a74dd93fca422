/**
 * The rig with its transport side in a worker thread (`transport-thread.ts`) on its own NATS
 * connection, and the worker side (runtime) here. Both stamp times with `monoMs`, one clock for
 * both threads.
 */
import { Worker } from 'node:worker_threads';
import type { IngressKind } from '../../../actors/index.ts';
import type { BusPort } from '../../../contracts/index.ts';
import type { RigFactory, RigSession, SendTimes, SessionHooks } from './runtime-kit.ts';
import { buildRigRuntime, deliver, openWorkerSide } from './rig-sides.ts';
import type { ThreadCommand, ThreadMessage } from './transport-thread.ts';

/** Distributes `Omit` over a union, so each command keeps its own fields. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The main thread's handle on one transport thread. */
type TransportThread = {
  call(command: WithoutId<ThreadCommand>): Promise<unknown>;
  watch(session_id: string, hooks: SessionHooks): void;
  unwatch(session_id: string): void;
  stop(): Promise<void>;
};

function startTransportThread(natsUrl: string): TransportThread {
  const worker = new Worker(new URL('./transport-thread.mjs', import.meta.url), {
    workerData: { natsUrl },
  });
  // A scenario that throws must not leave the process running because of this thread.
  worker.unref();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const hooks = new Map<string, SessionHooks>();
  let nextId = 1;
  let failure: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: ThreadMessage) => {
      if (message.op === 'ready') resolve();
      else if (message.op === 'events') {
        for (const { session_id, event } of message.events) {
          const watcher = hooks.get(session_id);
          if (watcher !== undefined) deliver(watcher, event);
        }
      } else {
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        if (message.error === undefined) waiter?.resolve(message.value);
        else waiter?.reject(new Error(`transport thread: ${message.error}`));
      }
    });
    const fail = (error: Error) => {
      failure = error;
      reject(error);
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(new Error(`transport thread exited with code ${String(code)}`)),
    );
  });
  // Seen by the next call; a failure before any call must not be an unhandled rejection.
  ready.catch(() => undefined);
  return {
    async call(command) {
      await ready;
      if (failure !== null) throw failure;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...command, id });
      });
    },
    watch: (session_id, watcher) => hooks.set(session_id, watcher),
    unwatch: (session_id) => hooks.delete(session_id),
    async stop() {
      try {
        await this.call({ op: 'stop' });
      } finally {
        await worker.terminate();
      }
    },
  };
}

/** One send waiting to go to the thread with the others of its tick. */
type QueuedSend = {
  readonly session_id: string;
  readonly kind: IngressKind;
  readonly text?: string;
  readonly resolve: (times: SendTimes) => void;
  readonly reject: (error: Error) => void;
};

/**
 * Sends made in one tick (200 sessions' frames, say) go to the thread as one message, so the
 * main thread, which is the worker side, is not busy with one reply per frame.
 */
function batchedSends(thread: TransportThread) {
  let queued: QueuedSend[] = [];
  const flush = () => {
    const items = queued;
    queued = [];
    thread
      .call({
        op: 'sendBatch',
        items: items.map(({ session_id, kind, text }) => ({
          session_id,
          kind,
          ...(text === undefined ? {} : { text }),
        })),
      })
      .then(
        (times) => items.forEach((item, i) => item.resolve((times as SendTimes[])[i] as SendTimes)),
        (error: unknown) =>
          items.forEach((item) =>
            item.reject(error instanceof Error ? error : new Error(String(error))),
          ),
      );
  };
  return (session_id: string, kind: IngressKind, text?: string): Promise<SendTimes> =>
    new Promise((resolve, reject) => {
      if (queued.length === 0) queueMicrotask(flush);
      queued.push({ session_id, kind, ...(text === undefined ? {} : { text }), resolve, reject });
    });
}

/** Rigs whose worker side runs here on `worker` and transport side in a thread on `natsUrl`. */
export function threadedRigs(worker: BusPort, natsUrl: string): RigFactory {
  return (options = {}) => {
    const { runtime, clock } = buildRigRuntime(worker, options);
    const thread = startTransportThread(natsUrl);
    const send = batchedSends(thread);
    return {
      runtime,
      async open(session_id, hooks = {}): Promise<RigSession> {
        const side = await openWorkerSide(runtime, worker, session_id, hooks);
        thread.watch(session_id, hooks);
        await thread.call({ op: 'open', session_id });
        return {
          send: (kind, text) => send(session_id, kind, text),
          burst: async (kind, count) =>
            (await thread.call({ op: 'burst', session_id, kind, count })) as SendTimes,
          egress: () => side.egress(),
          feedNow: (kind, text) => side.feedNow(kind, text),
          async close() {
            await side.close();
            await thread.call({ op: 'close', session_id });
            thread.unwatch(session_id);
          },
        };
      },
      async close() {
        await runtime.stop();
        clock.dispose();
        await thread.stop();
      },
    };
  };
}
