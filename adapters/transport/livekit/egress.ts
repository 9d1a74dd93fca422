/**
 * The agent's audio into LiveKit, behind an RK-22 egress fence of its own. Each output chunk of a
 * turn is resampled with `AudioResampler` to the source's rate, cut into 10 ms frames and queued
 * for `AudioSource.captureFrame`, one capture at a time. Fencing a turn (a cancel, a barge-in's
 * `playback_cancelled`, an authority epoch change) is synchronous: its frames still waiting are
 * dropped, the audio already in the source is cleared, and every later chunk of it is refused;
 * the capture loop checks the fence before each frame, so nothing of a fenced turn is captured
 * after `fence` returns.
 */
import { AudioFrame, AudioResampler } from '@livekit/rtc-node';
import { createFrameChunker, samplesPerFrame, type FrameChunker } from './frames.ts';
import type { AudioSourcePort } from './room-port.ts';

/** One audio output of a turn. */
export type EgressAudio = {
  readonly event_id: string;
  readonly turn_id: string;
  readonly authority_epoch?: number;
  readonly pcm: Int16Array;
  readonly sample_rate_hz: number;
};

/** The RK-22 decision for one output (the report's `output decisions`). */
export type OutputDecision = {
  readonly event_id: string;
  readonly turn_id: string;
  readonly accepted: boolean;
  readonly signal: 'output_accepted' | 'playback_cancelled';
  readonly reason: 'output_accepted' | 'cancel_fence_applied';
  readonly emitted_by: 'RK-22';
};

/** Why a turn was fenced. */
type EgressFenceCause = 'cancel' | 'authority_epoch_changed';

/** Counters of an egress. */
type EgressStats = {
  /** Frames handed to `captureFrame`. */
  readonly captured_frames: number;
  /** Outputs refused by the fence. */
  readonly fenced_outputs: number;
  /** Frames dropped from the queue by a fence before capture. */
  readonly dropped_frames: number;
};

/** The agent's audio path. */
export type AgentEgress = {
  /** Decides one output; accepted audio is queued for capture. */
  play(audio: EgressAudio): OutputDecision;
  /** The turn's last output came: its remaining samples go out as one padded frame. */
  end(turn_id: string): void;
  /** Fences a turn now; false when it already was. */
  fence(turn_id: string, cause: EgressFenceCause): boolean;
  /** Moves to a newer epoch: every turn of an older one is fenced; returns them. */
  setEpoch(authority_epoch: number): string[];
  isFenced(turn_id: string): boolean;
  /** The turn whose audio was accepted last, unless fenced since: the one a cancel stops. */
  readonly playing: string | undefined;
  readonly stats: EgressStats;
  /** Resolves once every queued frame was captured or dropped. */
  idle(): Promise<void>;
  close(): Promise<void>;
};

/** Options of {@link createAgentEgress}. */
export type AgentEgressOptions = {
  readonly source: AudioSourcePort;
  /** The source's rate (default 48 000 Hz). */
  readonly sample_rate_hz?: number;
  readonly authority_epoch?: number;
  /** Called with the turn of each frame just before it is captured. */
  readonly onCapture?: (turn_id: string) => void;
};

type TurnState = {
  readonly epoch: number;
  fenced: boolean;
  resampler: AudioResampler | null;
  resampledFrom: number;
  readonly chunker: FrameChunker;
};

/** Bound on remembered turns; the oldest is forgotten first. */
const MAX_TURNS = 64;

