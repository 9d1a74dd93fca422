/**
 * The runtime measurements shared by the embedded and NATS benchmarks: edge throughput, ingress
 * latency, runtime overhead, cancel-to-silence, and many concurrent audio sessions. Each returns
 * raw samples; the benchmark files turn them into figures and gates.
 */
import { performance } from 'node:perf_hooks';
import { startTurn, until, type RigFactory, type RigSession } from './runtime-kit.ts';

let counter = 0;
/** A session id unique in this process (buses outlive rigs, so ids must not repeat). */
export const sid = (what: string) => `${what}-${String(process.pid)}-${String((counter += 1))}`;

/** Audio frames per second published by the transport and fed to the session by the worker side. */
export async function edgeThroughput(rigs: RigFactory, frames: number): Promise<number> {
  const rig = rigs();
  let fed = 0;
  let last = 0;
  const session = await rig.open(sid('tp'), {
    onFed: (_kind, _sent, at) => {
      fed += 1;
      last = at;
    },
  });
  const { at: start } = await session.burst('audio_frame', frames);
  await until(() => fed >= frames, 30_000);
  const elapsed = last - start;
  await session.close();
  await rig.close();
  return (fed / elapsed) * 1000;
}

/** Ms from the transport's publish of one audio frame until the session fed it (one at a time). */
export async function ingressLatency(rigs: RigFactory, samples: number): Promise<number[]> {
  const rig = rigs();
  const latencies: number[] = [];
  let wake = () => undefined as void;
  const session = await rig.open(sid('lat'), {
    onFed: (_kind, sent, fed) => {
      latencies.push(fed - sent);
      wake();
    },
  });
  for (let i = 0; i < samples; i++) {
    const done = new Promise<void>((resolve) => (wake = resolve));
    await session.send('audio_frame');
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  await session.close();
  await rig.close();
  return latencies;
}

/**
 * Samples of {@link outputOverhead} (ms): the warm-up turns' and the measured turns' overhead,
 * and, for the measured turns, the time from their last output chunk to their `close` at the
 * transport (negative when the close came first).
 */
export type OverheadSamples = {
  readonly cold: number[];
  readonly warm: number[];
  readonly lastChunkToClose: number[];
};

/**
 * Ms from publishing a final transcript to the first output chunk at the transport (zero-latency
 * sims). The first `warmup` turns run while V8 still compiles and optimises the turn path; they
 * are kept apart (`cold`) so the measured turns show the steady state of a running worker.
 */
export async function outputOverhead(
  rigs: RigFactory,
  trials: number,
  warmup: number,
): Promise<OverheadSamples> {
  const rig = rigs({ zeroLatency: true });
  const samples: OverheadSamples = { cold: [], warm: [], lastChunkToClose: [] };
  for (let i = 0; i < trials + warmup; i++) {
    let first: number | undefined;
    let last = 0;
    let connected = false;
    let closed: number | undefined;
    const session = await rig.open(sid('ovh'), {
      onChunk: (at) => {
        first ??= at;
        last = at;
      },
      onControl: (signal, at) => {
        connected ||= signal === 'connected';
        if (signal === 'close') closed ??= at;
      },
    });
    // The connection has gone through the runtime and back: only the turn is timed.
    await session.send('connection', 'connected');
    await until(() => connected, 5000);
    await session.send('speech_started');
    const { at: start } = await session.send('transcript_final', 'hello there');
    const came = await until(() => first !== undefined, 5000);
    if (came) (i < warmup ? samples.cold : samples.warm).push((first ?? start) - start);
    // One turn at a time: the rest of this turn would otherwise run inside the next trial's
    // window (the 200-session load scenario measures turns under concurrency).
    const ended = await until(() => closed !== undefined, 5000);
    if (came && ended && i >= warmup) samples.lastChunkToClose.push((closed ?? last) - last);
    await session.close();
  }
  await rig.close();
  return samples;
}

/**
 * One cancel trial: ms from the cancel call to the turn's last chunk, chunks after it returned
 * (both as the transport gets them from its bridge), and the chunks the bridge dropped.
 */
export type CancelSample = {
  readonly toLastChunkMs: number;
  readonly chunksAfterReturn: number;
  /** The turn ended with `abort` (the cancel won), not `commit`. */
  readonly aborted: boolean;
  /** Chunks of the turn that were still in flight on the bus and that the bridge's fence dropped. */
  readonly droppedByBridge: number;
};

/** Cancels a speaking turn (real-time sims) and watches what still reaches the transport. */
export async function cancelToSilence(rigs: RigFactory, trials: number): Promise<CancelSample[]> {
  const rig = rigs({ dense: true });
  const samples: CancelSample[] = [];
  const closing: Promise<void>[] = [];
  for (let i = 0; i < trials; i++) {
    const chunks: number[] = [];
    let closed = false;
    let aborted = false;
    let dropped = 0;
    const session = await rig.open(sid('cxl'), {
      onChunk: (at) => chunks.push(at),
      onDropped: (code) => (dropped += code === 'late_after_cancel' ? 1 : 0),
      onControl: (signal) => {
        closed ||= signal === 'close';
        aborted ||= signal === 'abort';
      },
    });
    await startTurn(session, 'tell me a long story');
    if (await until(() => chunks.length > 0, 10_000)) {
      const { at: called, done: returned } = await session.send('cancel');
      await until(() => closed, 5000);
      // Anything still in flight lands within a few ms of the close on loopback.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const last = Math.max(...chunks);
      samples.push({
        toLastChunkMs: Math.max(0, last - called),
        chunksAfterReturn: chunks.filter((at) => at > returned).length,
        aborted,
        droppedByBridge: dropped,
      });
    }
    closing.push(session.close());
  }
  await Promise.all(closing);
  await rig.close();
  return samples;
}

/** Splits `items` into `n` groups of (nearly) equal size, in order. */
function spread<T>(items: readonly T[], n: number): T[][] {
  const groups: T[][] = Array.from({ length: Math.min(n, items.length) }, () => []);
  items.forEach((item, i) => groups[i % groups.length]?.push(item));
  return groups;
}

/** Result of {@link concurrentAudio}. */
export type LoadResult = {
  readonly latencies: readonly number[];
  readonly sent: number;
  readonly fed: number;
  readonly egressSent: number;
  readonly egressReceived: number;
  /** Ms each group sent later than its frame clock said (the bench itself falling behind). */
  readonly sendLagsMs: readonly number[];
  /** Frames per second per session actually sent (50 when the bench kept up). */
  readonly framesPerSecond: number;
};

/** Frame phases of the load scenario: every session on one 20 ms clock, or spread over it. */
export type LoadPhasing = 'aligned' | 'staggered';

/** Groups a staggered load is spread over, 2 ms apart within each 20 ms frame. */
const PHASE_GROUPS = 10;

/**
 * `sessions` sessions each streaming a 20 ms frame in and one out every 20 ms for `seconds`.
 * `aligned`: every session sends on the same tick (a burst of `sessions` frames each 20 ms).
 * `staggered`: each session keeps its own frame clock, as independent calls do (they connect at
 * different moments), spread in 10 groups 2 ms apart.
 */
export async function concurrentAudio(
  rigs: RigFactory,
  sessions: number,
  seconds: number,
  phasing: LoadPhasing = 'aligned',
): Promise<LoadResult> {
  const rig = rigs({ max_sessions: sessions });
  const latencies: number[] = [];
  let egressReceived = 0;
  const open = await Promise.all(
    Array.from({ length: sessions }, (_, i) =>
      rig.open(sid(`load${String(i)}`), {
        onFed: (_kind, sent, fed) => latencies.push(fed - sent),
        onEgress: () => (egressReceived += 1),
      }),
    ),
  );
  const groups = phasing === 'aligned' ? [open] : spread(open, PHASE_GROUPS);
  const slot = 20 / groups.length;
  let sent = 0;
  let egressSent = 0;
  const sendLagsMs: number[] = [];
  const ticks = Math.round((seconds * 1000) / 20);
  const start = performance.now();
  // Each group keeps its own frame clock: it waits only for its own sends, never for another
  // group's, so one slow group does not push the others' phases.
  const runGroup = async (group: readonly RigSession[], offset: number) => {
    for (let tick = 0; tick < ticks; tick++) {
      const due = start + tick * 20 + offset;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
      sendLagsMs.push(performance.now() - due);
      await Promise.all(group.map((s) => s.send('audio_frame')));
      await Promise.all(group.map((s) => s.egress()));
      sent += group.length;
      egressSent += group.length;
    }
  };
  await Promise.all(groups.map((group, g) => runGroup(group, g * slot)));
  const framesPerSecond = ((sent / sessions) * 1000) / (performance.now() - start);
  await until(() => latencies.length >= sent && egressReceived >= egressSent, 10_000);
  await Promise.all(open.map((s) => s.close()));
  await rig.close();
  return {
    latencies,
    sent,
    fed: latencies.length,
    egressSent,
    egressReceived,
    sendLagsMs,
    framesPerSecond,
  };
}
