/**
 * A recorded evidence file (the JSONL of `rspp run --evidence`) as steps the inspector page
 * moves through: each ControlLane signal and each OR-02 baseline record, in file order. Stage-A
 * evidence holds no machine snapshots, so the turn state after each step is derived from the
 * signals by the lifecycle truth table (ADR 0046): `turn_open_proposed` -> Opening,
 * `defer`/`reject`/`stale_epoch_reject` before `turn_open` -> Idle.released, `turn_open` ->
 * Active.running, an early-end cause or the baseline -> Active.finalizing, `commit`/`abort` ->
 * Terminal, `close` -> Closed. Only ids, names and times are kept.
 */
import { readFile, stat } from 'node:fs/promises';
import type { ControlSignal } from '../../contracts/index.ts';
import { flattenStateValue, signalEntry, type TimelineEntry } from './projection.ts';

/** One step of an evidence file. */
export type EvidenceStep = {
  readonly index: number;
  /** What the step is: the signal's entry, or a baseline (`name: 'baseline'`). */
  readonly entry: TimelineEntry;
  /** `<session>/<turn>` of the turn the step belongs to, or null for a session-scoped signal. */
  readonly turn_key: string | null;
  /** The turn's derived state after this step (`Active.running`), or null when unchanged. */
  readonly turn_value: string | null;
  /** Ids of the turn machine's active state nodes for `turn_value`, as in the DOT export. */
  readonly turn_states: readonly string[];
};

/** A loaded evidence file. */
export type EvidenceSteps = {
  readonly steps: readonly EvidenceStep[];
  /** Lines that were not a JSON object (a torn last line, blank lines). */
  readonly skipped_lines: number;
  /** Records that were neither a ControlLane signal nor a baseline. */
  readonly other_records: number;
};

/** Largest evidence file the inspector reads (bytes). */
export const MAX_EVIDENCE_BYTES = 64 * 1024 * 1024;

const EARLY_END = new Set([
  'barge_in',
  'cancel',
  'deauthorized_drain',
  'playback_cancelled',
  'disconnected',
  'stall',
  'ended',
]);
const PRE_TURN_REFUSAL = new Set(['defer', 'reject', 'stale_epoch_reject']);

/**
 * The turn state after `signal`, given the state before it (null: not seen yet); null when the
 * signal does not move the turn.
 */
export function turnStateAfter(signal: string, before: string | null): string | null {
  const opened = before !== null && !before.startsWith('Opening') && !before.startsWith('Idle');
  if (signal === 'turn_open_proposed') return before === null ? 'Opening.arbitrating' : null;
  if (signal === 'turn_open') return 'Active.running';
  if (PRE_TURN_REFUSAL.has(signal) && !opened) return 'Idle.released';
  if (EARLY_END.has(signal) && before === 'Active.running') return 'Active.finalizing';
  if (signal === 'commit' || signal === 'abort') return before === 'Closed' ? null : 'Terminal';
  if (signal === 'close') return 'Closed';
  return null;
}

type Json = Record<string, unknown>;

const isSignal = (r: Json): boolean =>
  r['lane'] === 'ControlLane' &&
  typeof r['signal'] === 'string' &&
  typeof r['session_id'] === 'string' &&
  typeof r['runtime_timestamp_ms'] === 'number';

const isBaseline = (r: Json): boolean =>
  r['lane'] === undefined &&
  typeof r['plan_hash'] === 'string' &&
  typeof r['turn_id'] === 'string' &&
  typeof r['session_id'] === 'string';

/** Parses the text of an evidence file into steps. */
export function evidenceSteps(text: string): EvidenceSteps {
  const steps: EvidenceStep[] = [];
  const states = new Map<string, string>();
  let skipped = 0;
  let other = 0;
  let lastAt = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      skipped += 1;
      continue;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      skipped += 1;
      continue;
    }
    const r = record as Json;
    let entry: TimelineEntry;
    if (isSignal(r)) {
      entry = signalEntry(r as unknown as ControlSignal);
    } else if (isBaseline(r)) {
      // A baseline carries no runtime time of its own: it sits between its neighbours.
      entry = {
        kind: 'signal',
        session: String(r['session_id']).slice(0, 80),
        turn: String(r['turn_id']).slice(0, 80),
        name: 'baseline',
        reason: null,
        emitted_by: 'OR-02',
        at_ms: lastAt,
        event_id: typeof r['event_id'] === 'string' ? r['event_id'].slice(0, 80) : '?',
      };
    } else {
      other += 1;
      continue;
    }
    lastAt = entry.at_ms;
    const turn_key = entry.turn === null ? null : `${entry.session}/${entry.turn}`;
    let turn_value: string | null = null;
    if (turn_key !== null) {
      const before = states.get(turn_key) ?? null;
      turn_value =
        entry.name === 'baseline'
          ? before === 'Active.running'
            ? 'Active.finalizing'
            : null
          : turnStateAfter(entry.name, before);
      if (turn_value !== null) states.set(turn_key, turn_value);
    }
    steps.push({
      index: steps.length,
      entry,
      turn_key,
      turn_value,
      turn_states: turn_value === null ? [] : statesOf(turn_value),
    });
  }
  return { steps, skipped_lines: skipped, other_records: other };
}

/** `Active.finalizing` -> `turn.Active`, `turn.Active.finalizing`. */
function statesOf(value: string): string[] {
  const nested = value
    .split('.')
    .reduceRight<unknown>((inner, key) => (inner === null ? key : { [key]: inner }), null);
  return flattenStateValue('turn', nested).states;
}

/** Why an evidence file could not be loaded. */
export class EvidenceFileError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = 'EvidenceFileError';
  }
}

/** Reads and parses an evidence file (at most {@link MAX_EVIDENCE_BYTES}). */
export async function loadEvidenceFile(path: string): Promise<EvidenceSteps> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new EvidenceFileError(`${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof EvidenceFileError) throw error;
    throw new EvidenceFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (size > MAX_EVIDENCE_BYTES)
    throw new EvidenceFileError(
      `${path} is ${size} bytes; the inspector reads at most ${MAX_EVIDENCE_BYTES}`,
    );
  const loaded = evidenceSteps(await readFile(path, 'utf8'));
  if (loaded.steps.length === 0)
    throw new EvidenceFileError(
      `${path} holds no ControlLane signal or baseline record (expected the JSONL of rspp run --evidence)`,
    );
  return loaded;
}
