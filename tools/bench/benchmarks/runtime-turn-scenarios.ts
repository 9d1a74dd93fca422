/**
 * Turn-changing scenarios (issue 9): how long a `runtime.feed` that ends a speaking turn takes,
 * whether a burst of turn-changing feeds loses a ControlLane record on its way to the transport,
 * and whether every reply of many concurrent voice turns reaches the transport whole. Each
 * returns raw results; `runtime-turn-report.ts` turns them into figures and gates.
 */
import type { IngressKind, RuntimeOutput } from '../../../actors/index.ts';
import { judgeTurn, laneDelivery, type LaneDelivery, type TurnVerdict } from './runtime-checks.ts';
import {
  monoMs,
  startTurn,
  until,
  untilQuiet,
  type RigFactory,
  type RigSession,
  type VoicePacing,
} from './runtime-kit.ts';
import { sid } from './runtime-scenarios.ts';

/**
 * Quick turns that speak at once: 20 words 2 ms apart, each one 20 ms frame, the first after
 * 5 ms. A turn speaks for 400 ms, so a feed sent at its first frame lands mid-speech.
 */
export const QUICK_TURNS: VoicePacing = {
  llm: { chunk_count: 20, first_chunk_ms: 5, chunk_interval_ms: 2 },
  tts: { chunk_count: 1, first_chunk_ms: 5, chunk_interval_ms: 20 },
};

/** A feed that ends a speaking turn: an explicit cancel, or the user speaking over it. */
export type TurnEnding = 'cancel' | 'barge_in';

const ENDING_FEED: Record<TurnEnding, IngressKind> = {
  cancel: 'cancel',
  barge_in: 'speech_started',
};

/** One trial: how long the ending `runtime.feed` call took (ms) and how the turn ended. */
export type EndingSample = { readonly callMs: number; readonly terminal: string };

/** Samples per ending; warm-up trials are dropped. */
export type EndingSamples = Record<TurnEnding, EndingSample[]>;

/**
 * Ends `trials` speaking turns of each kind, alternating, one at a time, each in a fresh session:
 * the turn starts, its first frame reaches the transport, then the ending feed goes out. The
 * first `warmup` trials of each kind let V8 compile the cancel path and are not kept.
 */
export async function turnEndingFeeds(
  rigs: RigFactory,
  trials: number,
  warmup: number,
): Promise<EndingSamples> {
  const rig = rigs({ voice: QUICK_TURNS });
  const samples: EndingSamples = { cancel: [], barge_in: [] };
  for (let i = 0; i < 2 * (trials + warmup); i++) {
    const ending: TurnEnding = i % 2 === 0 ? 'cancel' : 'barge_in';
    let chunks = 0;
    let closed = false;
    let terminal = 'none';
    let armed = false;
    let callMs: number | undefined;
    const session = await rig.open(sid('end'), {
      onChunk: () => (chunks += 1),
      onControl: (signal) => {
        closed ||= signal === 'close';
        if (signal === 'commit' || signal === 'abort') terminal = signal;
      },
      onFeed: (kind, _result, ms) => {
        if (armed && kind === ENDING_FEED[ending]) callMs ??= ms;
      },
    });
    await startTurn(session, 'tell me a long story');
    if (await until(() => chunks > 0, 5000)) {
      armed = true;
      await session.send(ENDING_FEED[ending]);
      await until(() => closed, 5000);
      if (callMs !== undefined && i >= 2 * warmup) samples[ending].push({ callMs, terminal });
    }
    await session.close();
  }
  await rig.close();
  return samples;
}

/**
 * How a burst is fed: all in one tick (the runtime sees them before anything it published is
 * delivered), or each transcript and its cancel in a tick of their own (a whole turn each).
 */
export type BurstSpacing = 'one_tick' | 'turn_per_tick';

/** Result of {@link controlBurst}. */
export type BurstResult = {
  readonly spacing: BurstSpacing;
  readonly feeds: number;
  readonly accepted: number;
  /** Feeds refused, by refusal code (`saturated` is allowed: the caller feeds again later). */
  readonly refused: Readonly<Record<string, number>>;
  /** The session's ControlLane as the transport received it. */
  readonly control: LaneDelivery;
  /** Runtime diagnostics during the burst, by code (e.g. `publish_failed`). */
  readonly diagnostics: Readonly<Record<string, number>>;
  /** The transport had every published record before the wait ran out. */
  readonly settled: boolean;
};

const bump = (counts: Record<string, number>, key: string) =>
  (counts[key] = (counts[key] ?? 0) + 1);

/**
 * Feeds `feeds` turn-changing events to one connected session, alternating a final transcript
 * and a cancel, spaced as `spacing` says, then waits until every ControlLane record the session
 * published has reached the transport (or nothing moved for a while) and compares the two.
 */
