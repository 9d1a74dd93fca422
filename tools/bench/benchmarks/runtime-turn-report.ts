/**
 * Issue 9's turn figures on one kind of rig: the time of a `runtime.feed` that cancels or barges
 * in on a speaking turn, ControlLane delivery under a burst of turn-changing feeds, and reply
 * completeness of many concurrent voice turns, each with an honest pass/fail.
 */
import type { BenchMetric, BenchResult } from '../benchmark.ts';
import { countVerdicts } from './runtime-checks.ts';
import { figure, gate, latencyFigures, percentile, type RigFactory } from './runtime-kit.ts';
import {
  controlBurst,
  turnEndingFeeds,
  voiceLoad,
  type BurstResult,
  type TurnEnding,
} from './runtime-turn-scenarios.ts';

/** Sizes of the turn scenarios. */
const SIZE = {
  endings: 100,
  endingWarmup: 20,
  burstFeeds: 1000,
  voiceSessions: 500,
};

/**
 * Voice turns under load: 12 words, one every 10 ms; the TTS speaks each in five 20 ms frames
 * (100 ms), so the LLM writes ten times faster than the TTS speaks. A reply is 1.2 s of speech.
 */
const VOICE = {
  llm: { chunk_count: 12, first_chunk_ms: 100, chunk_interval_ms: 10 },
  tts: { chunk_count: 5, first_chunk_ms: 20, chunk_interval_ms: 20 },
};

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const msName = (ms: number) => String(ms).replace('.', '_');

/** Figures and gates of the feed call that ends a speaking turn. */
async function endingFigures(
  label: string,
  rigs: RigFactory,
  feedP99Ms: number,
  metrics: BenchMetric[],
  notes: string[],
): Promise<void> {
  const samples = await turnEndingFeeds(rigs, SIZE.endings, SIZE.endingWarmup);
  const what: Record<TurnEnding, string> = {
    cancel: 'a cancel',
    barge_in: 'a barge-in (user speech)',
  };
  for (const ending of ['cancel', 'barge_in'] as const) {
    const ms = samples[ending].map((s) => s.callMs);
    const p99 = percentile(ms, 99);
    const aborted = samples[ending].filter((s) => s.terminal === 'abort').length;
    metrics.push(
      ...latencyFigures(
        `feed_${ending}`,
        `duration of the runtime.feed call that ends a speaking turn with ${what[ending]}, after ${String(SIZE.endingWarmup)} warm-up trials`,
        ms,
      ),
      gate(
        `feed_${ending}_p99_le_${msName(feedP99Ms)}_ms`,
        `feed() call time for ${what[ending]} p99 <= ${String(feedP99Ms)} ms (aim)`,
        ms.length === SIZE.endings && p99 <= feedP99Ms,
      ),
    );
    notes.push(
      `${label}: feed() for ${what[ending]}: p50/p95/p99 ${[50, 95, 99].map((p) => (percentile(ms, p) * 1000).toFixed(0)).join('/')} µs over ${String(ms.length)}/${String(SIZE.endings)} trials, aim p99 <= ${String(feedP99Ms)} ms: ${verdict(p99 <= feedP99Ms)}; ${String(aborted)} turns ended in abort.`,
    );
  }
}

