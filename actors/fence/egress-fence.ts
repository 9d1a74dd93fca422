/**
 * RK-22 egress fence, one per (session_id, turn_id). Once a turn is fenced (cancel accepted or
 * authority epoch changed), every later DataLane output of that turn is refused: a copy marked
 * `late_after_cancel: true` is returned with a diagnostic and counted. Fencing is a synchronous
 * state change, so nothing decided after `apply` returns can reach the transport. The fence only
 * decides; the delivery signals (`output_accepted`, `playback_cancelled`) belong to whoever owns
 * the turn's timeline (the runtime emits them once per turn, ADR 0027).
 */
import type { EdgeRecord, RuntimeClock } from '../edges/index.ts';

/** Why a turn's egress was fenced. */
export type FenceCause =
  'cancel' | 'barge_in' | 'stop' | 'session_cancelled' | 'authority_epoch_changed';

/** Timing and counting evidence of one turn (OR-02 baseline fields). */
export interface CancelMarkers {
  readonly fence_cause?: FenceCause;
  readonly cancel_accepted_at_ms?: number;
  readonly cancel_fence_applied_at_ms?: number;
  readonly cancel_sent_at_ms?: number;
  readonly cancel_ack_at_ms?: number;
  readonly accepted_output_count: number;
  readonly late_provider_output_dropped_count: number;
}

/** Why an output was not delivered. */
export type FenceDiagnosticCode =
  'late_after_cancel' | 'unknown_turn' | 'turn_closed' | 'authority_epoch_mismatch';

/** Diagnostic of one refused output; ids only, never payload. */
export interface FenceDiagnostic {
  readonly code: FenceDiagnosticCode;
  readonly session_id: string;
  readonly turn_id?: string;
  readonly event_id: string;
  readonly at_ms: number;
}

/** The RK-22 decision for one output. */
export type EgressDecision =
  | { readonly kind: 'accepted'; readonly record: EdgeRecord }
  | { readonly kind: 'fenced'; readonly record: EdgeRecord; readonly diagnostic: FenceDiagnostic }
  | { readonly kind: 'refused'; readonly record: EdgeRecord; readonly diagnostic: FenceDiagnostic }
  | { readonly kind: 'bypassed'; readonly record: EdgeRecord };

/** Collaborators and bounds of a fence. */
export interface EgressFenceOptions {
  readonly session_id: string;
  readonly clock: RuntimeClock;
  readonly onDiagnostic?: (diagnostic: FenceDiagnostic) => void;
  /** Bound on remembered turns; the oldest closed turn is forgotten first. Default 64. */
  readonly maxTurns?: number;
}

interface TurnFence {
  readonly turn_id: string;
  readonly epoch: number;
  phase: 'open' | 'fenced';
  closed: boolean;
  markers: CancelMarkers;
}

/** The egress fence of one session. */
export class EgressFence {
  private readonly turns = new Map<string, TurnFence>();
  private readonly options: EgressFenceOptions;
  private readonly maxTurns: number;
  private lateTotal = 0;

  /** Creates the fence of one session. */
  constructor(options: EgressFenceOptions) {
    this.options = options;
    this.maxTurns = options.maxTurns ?? 64;
  }

  /** Starts accepting output for a turn stamped with `epoch`. */
  openTurn(turn_id: string, epoch: number): void {
    if (this.turns.has(turn_id)) return;
    if (this.turns.size >= this.maxTurns) this.evictOldestClosed();
    this.turns.set(turn_id, {
      turn_id,
      epoch,
      phase: 'open',
      closed: false,
      markers: { accepted_output_count: 0, late_provider_output_dropped_count: 0 },
    });
  }

  /** Fences a turn now; returns false when unknown or already fenced (the first cause wins). */
  apply(turn_id: string, cause: FenceCause): boolean {
    const turn = this.turns.get(turn_id);
    if (turn === undefined || turn.phase === 'fenced') return false;
    const at = this.options.clock.now();
    turn.phase = 'fenced';
    turn.markers = {
      ...turn.markers,
      fence_cause: cause,
      cancel_accepted_at_ms: at,
      cancel_fence_applied_at_ms: at,
    };
    return true;
  }

