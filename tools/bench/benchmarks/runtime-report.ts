/**
 * Runs every bus-level runtime scenario on one kind of rig and states each target with an
 * honest pass/fail, shared by `runtime-embedded` and `runtime-nats`.
 */
import type { BenchMetric, BenchResult } from '../benchmark.ts';
import { figure, gate, latencyFigures, percentile, type RigFactory } from './runtime-kit.ts';
import {
  cancelToSilence,
  concurrentAudio,
  edgeThroughput,
  ingressLatency,
  outputOverhead,
} from './runtime-scenarios.ts';
import { runtimeTurnReport } from './runtime-turn-report.ts';

/** Targets of one bus (ms). */
export type RuntimeTargets = {
  readonly overheadP95Ms: number;
  /** A turn's last output chunk -> its `close`, both at the transport. */
  readonly closeP95Ms: number;
  readonly cancelP95Ms: number;
  readonly loadP99Ms: number;
  /** Duration of a `runtime.feed` call that cancels or barges in on a speaking turn (aim). */
  readonly feedP99Ms: number;
};

/** Sizes of the scenarios. */
const SIZE = {
  frames: 5000,
  samples: 1000,
  overhead: 200,
  // Turns before the measured ones: the turn path is compiled and optimised by then (ADR 0019).
  overheadWarmup: 100,
  cancel: 15,
  sessions: 200,
  seconds: 3,
};

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/** Runs the scenarios on rigs from `rigs` and reports figures, gates and notes. */
export async function runtimeBusReport(
  label: string,
  rigs: RigFactory,
  targets: RuntimeTargets,
): Promise<BenchResult> {
  const metrics: BenchMetric[] = [];
  const notes: string[] = [];
  const rate = await edgeThroughput(rigs, SIZE.frames);
  metrics.push(
    figure(
      'edge_events_per_second',
      `${String(SIZE.frames)} audio frames, transport publish -> session fed (one bus edge)`,
      'events/s',
      rate,
    ),
  );

  const latency = await ingressLatency(rigs, SIZE.samples);
  metrics.push(
    ...latencyFigures(
      'ingress_to_first_node',
      'time from transport publish to the session ingress stage (RK-05/RK-22) done, one frame at a time',
      latency,
    ),
  );

  const {
    cold,
    warm: overhead,
    lastChunkToClose,
  } = await outputOverhead(rigs, SIZE.overhead, SIZE.overheadWarmup);
  const overheadP95 = percentile(overhead, 95);
  metrics.push(
    ...latencyFigures(
      'transcript_to_first_chunk',
      `time from publishing a final transcript to the first output chunk at the transport, zero-latency sims, after ${String(SIZE.overheadWarmup)} warm-up turns`,
      overhead,
    ),
    figure(
      'transcript_to_first_chunk_cold_p95_us',
      `the same, p95 over the ${String(cold.length)} warm-up turns of a fresh process (not gated)`,
      'µs',
      percentile(cold, 95) * 1000,
    ),
  );
  metrics.push(
    gate(
      `overhead_p95_le_${String(targets.overheadP95Ms)}_ms`,
      `runtime overhead p95 <= ${String(targets.overheadP95Ms)} ms`,
      overheadP95 <= targets.overheadP95Ms,
    ),
  );
  notes.push(
    `${label}: transcript -> first chunk p95 ${overheadP95.toFixed(3)} ms over ${String(overhead.length)}/${String(SIZE.overhead)} trials after ${String(SIZE.overheadWarmup)} warm-up turns (their p95: ${percentile(cold, 95).toFixed(3)} ms), target <= ${String(targets.overheadP95Ms)} ms: ${verdict(overheadP95 <= targets.overheadP95Ms)}.`,
  );

  const closeP95 = percentile(lastChunkToClose, 95);
  metrics.push(
    ...latencyFigures(
      'last_chunk_to_close',
      "time from a turn's last output chunk to its close, both as they reach the transport, the same measured turns",
      lastChunkToClose,
    ),
    gate(
      `last_chunk_to_close_p95_le_${String(targets.closeP95Ms)}_ms`,
      `last output chunk -> close p95 <= ${String(targets.closeP95Ms)} ms`,
      closeP95 <= targets.closeP95Ms,
    ),
  );
  notes.push(
    `${label}: last chunk -> close p95 ${closeP95.toFixed(3)} ms over ${String(lastChunkToClose.length)} turns (min ${Math.min(...lastChunkToClose).toFixed(3)} ms; negative: the close came first), target <= ${String(targets.closeP95Ms)} ms: ${verdict(closeP95 <= targets.closeP95Ms)}.`,
  );

  const cancels = await cancelToSilence(rigs, SIZE.cancel);
  const toLast = cancels.map((c) => c.toLastChunkMs);
  const after = cancels.map((c) => c.chunksAfterReturn);
  const cancelP95 = percentile(toLast, 95);
  const aborted = cancels.filter((c) => c.aborted).length;
  metrics.push(
    ...latencyFigures(
      'cancel_to_last_chunk',
      'time from the cancel call to the last output chunk of the cancelled turn at the transport (0 when none came after the call)',
      toLast,
    ),
  );
  metrics.push(
    figure(
      'chunks_after_cancel_returned_max',
      'most output chunks of the cancelled turn that reached the transport after the cancel call returned, over all trials',
      'chunks',
      Math.max(0, ...after),
    ),
  );
  metrics.push(
    gate(
      `cancel_p95_le_${String(targets.cancelP95Ms)}_ms`,
      `cancel -> last chunk p95 <= ${String(targets.cancelP95Ms)} ms`,
      cancelP95 <= targets.cancelP95Ms,
    ),
  );
  metrics.push(
    gate(
      'zero_chunks_after_cancel',
      'no chunk after the cancel call returned, in every trial',
      after.every((n) => n === 0) && cancels.length === SIZE.cancel,
    ),
  );
  notes.push(
    `${label}: cancel -> last chunk p95 ${cancelP95.toFixed(3)} ms (target <= ${String(targets.cancelP95Ms)} ms: ${verdict(cancelP95 <= targets.cancelP95Ms)}); chunks after cancel returned per trial: [${after.join(', ')}]; in-flight chunks dropped by the transport bridge per trial: [${cancels.map((c) => c.droppedByBridge).join(', ')}] (target 0 in every trial: ${verdict(after.every((n) => n === 0))}); ${String(aborted)}/${String(cancels.length)} trials ended in abort, the rest had already committed when the cancel landed.`,
  );

  // Gated: independent calls, each on its own frame clock (ADR 0021). Reported: the same load
  // with every frame of every session on one tick, a worst case no real set of calls has.
  const load = await concurrentAudio(rigs, SIZE.sessions, SIZE.seconds, 'staggered');
  const loadP99 = percentile(load.latencies, 99);
  metrics.push(
    ...latencyFigures(
      'load_ingress_to_node',
      `time from publish to session fed, ${String(SIZE.sessions)} sessions x 50 frames/s in and out for ${String(SIZE.seconds)} s, each session on its own frame clock`,
      load.latencies,
    ),
  );
  metrics.push(
    gate(
      `load_p99_lt_${String(targets.loadP99Ms)}_ms`,
      `p99 ingress -> node < ${String(targets.loadP99Ms)} ms under load`,
      loadP99 < targets.loadP99Ms,
    ),
  );
  metrics.push(
    ...[50, 99, 100].map((p) =>
      figure(
        `load_send_lag_p${String(p)}_ms`,
        `ms a group of the load sent later than its own frame clock, p${String(p)} (how far the phases slipped)`,
        'ms',
        percentile(load.sendLagsMs, p),
      ),
    ),
    figure(
      'load_frames_per_second',
      'audio frames per second each session actually sent (50 when the bench kept its clocks)',
      'fps',
      load.framesPerSecond,
    ),
  );
  const burst = await concurrentAudio(rigs, SIZE.sessions, SIZE.seconds, 'aligned');
  const burstP99 = percentile(burst.latencies, 99);
  metrics.push(
    ...latencyFigures(
      'load_aligned_ingress_to_node',
      `the same load with all ${String(SIZE.sessions)} sessions sending on one 20 ms tick (a burst of ${String(SIZE.sessions)} frames; worst case, not gated)`,
      burst.latencies,
    ),
  );
  notes.push(
    `${label}: load ${String(SIZE.sessions)} sessions, own frame clocks: ingress fed ${String(load.fed)}/${String(load.sent)}, egress received ${String(load.egressReceived)}/${String(load.egressSent)}; p99 ${loadP99.toFixed(3)} ms, target < ${String(targets.loadP99Ms)} ms: ${verdict(loadP99 < targets.loadP99Ms)}. Same load on one tick (not gated): fed ${String(burst.fed)}/${String(burst.sent)}, p99 ${burstP99.toFixed(3)} ms.`,
  );
  notes.push(
    `${label}: "first node" is the session's ingress stage (RK-05 admission + RK-22 classification, Runtime.feed returning); audio is buffered there and reaches the STT node when a turn opens. Egress frames in the load test are synthetic 20 ms frames published by the worker side (the sims do not stream 50 fps). Cancel trials use dense output (a chunk every 2 ms) so the cancel lands mid-stream; the transport side is the transport bridge (ADR 0014): it fences synchronously on the cancel call, so chunks still in flight are dropped there (counted per trial below), not played. Overhead trials run one turn at a time, timed from the transcript publish after the connection signal came back. Times are one monotonic clock (process.hrtime) across threads; 2 shared cores.`,
  );
  const turns = await runtimeTurnReport(label, rigs, targets.feedP99Ms);
  return { metrics: [...metrics, ...turns.metrics], notes: [...notes, ...turns.notes] };
}