export async function controlBurst(
  rigs: RigFactory,
  feeds: number,
  spacing: BurstSpacing,
): Promise<BurstResult> {
  const rig = rigs({ voice: QUICK_TURNS });
  const session_id = sid('burst');
  const received: number[] = [];
  let connected = false;
  const session = await rig.open(session_id, {
    onControl: (signal, _at, sequence) => {
      received.push(sequence);
      connected ||= signal === 'connected';
    },
  });
  const diagnostics: Record<string, number> = {};
  rig.runtime.subscribe(session_id, (output: RuntimeOutput) => {
    if (output.kind === 'diagnostic') bump(diagnostics, output.code);
  });
  await session.send('connection', 'connected');
  await until(() => connected, 5000);
  let accepted = 0;
  const refused: Record<string, number> = {};
  for (let i = 0; i < feeds; i++) {
    const result =
      i % 2 === 0
        ? session.feedNow('transcript_final', `request number ${String(i)}`)
        : session.feedNow('cancel');
    if (result.accepted) accepted += 1;
    else bump(refused, result.rejection.code);
    if (spacing === 'turn_per_tick' && i % 2 === 1) await new Promise(setImmediate);
  }
  const published = () => rig.runtime.published(session_id).ControlLane;
  const settled = await untilQuiet(
    () => published() + received.length,
    () => received.length >= published(),
    300,
    30_000,
  );
  const control = laneDelivery(published(), received);
  await session.close();
  await rig.close();
  return { spacing, feeds, accepted, refused, control, diagnostics, settled };
}

/** One voice session's turn as the scenario followed it. */
type VoiceTurn = {
  produced: string;
  deltas: number;
  frames: number;
  terminal?: 'commit' | 'abort';
  reply?: { text: string; interrupted: boolean };
  closed: boolean;
};

/** Result of {@link voiceLoad}. */
export type VoiceLoadResult = {
  readonly sessions: number;
  readonly verdicts: Readonly<Record<string, TurnVerdict>>;
  /** Ms from the transcripts going out to the last turn's close at the transport. */
  readonly elapsedMs: number;
  /** Ms of speech in one full reply. */
  readonly speechMs: number;
  /** Every turn closed before the wait ran out. */
  readonly settled: boolean;
};

/**
 * `sessions` sessions each take one turn at once: every transcript goes out in one tick, the LLM
 * writes `pacing.llm` words, the TTS speaks each in `pacing.tts.chunk_count` 20 ms frames. Each
 * turn is judged by what reached the transport: its `reply` output against what the LLM
 * produced, and its frames at the transport's bridge against what the TTS speaks for it.
 */
export async function voiceLoad(
  rigs: RigFactory,
  sessions: number,
  pacing: VoicePacing,
): Promise<VoiceLoadResult> {
  const turns = new Map<string, VoiceTurn>();
  const turnOf = (session_id: string): VoiceTurn => {
    let turn = turns.get(session_id);
    if (turn === undefined) {
      turn = { produced: '', deltas: 0, frames: 0, closed: false };
      turns.set(session_id, turn);
    }
    return turn;
  };
  const rig = rigs({
    max_sessions: sessions,
    voice: {
      ...pacing,
      onLlmDelta: (session_id, _turn_id, index, text) => {
        const turn = turnOf(session_id);
        if (index === 0) [turn.produced, turn.deltas] = ['', 0];
        turn.produced += text;
        turn.deltas += text.trim() === '' ? 0 : 1;
      },
    },
  });
  const ids = Array.from({ length: sessions }, (_, i) => sid(`voice${String(i)}`));
  const open: RigSession[] = await Promise.all(ids.map((id) => openVoiceSession(rig, id, turnOf)));
  await Promise.all(open.map((s) => s.send('connection', 'connected')));
  const start = monoMs();
  await Promise.all(open.map((s) => s.send('transcript_final', 'tell me a story')));
  const settled = await until(() => ids.every((id) => turnOf(id).closed), 120_000);
  const elapsedMs = monoMs() - start;
  const verdicts: Record<string, TurnVerdict> = {};
  for (const id of ids) {
    const turn = turnOf(id);
    verdicts[id] = judgeTurn({
      ...turn,
      expectedFrames: turn.deltas * pacing.tts.chunk_count,
    });
  }
  await Promise.all(open.map((s) => s.close()));
  await rig.close();
  const speechMs = pacing.llm.chunk_count * pacing.tts.chunk_count * pacing.tts.chunk_interval_ms;
  return { sessions, verdicts, elapsedMs, speechMs, settled };
}

/** Opens one voice session that records its turn's frames, terminal, close and reply. */
async function openVoiceSession(
  rig: ReturnType<RigFactory>,
  session_id: string,
  turnOf: (session_id: string) => VoiceTurn,
): Promise<RigSession> {
  const turn = turnOf(session_id);
  const session = await rig.open(session_id, {
    onChunk: () => (turn.frames += 1),
    onControl: (signal) => {
      if (signal === 'commit' || signal === 'abort') turn.terminal = signal;
      turn.closed ||= signal === 'close';
    },
  });
  rig.runtime.subscribe(session_id, (output) => {
    if (output.kind === 'reply')
      turn.reply = { text: output.text, interrupted: output.interrupted };
  });
  return session;
}
