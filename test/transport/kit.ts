/**
 * Helpers of the local transport tests: a sim runtime on simulated time with one open session
 * whose outputs are collected, and the PCM of a speech-like test signal.
 */
import type { FeedResult, RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import type { LocalTransportEvent } from '../../adapters/transport/core/index.ts';
import type { GraphSpec } from '../../actors/index.ts';
import { buildSimRuntime, type RunOptions } from '../../tools/run/session-run.ts';

/** One open session `s1` (epoch 1, tenant `t1`) on a sim runtime, its outputs collected. */
export function openSimSession(
  options: { graph?: GraphSpec; sim_pacing?: RunOptions['sim_pacing'] } = {},
) {
  const { runtime, time } = buildSimRuntime({
    bus: createEmbeddedBus(),
    sim_pacing: options.sim_pacing ?? { tts: { chunk_count: 15, chunk_interval_ms: 20 } },
    ...(options.graph === undefined ? {} : { graph: options.graph }),
  });
  runtime.openSession({ session_id: 's1', tenant_id: 't1', authority_epoch: 1 });
  const outputs: RuntimeOutput[] = [];
  runtime.subscribe('s1', (o) => outputs.push(o));
  const feed = (event: LocalTransportEvent): FeedResult => runtime.feed('s1', event);
  /** `signal(reason) turn` of every ControlLane output so far. */
  const control = () =>
    outputs.flatMap((o) =>
      o.kind === 'control'
        ? [
            `${o.record.signal}${typeof o.record.reason === 'string' && o.record.reason !== o.record.signal ? `(${o.record.reason})` : ''} ${o.record.turn_id ?? '-'}`,
          ]
        : [],
    );
  /** Audio frames delivered for `turn_id` (or any turn) from output index `from`. */
  const audioFrames = (from = 0, turn_id?: string) =>
    outputs
      .slice(from)
      .filter(
        (o) =>
          o.kind === 'data' &&
          o.pcm !== undefined &&
          (turn_id === undefined || o.record.turn_id === turn_id),
      ).length;
  return { runtime, time, outputs, feed, control, audioFrames };
}

/** PCM16 at 16 kHz of `parts`: [seconds, loud?] (a 300 Hz tone or digital silence). */
export function speechPcm(parts: readonly (readonly [number, boolean])[]): Int16Array {
  const out: number[] = [];
  for (const [seconds, loud] of parts) {
    for (let i = 0; i < Math.round(seconds * 16_000); i += 1)
      out.push(loud ? Math.round(8000 * Math.sin((2 * Math.PI * 300 * out.length) / 16_000)) : 0);
  }
  return Int16Array.from(out);
}