/** Figures and a gate of one burst. */
function burstFigures(label: string, burst: BurstResult, metrics: BenchMetric[]): string {
  const { control, spacing } = burst;
  const saturated = burst.refused['saturated'] ?? 0;
  const otherRefusals = Object.entries(burst.refused).filter(([code]) => code !== 'saturated');
  const whole =
    burst.settled &&
    control.lost === 0 &&
    control.duplicates === 0 &&
    control.unexpected === 0 &&
    control.inOrder &&
    otherRefusals.length === 0;
  const how =
    spacing === 'one_tick'
      ? `${String(burst.feeds)} feeds in one tick`
      : `${String(burst.feeds)} feeds, each transcript and its cancel in a tick of their own`;
  const name = `control_burst_${spacing}`;
  metrics.push(
    figure(
      `${name}_published`,
      `ControlLane records the session published (${how}, alternating final transcript and cancel)`,
      'records',
      control.published,
    ),
    figure(`${name}_delivered`, 'of them, received by the transport', 'records', control.delivered),
    figure(`${name}_lost`, 'published and never received', 'records', control.lost),
    figure(`${name}_refused`, 'feeds refused as `saturated` (allowed)', 'feeds', saturated),
    gate(
      `${name}_zero_lost`,
      'every published ControlLane record reached the transport once, in runtime_sequence order without a gap; no refusal but `saturated`',
      whole,
    ),
  );
  const diagnostics = Object.entries(burst.diagnostics).map(([code, n]) => `${code} x${String(n)}`);
  return `${label}: ${how}: ${String(burst.accepted)} accepted, refused ${JSON.stringify(burst.refused)}; ControlLane published ${String(control.published)}, delivered ${String(control.delivered)}, lost ${String(control.lost)}, duplicates ${String(control.duplicates)}, in order ${String(control.inOrder)}; runtime diagnostics: ${diagnostics.length === 0 ? 'none' : diagnostics.join(', ')}: ${verdict(whole)}.`;
}

/** Figures and a gate of the voice load. */
async function voiceFigures(
  label: string,
  rigs: RigFactory,
  metrics: BenchMetric[],
  notes: string[],
): Promise<void> {
  const load = await voiceLoad(rigs, SIZE.voiceSessions, VOICE);
  const counts = countVerdicts(Object.values(load.verdicts));
  const failed = Object.entries(load.verdicts).filter(([, v]) => v !== 'complete');
  const ok = load.settled && counts.complete === load.sessions;
  metrics.push(
    figure(
      'voice_load_replies_complete',
      `turns whose whole reply reached the transport, of ${String(load.sessions)} sessions each taking one turn at once (LLM 10x faster than speech, 20 ms TTS frames)`,
      'turns',
      counts.complete,
    ),
    figure(
      'voice_load_elapsed_ms',
      `ms from the transcripts to the last close at the transport (one reply is ${String(load.speechMs)} ms of speech)`,
      'ms',
      load.elapsedMs,
    ),
    gate('voice_load_all_replies_complete', '100% of replies delivered complete', ok),
  );
  notes.push(
    `${label}: voice load: ${String(counts.complete)}/${String(load.sessions)} replies complete (reply text equal to what the LLM produced, every frame at the transport); aborted ${String(counts.aborted)}, no reply ${String(counts.no_reply)}, short reply ${String(counts.short_reply)}, lost frames ${String(counts.lost_frames)}${
      failed.length === 0
        ? ''
        : ` (first: ${failed
            .slice(0, 5)
            .map(([id, v]) => `${id} ${v}`)
            .join(', ')})`
    }; ${load.elapsedMs.toFixed(0)} ms for ${String(load.speechMs)} ms of speech each: ${verdict(ok)}.`,
  );
}

/** Runs the turn scenarios on rigs from `rigs` and reports figures, gates and notes. */
export async function runtimeTurnReport(
  label: string,
  rigs: RigFactory,
  feedP99Ms: number,
): Promise<BenchResult> {
  const metrics: BenchMetric[] = [];
  const notes: string[] = [];
  await endingFigures(label, rigs, feedP99Ms, metrics, notes);
  for (const spacing of ['one_tick', 'turn_per_tick'] as const) {
    notes.push(burstFigures(label, await controlBurst(rigs, SIZE.burstFeeds, spacing), metrics));
  }
  await voiceFigures(label, rigs, metrics, notes);
  notes.push(
    `${label}: turn scenarios (issue 9, ADR 0030): feed() times are taken on the worker side around the runtime.feed call that receives the transport's cancel / speech_started, while the turn speaks (quick sims: 20 words, 20 ms frames; the ending feed goes out when the first frame reached the transport). Bursts are fed straight to runtime.feed (an embedder's feeds); the transport side counts the session's ControlLane records by runtime_sequence.`,
  );
  return { metrics, notes };
}
