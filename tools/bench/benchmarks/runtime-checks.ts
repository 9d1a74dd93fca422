/**
 * Pure verdicts of the turn scenarios: whether a lane reached the transport whole (by its
 * `runtime_sequence`), and whether a turn's reply reached it complete.
 */

/** What of a lane's published records a subscriber received. */
export type LaneDelivery = {
  readonly published: number;
  /** Distinct records received. */
  readonly delivered: number;
  /** Sequences 1..published never received. */
  readonly lost: number;
  /** Records received more than once. */
  readonly duplicates: number;
  /** Records received with a sequence above `published` (none on a sound lane). */
  readonly unexpected: number;
  /** Every record arrived after the one before it in sequence order. */
  readonly inOrder: boolean;
};

/**
 * Compares the `runtime_sequence`s a subscriber received, in arrival order, with the count the
 * publisher handed to the bus; a sound lane numbers its records 1..published without a gap.
 */
export function laneDelivery(published: number, received: readonly number[]): LaneDelivery {
  const distinct = new Set(received);
  let within = 0;
  for (const sequence of distinct) if (sequence >= 1 && sequence <= published) within += 1;
  return {
    published,
    delivered: distinct.size,
    lost: published - within,
    duplicates: received.length - distinct.size,
    unexpected: distinct.size - within,
    inOrder: received.every((sequence, i) => i === 0 || sequence > (received[i - 1] ?? 0)),
  };
}

/** What one turn produced and what of it reached the transport. */
export type TurnTally = {
  /** The LLM's reply as it produced it (its last attempt). */
  readonly produced: string;
  /** The runtime's `reply` output: what of the reply the transport received. */
  readonly reply?: { readonly text: string; readonly interrupted: boolean };
  /** The turn's terminal signal, when one came. */
  readonly terminal?: 'commit' | 'abort';
  /** Audio frames of the turn that passed the transport's bridge. */
  readonly frames: number;
  /** Frames the TTS speaks for the produced reply. */
  readonly expectedFrames: number;
};

/** How a turn under load ended, from the transport's point of view. */
export type TurnVerdict = 'complete' | 'aborted' | 'no_reply' | 'short_reply' | 'lost_frames';

/** Judges one turn: complete only when it committed with all its text and all its frames. */
export function judgeTurn(turn: TurnTally): TurnVerdict {
  if (turn.terminal === 'abort' || turn.reply?.interrupted === true) return 'aborted';
  if (turn.terminal === undefined || turn.reply === undefined) return 'no_reply';
  if (turn.produced === '' || turn.reply.text !== turn.produced) return 'short_reply';
  if (turn.frames < turn.expectedFrames) return 'lost_frames';
  return 'complete';
}

/** Counts verdicts; every verdict is present, 0 when none. */
export function countVerdicts(verdicts: readonly TurnVerdict[]): Record<TurnVerdict, number> {
  const counts: Record<TurnVerdict, number> = {
    complete: 0,
    aborted: 0,
    no_reply: 0,
    short_reply: 0,
    lost_frames: 0,
  };
  for (const verdict of verdicts) counts[verdict] += 1;
  return counts;
}