/** Creates the egress of one session's agent track. */
export function createAgentEgress(options: AgentEgressOptions): AgentEgress {
  const rate = options.sample_rate_hz ?? 48_000;
  const frameSize = samplesPerFrame(rate, 10);
  let epoch = options.authority_epoch ?? 0;
  const turns = new Map<string, TurnState>();
  let queue: { turn_id: string; frame: AudioFrame }[] = [];
  let running: Promise<void> = Promise.resolve();
  let loopActive = false;
  let lastAccepted: string | undefined;
  const stats = { captured_frames: 0, fenced_outputs: 0, dropped_frames: 0 };

  const decision = (audio: EgressAudio, accepted: boolean): OutputDecision => ({
    event_id: audio.event_id,
    turn_id: audio.turn_id,
    accepted,
    signal: accepted ? 'output_accepted' : 'playback_cancelled',
    reason: accepted ? 'output_accepted' : 'cancel_fence_applied',
    emitted_by: 'RK-22',
  });

  const turnOf = (turn_id: string, turnEpoch: number): TurnState => {
    let turn = turns.get(turn_id);
    if (turn !== undefined) return turn;
    if (turns.size >= MAX_TURNS) {
      const oldest = turns.keys().next().value;
      if (oldest !== undefined) release(oldest);
    }
    turn = {
      epoch: turnEpoch,
      fenced: turnEpoch < epoch,
      resampler: null,
      resampledFrom: 0,
      chunker: createFrameChunker(frameSize),
    };
    turns.set(turn_id, turn);
    return turn;
  };

  const release = (turn_id: string) => {
    turns.get(turn_id)?.resampler?.close();
    turns.delete(turn_id);
  };

  const enqueue = (turn_id: string, samples: readonly Int16Array[]) => {
    for (const data of samples)
      queue.push({ turn_id, frame: new AudioFrame(data, rate, 1, data.length) });
    if (!loopActive && queue.length > 0) {
      loopActive = true;
      running = drain();
    }
  };

  const drain = async () => {
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        // The fence may have moved while the previous capture was awaited.
        if (turns.get(next.turn_id)?.fenced !== false) {
          stats.dropped_frames += 1;
          continue;
        }
        options.onCapture?.(next.turn_id);
        stats.captured_frames += 1;
        await options.source.captureFrame(next.frame);
      }
    } finally {
      loopActive = false;
    }
  };

  const resampled = (turn: TurnState, pcm: Int16Array, from: number): Int16Array[] => {
    if (from === rate) return [pcm];
    if (turn.resampler === null || turn.resampledFrom !== from) {
      turn.resampler?.close();
      turn.resampler = new AudioResampler(from, rate, 1);
      turn.resampledFrom = from;
    }
    return turn.resampler.push(new AudioFrame(pcm, from, 1, pcm.length)).map((f) => f.data);
  };

  const fence = (turn_id: string, _cause: EgressFenceCause): boolean => {
    const turn = turns.get(turn_id) ?? turnOf(turn_id, epoch);
    if (turn.fenced) return false;
    turn.fenced = true;
    const before = queue.length;
    queue = queue.filter((item) => item.turn_id !== turn_id);
    stats.dropped_frames += before - queue.length;
    turn.chunker.reset();
    // What the source holds is this turn's (turns do not overlap): it must not be heard.
    options.source.clearQueue();
    return true;
  };

  return {
    play(audio) {
      const turnEpoch = audio.authority_epoch ?? epoch;
      const turn = turnOf(audio.turn_id, turnEpoch);
      if (turn.fenced || turnEpoch < epoch) {
        stats.fenced_outputs += 1;
        return decision(audio, false);
      }
      const frames: Int16Array[] = [];
      for (const part of resampled(turn, audio.pcm, audio.sample_rate_hz))
        frames.push(...turn.chunker.push(part));
      enqueue(audio.turn_id, frames);
      lastAccepted = audio.turn_id;
      return decision(audio, true);
    },
    end(turn_id) {
      const turn = turns.get(turn_id);
      if (turn === undefined || turn.fenced) return;
      const rest = turn.resampler?.flush().map((f) => f.data) ?? [];
      const frames = rest.flatMap((part) => turn.chunker.push(part));
      enqueue(turn_id, [...frames, ...turn.chunker.flush()]);
    },
    fence,
    setEpoch(next) {
      if (next <= epoch) return [];
      epoch = next;
      const fenced: string[] = [];
      for (const [turn_id, turn] of turns)
        if (turn.epoch < next && fence(turn_id, 'authority_epoch_changed')) fenced.push(turn_id);
      return fenced;
    },
    isFenced: (turn_id) => turns.get(turn_id)?.fenced === true,
    get playing() {
      return lastAccepted !== undefined && turns.get(lastAccepted)?.fenced === false
        ? lastAccepted
        : undefined;
    },
    get stats() {
      return { ...stats };
    },
    async idle() {
      while (loopActive) await running;
    },
    async close() {
      queue = [];
      await running;
      for (const turn_id of [...turns.keys()]) release(turn_id);
    },
  };
}
