/**
 * The inspector's in-process model and fan-out. It takes XState inspection events (its `inspect`
 * observer is what `createRuntime({ inspect })` is given) and runtime outputs, keeps the live
 * actor tree and a ring of recent ControlLane entries, both bounded, and hands each connected
 * page its messages through a bounded drop queue flushed on a timer. The observer does a fixed,
 * small amount of work per event and never waits on I/O, so it cannot slow a turn; a client
 * whose queue overflowed (or whose socket backs up) is sent one `reset` with the current tree
 * instead of what it missed, and the drop is counted on its page.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { Runtime, RuntimeOutput } from '../../actors/index.ts';
import { createDropQueue, type DropQueue } from './drop-queue.ts';
import {
  decisionEntry,
  projectInspection,
  signalEntry,
  type ActorView,
  type InspectorMessage,
  type InspectorStats,
  type TimelineEntry,
} from './projection.ts';

/** Limits of a hub; every one bounds memory. */
export type HubLimits = {
  /** Actors tracked at once (default 4 000: 200 sessions of ~15 live actors, with room). */
  readonly actors: number;
  /** Timeline entries kept for a page that connects later (default 500). */
  readonly timeline: number;
  /** Messages queued per client between flushes (default 2 000). */
  readonly queue: number;
  /** A client whose socket holds more unsent bytes than this is skipped (default 1 MiB). */
  readonly buffered_bytes: number;
};

/** Options of {@link createInspectorHub}. */
export type HubOptions = {
  readonly limits?: Partial<HubLimits>;
  /** Wall-clock ms between flushes to the clients (default 50); 0: only {@link InspectorHub.flush}. */
  readonly flush_every_ms?: number;
};

/** One connected page, as the hub sees it. */
export type HubClient = {
  /** Sends one text frame. */
  send(frame: string): void;
  /** Bytes the transport has not sent yet. */
  bufferedAmount(): number;
};

/** The in-process inspector model. */
export type InspectorHub = {
  /** The observer for `createRuntime({ inspect })` (see `attachInspector`). */
  readonly inspect: (event: InspectionEvent) => void;
  /** Takes one runtime output: ControlLane signals and decision outcomes join the timeline. */
  observe(output: RuntimeOutput): void;
  /** Subscribes to a runtime session's outputs (see {@link InspectorHub.observe}); returns the unsubscribe. */
  watch(runtime: Pick<Runtime, 'subscribe'>, session_id: string): () => void;
  /** Adds a page: it gets a `reset` with the current model at the next flush. Returns its removal. */
  connect(client: HubClient): () => void;
  /** Sends every client what is queued for it (the timer calls this). */
  flush(): void;
  /** The current model (bounded). */
  snapshot(): { actors: ActorView[]; timeline: TimelineEntry[]; untracked: number };
  /** Stops the flush timer and forgets every client. */
  close(): void;
};

const DEFAULT_LIMITS: HubLimits = {
  actors: 4_000,
  timeline: 500,
  queue: 2_000,
  buffered_bytes: 1 << 20,
};

type ClientState = {
  readonly client: HubClient;
  readonly queue: DropQueue<InspectorMessage>;
  needsReset: boolean;
  dropped: number;
};

/** Creates a hub; start its server with `startInspectorServer`. */
export function createInspectorHub(options: HubOptions = {}): InspectorHub {
  const limits: HubLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const actors = new Map<string, ActorView>();
  const timeline: TimelineEntry[] = [];
  const clients = new Set<ClientState>();
  // XState numbers actors per actor system, and each session is its own system: the key of an
  // actor is its system's number here plus its sessionId there.
  const systems = new WeakMap<object, number>();
  let untracked = 0;

  let systemCount = 0;
  const systemKey = (ref: AnyActorRef): string => {
    const system = ref.system as object;
    let n = systems.get(system);
    if (n === undefined) {
      systemCount += 1;
      n = systemCount;
      systems.set(system, n);
    }
    return `s${n}`;
  };

  const keyed = (ref: AnyActorRef, actor: ActorView): ActorView => {
    const prefix = systemKey(ref);
    return {
      ...actor,
      ref: `${prefix}/${actor.ref}`,
      parent: actor.parent === null ? null : `${prefix}/${actor.parent}`,
    };
  };

  const stats = (state: ClientState): InspectorStats => ({
    dropped: state.dropped,
    untracked,
    limits: { actors: limits.actors, timeline: limits.timeline, queue: limits.queue },
  });

  const fanOut = (message: InspectorMessage) => {
    for (const state of clients) {
      if (state.needsReset) state.dropped += 1;
      else if (!state.queue.push(message)) state.needsReset = true;
    }
  };

  const inspect = (event: InspectionEvent) => {
    const projected = projectInspection(event);
    if (projected === null || (projected.t !== 'actor' && projected.t !== 'state')) return;
    const actor = keyed(event.actorRef as AnyActorRef, projected.actor);
    if (projected.t === 'actor') {
      if (actors.size >= limits.actors) {
        untracked += 1;
        return;
      }
      actors.set(actor.ref, actor);
    } else {
      const known = actors.get(actor.ref);
      // Untracked (over the limit), or a snapshot that only changed context: nothing to show.
      if (known === undefined) return;
      if (known.value === actor.value && known.status === actor.status) return;
      if (actor.status === 'active') actors.set(actor.ref, actor);
      else actors.delete(actor.ref);
    }
    fanOut({ t: projected.t, actor });
  };

  const observe = (output: RuntimeOutput) => {
    let entry: TimelineEntry;
    if (output.kind === 'control') entry = signalEntry(output.record);
    else if (output.kind === 'outcome') entry = decisionEntry(output.outcome);
    else return; // data, reply and the rest may carry user content: never read here
    timeline.push(entry);
    if (timeline.length > limits.timeline) timeline.splice(0, timeline.length - limits.timeline);
    fanOut({ t: 'timeline', entry });
  };

  const snapshot = () => ({ actors: [...actors.values()], timeline: [...timeline], untracked });

  const flush = () => {
    for (const state of clients) {
      if (state.client.bufferedAmount() > limits.buffered_bytes) {
        // The page is not reading: stop queueing for it and resynchronise once it drains.
        state.dropped += state.queue.take().length;
        state.needsReset = true;
        continue;
      }
      const messages = state.queue.take();
      state.dropped += state.queue.takeDropped();
      if (state.needsReset) {
        state.needsReset = false;
        const { actors: all, timeline: recent } = snapshot();
        state.client.send(
          JSON.stringify([{ t: 'reset', actors: all, timeline: recent, stats: stats(state) }]),
        );
      } else if (messages.length > 0) {
        state.client.send(JSON.stringify([...messages, { t: 'stats', stats: stats(state) }]));
      }
    }
  };

  const timer =
    (options.flush_every_ms ?? 50) > 0 ? setInterval(flush, options.flush_every_ms ?? 50) : null;
  timer?.unref();

  return {
    inspect,
    observe,
    watch: (runtime, session_id) => runtime.subscribe(session_id, observe),
    connect(client) {
      const state: ClientState = {
        client,
        queue: createDropQueue(limits.queue),
        needsReset: true,
        dropped: 0,
      };
      clients.add(state);
      return () => {
        clients.delete(state);
      };
    },
    flush,
    snapshot,
    close() {
      if (timer !== null) clearInterval(timer);
      clients.clear();
    },
  };
}