  /** Open turns whose epoch differs from `epoch`, in opening order. */
  turnsNotAt(epoch: number): string[] {
    return [...this.turns.values()]
      .filter((t) => t.phase === 'open' && !t.closed && t.epoch !== epoch)
      .map((t) => t.turn_id);
  }

  /** Records when the cancel was handed to nodes and providers (first time only). */
  markSent(turn_id: string): void {
    this.mark(turn_id, 'cancel_sent_at_ms');
  }

  /** Records the first provider acknowledgement of the cancel. */
  markAck(turn_id: string): void {
    this.mark(turn_id, 'cancel_ack_at_ms');
  }

  /** Marks a turn closed: later output is refused (`turn_closed` unless fenced); evictable. */
  closeTurn(turn_id: string): void {
    const turn = this.turns.get(turn_id);
    if (turn !== undefined) turn.closed = true;
  }

  /**
   * Drops what the fence knows of a turn, for an owner that bounds its own memory of turns;
   * later output of that turn is then treated as of an unknown turn.
   */
  forget(turn_id: string): void {
    this.turns.delete(turn_id);
  }

  /** True once the turn is fenced. */
  isFenced(turn_id: string): boolean {
    return this.turns.get(turn_id)?.phase === 'fenced';
  }

  /** Evidence of one turn, or undefined when unknown. */
  markers(turn_id: string): CancelMarkers | undefined {
    return this.turns.get(turn_id)?.markers;
  }

  /** Late outputs dropped across all turns of the session. */
  get lateProviderOutputDroppedCount(): number {
    return this.lateTotal;
  }

  /** Decides one output: accept it, or refuse it (fenced: a late copy; else a diagnostic). */
  decide(record: EdgeRecord): EgressDecision {
    if (record.lane !== 'DataLane' || record.turn_id === undefined) {
      return { kind: 'bypassed', record };
    }
    const turn = this.turns.get(record.turn_id);
    if (turn === undefined) return this.refuse(record, 'unknown_turn');
    if (turn.phase === 'fenced') {
      const late: EdgeRecord = Object.assign({}, record, {
        event_scope: 'turn' as const,
        authority_epoch: record.authority_epoch ?? turn.epoch,
        late_after_cancel: true,
      });
      this.lateTotal += 1;
      turn.markers = {
        ...turn.markers,
        late_provider_output_dropped_count: turn.markers.late_provider_output_dropped_count + 1,
      };
      const diagnostic = this.diagnose(late, 'late_after_cancel');
      return { kind: 'fenced', record: late, diagnostic };
    }
    if (turn.closed) return this.refuse(record, 'turn_closed');
    if (record.authority_epoch !== undefined && record.authority_epoch !== turn.epoch) {
      return this.refuse(record, 'authority_epoch_mismatch');
    }
    turn.markers = {
      ...turn.markers,
      accepted_output_count: turn.markers.accepted_output_count + 1,
    };
    return { kind: 'accepted', record };
  }

  private refuse(record: EdgeRecord, code: FenceDiagnosticCode): EgressDecision {
    return { kind: 'refused', record, diagnostic: this.diagnose(record, code) };
  }

  private diagnose(record: EdgeRecord, code: FenceDiagnosticCode): FenceDiagnostic {
    const diagnostic: FenceDiagnostic = {
      code,
      session_id: this.options.session_id,
      ...(record.turn_id === undefined ? {} : { turn_id: record.turn_id }),
      event_id: record.event_id,
      at_ms: this.options.clock.now(),
    };
    this.options.onDiagnostic?.(diagnostic);
    return diagnostic;
  }

  private mark(turn_id: string, field: 'cancel_sent_at_ms' | 'cancel_ack_at_ms'): void {
    const turn = this.turns.get(turn_id);
    if (turn === undefined || turn.markers[field] !== undefined) return;
    turn.markers = { ...turn.markers, [field]: this.options.clock.now() };
  }

  private evictOldestClosed(): void {
    const oldest = [...this.turns.values()].find((t) => t.closed);
    if (oldest === undefined) {
      throw new RangeError(`egress fence: more than ${this.maxTurns} turns without a close`);
    }
    this.turns.delete(oldest.turn_id);
  }
}
