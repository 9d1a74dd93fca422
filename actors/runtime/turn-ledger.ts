/**
 * What the runtime notes about each live turn for its OR-02 baseline and its reply record: the
 * decisions and attempts of the turn, what reached the transport (payload classes, first output,
 * media time, the delivered reply). Lifecycle is not kept here: that is the turn machine's. An
 * entry lives from the turn's arbitration to its close (or pre-turn release); bounded.
 */
import type { DecisionOutcome, InvocationAttempt } from '../../contracts/index.ts';
import type { PayloadClass } from '../../contracts/internal.ts';
import type { GraphItem } from '../nodes/types.ts';
import { ReplyTracker } from './reply.ts';

/** Bound of decisions and attempts kept per turn for its baseline record. */
const MAX_FACTS = 64;
/** Turns remembered at once (one live turn per session, plus ones finishing). */
const MAX_TURNS = 8;

/** The notes of one turn. */
export class TurnFacts {
  readonly decisions: DecisionOutcome[] = [];
  readonly attempts: InvocationAttempt[] = [];
  readonly tags = new Set<PayloadClass>(['metadata']);
  readonly reply = new ReplyTracker();
  first_output_at_ms: number | null = null;
  /** Audio sent so far (media time of the next frame). */
  media_ms = 0;

  /** Keeps a decision (the oldest stay: the gating decisions come first). */
  decide(outcome: DecisionOutcome): void {
    if (this.decisions.length < MAX_FACTS) this.decisions.push(outcome);
  }

  /** Keeps an attempt record. */
  attempt(record: InvocationAttempt): void {
    if (this.attempts.length < MAX_FACTS) this.attempts.push(record);
  }

  /** An output item passed the egress fence at `at_ms`; true for the turn's first one. */
  delivered(item: GraphItem, at_ms: number): boolean {
    const first = this.first_output_at_ms === null;
    this.first_output_at_ms ??= at_ms;
    if (item.kind === 'audio') this.media_ms += item.duration_ms;
    this.tags.add(item.kind === 'audio' ? 'audio_raw' : 'text_raw');
    this.reply.delivered(item);
    return first;
  }
}

/** The notes of a session's live turns. */
export class TurnLedger {
  private readonly turns = new Map<string, TurnFacts>();

  /** The notes of `turn_id`, created on first use. */
  of(turn_id: string): TurnFacts {
    let facts = this.turns.get(turn_id);
    if (facts === undefined) {
      facts = new TurnFacts();
      this.turns.set(turn_id, facts);
      if (this.turns.size > MAX_TURNS) this.turns.delete(this.turns.keys().next().value ?? turn_id);
    }
    return facts;
  }

  /** The notes of `turn_id` if it has any. */
  peek(turn_id: string): TurnFacts | undefined {
    return this.turns.get(turn_id);
  }

  /** Forgets a turn that closed or never opened. */
  forget(turn_id: string): void {
    this.turns.delete(turn_id);
  }
}
