/**
 * The bridge's bounded memory of a session's turns, kept in an RK-22 EgressFence. A turn is
 * remembered per (authority epoch, turn id): a new placement numbers its turns afresh, and its
 * `turn-1` must not inherit the fence of the old placement's `turn-1`. The fence is keyed by
 * that pair; callers only ever see plain turn ids.
 *
 * Unlike the worker's fence, a turn seen `close` here still passes its unfenced output: the bus
 * delivers ControlLane first (ADR 0017), so `close` can overtake the turn's last chunks, which
 * the worker published before it closed the turn.
 */
import type { EdgeRecord, RuntimeClock } from '../edges/index.ts';
import { EgressFence, type FenceCause, type FenceDiagnosticCode } from '../fence/index.ts';
import type { EventRecord } from '../../contracts/index.ts';

/** Default bound on remembered turns. */
export const DEFAULT_BRIDGE_TURNS = 64;

/** The fence's verdict on one output of a turn. */
export type TurnVerdict =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'late'; readonly cause: FenceCause | undefined }
  | { readonly kind: 'refused'; readonly code: FenceDiagnosticCode };

/** Options of {@link BridgeTurns}. */
export type BridgeTurnsOptions = {
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly clock: RuntimeClock;
  readonly maxTurns: number;
};

type Entry = {
  readonly key: string;
  readonly turn_id: string;
  readonly epoch: number | undefined;
  /** The turn's `close` was seen; forgotten before open turns. */
  closed: boolean;
};

const ACCEPTED: TurnVerdict = { kind: 'accepted' };

const keyOf = (turn_id: string, epoch: number | undefined): string =>
  `${epoch === undefined ? '-' : String(epoch)}/${turn_id}`;

/** Remembered turns of one session and their fence. */
export class BridgeTurns {
  private readonly entries = new Map<string, Entry>();
  private readonly fence: EgressFence;
  private readonly maxTurns: number;

  /** Creates the table; a bound below 1 is a configuration mistake and throws. */
  constructor(options: BridgeTurnsOptions) {
    if (!Number.isSafeInteger(options.maxTurns) || options.maxTurns < 1) {
      throw new RangeError(
        `maxTurns: expected an integer >= 1, received ${String(options.maxTurns)}`,
      );
    }
    this.maxTurns = options.maxTurns;
    this.fence = new EgressFence({
      session_id: options.session_id,
      clock: options.clock,
      maxTurns: options.maxTurns,
    });
  }

  /** Turns remembered now. */
  get size(): number {
    return this.entries.size;
  }

  /** Remembers a turn from its first output or `turn_open`; full: forgets one first. */
  see(turn_id: string, epoch: number | undefined): void {
    this.entry(turn_id, epoch);
  }

  /** Marks a turn closed (forgotten first); a signal without an epoch closes every epoch's. */
  close(turn_id: string, epoch: number | undefined): void {
    for (const entry of this.entries.values()) {
      if (entry.turn_id === turn_id && (epoch === undefined || entry.epoch === epoch)) {
        entry.closed = true;
      }
    }
  }

  /**
   * Fences every remembered turn named `turn_id`; when none is, remembers it at `epoch`, already
   * fenced, so its output that is still to come is dropped. Returns how many were newly fenced.
   */
  fenceTurn(turn_id: string, epoch: number | undefined, cause: FenceCause): number {
    let fenced = 0;
    let named = false;
    for (const entry of this.entries.values()) {
      if (entry.turn_id !== turn_id) continue;
      named = true;
      if (this.fence.apply(entry.key, cause)) fenced += 1;
    }
    if (named || epoch === undefined) return fenced;
    return this.fence.apply(this.entry(turn_id, epoch).key, cause) ? 1 : 0;
  }

  /** Fences every remembered turn not yet fenced; `playingOnly`: only those with accepted output. */
  fenceAll(cause: FenceCause, playingOnly: boolean): number {
    let fenced = 0;
    for (const entry of this.entries.values()) {
      if (playingOnly && (this.fence.markers(entry.key)?.accepted_output_count ?? 0) === 0) {
        continue;
      }
      if (this.fence.apply(entry.key, cause)) fenced += 1;
    }
    return fenced;
  }

  /** True when any remembered turn named `turn_id` is fenced. */
  isFenced(turn_id: string): boolean {
    for (const entry of this.entries.values()) {
      if (entry.turn_id === turn_id && this.fence.isFenced(entry.key)) return true;
    }
    return false;
  }

  /** The fence's verdict on one DataLane record of `turn_id`; an unseen turn is remembered. */
  decide(record: EventRecord, turn_id: string, event_id: string): TurnVerdict {
    const epoch = record.authority_epoch;
    const entry = this.entry(turn_id, epoch);
    // The fence knows the turn by its key; every other field is the record's own.
    const probe: EdgeRecord = Object.assign({}, record, {
      turn_id: entry.key,
      event_id,
      lane: 'DataLane' as const,
      runtime_sequence: typeof record.runtime_sequence === 'number' ? record.runtime_sequence : 0,
      runtime_timestamp_ms:
        typeof record.runtime_timestamp_ms === 'number' ? record.runtime_timestamp_ms : 0,
    });
    const decision = this.fence.decide(probe);
    switch (decision.kind) {
      case 'accepted':
      case 'bypassed':
        return ACCEPTED;
      case 'fenced':
        return { kind: 'late', cause: this.fence.markers(entry.key)?.fence_cause };
      case 'refused':
        return { kind: 'refused', code: decision.diagnostic.code };
    }
  }

  private entry(turn_id: string, epoch: number | undefined): Entry {
    const key = keyOf(turn_id, epoch);
    const known = this.entries.get(key);
    if (known !== undefined) return known;
    if (this.entries.size >= this.maxTurns) this.forgetOne();
    const entry: Entry = { key, turn_id, epoch, closed: false };
    this.entries.set(key, entry);
    // An epoch-less record is never compared with the turn's epoch (the fence skips it), so 0
    // only fills the stamp of the fence's local signals.
    this.fence.openTurn(key, epoch ?? 0);
    return entry;
  }

  /** Forgets the oldest closed turn, else the oldest turn, here and in the fence. */
  private forgetOne(): void {
    let victim: Entry | undefined;
    for (const entry of this.entries.values()) {
      victim ??= entry;
      if (entry.closed) {
        victim = entry;
        break;
      }
    }
    if (victim === undefined) return;
    this.fence.forget(victim.key);
    this.entries.delete(victim.key);
  }
}
