/**
 * The egress side of the wav transport: the agent's audio laid out on the input's timeline, as
 * a loudspeaker behind a playout buffer would have played it. A frame that arrives while audio
 * still plays is queued after it; one that arrives to an empty queue plays `playout_delay_ms`
 * later (so arrival jitter up to that delay leaves no gap); a turn's early end (`playback_cancelled`) cuts what of that turn had not been
 * played yet. Everywhere else is silence.
 */

/** Where the agent's audio sits on the timeline. */
export type OutputTimeline = {
  /** Queues one frame of `turn_id` that arrived at `at_ms`; returns where it plays (ms). */
  play(turn_id: string, at_ms: number, pcm: Int16Array): number;
  /** Drops what of `turn_id` had not played by `at_ms`. */
  cut(turn_id: string, at_ms: number): void;
  /** Where the queued audio ends (ms). */
  readonly endMs: number;
  /** The whole timeline: at least `duration_ms` long, silence where nothing played. */
  render(duration_ms: number): Int16Array;
};

type Segment = { readonly turn_id: string; readonly start: number; pcm: Int16Array };

/** The sample after the last one placed. */
const endOf = (segments: readonly Segment[]) =>
  segments.reduce((max, s) => Math.max(max, s.start + s.pcm.length), 0);

/** Creates an empty timeline at `sample_rate_hz` (playout delay default 60 ms). */
export function createOutputTimeline(
  sample_rate_hz: number,
  playout_delay_ms = 60,
): OutputTimeline {
  const segments: Segment[] = [];
  let playhead = 0;
  const toSample = (ms: number) => Math.round((ms * sample_rate_hz) / 1000);
  const toMs = (sample: number) => (sample * 1000) / sample_rate_hz;
  return {
    play(turn_id, at_ms, pcm) {
      // Still playing: the frame joins the queue; drained: playback restarts behind the buffer.
      const arrival = toSample(at_ms);
      const start = playhead >= arrival ? playhead : toSample(at_ms + playout_delay_ms);
      segments.push({ turn_id, start, pcm });
      playhead = start + pcm.length;
      return toMs(start);
    },
    cut(turn_id, at_ms) {
      const at = toSample(at_ms);
      for (const segment of segments) {
        if (segment.turn_id !== turn_id) continue;
        segment.pcm = segment.pcm.subarray(0, Math.max(0, at - segment.start));
      }
      const kept = segments.filter((s) => s.pcm.length > 0);
      segments.splice(0, segments.length, ...kept);
      playhead = Math.min(playhead, Math.max(at, endOf(segments)));
    },
    get endMs() {
      return toMs(playhead);
    },
    render(duration_ms) {
      const out = new Int16Array(Math.max(endOf(segments), toSample(duration_ms)));
      for (const segment of segments) out.set(segment.pcm, segment.start);
      return out;
    },
  };
}
