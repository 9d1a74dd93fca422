/**
 * OR-02 Stage-A recorder: a bounded, in-memory, synchronous store for one session's evidence.
 * Every append answers at once with ok or a reason; nothing blocks and nothing throws.
 *
 * Regions are bounded separately: `baseline` (baseline records and terminal markers, with a
 * reserve only terminal markers may take, so a T9 `abort` + `close` always fits), `detail`
 * (non-terminal control signals, decision outcomes), `attempts` (per-attempt records) and
 * `invocation_snapshots` (off by default). A full detail region drops the incoming entry
 * (drop-newest: what is stored is never evicted, so the result depends only on append order),
 * counts it, and returns one `recording_level_downgraded` signal per (session, turn).
 */
import {
  createContractValidator,
  type ControlSignal,
  type DecisionOutcome,
  type InvocationAttempt,
  type ValidationIssue,
} from '../../contracts/index.ts';
import {
  SIGNAL_REASONS,
  SIGNAL_REGISTRY,
  type BaselineEvidence,
} from '../../contracts/internal.ts';
import { idPart, stampSignal } from '../../machines/internal.ts';
import {
  STAGE_A_DEFAULT_LIMITS,
  type AppendFailedMarker,
  type BaselineAppendContext,
  type BaselineAppendResult,
  type BaselineFailureReason,
  type DetailAppendResult,
  type DetailFailureReason,
  type InvocationSnapshot,
  type StageAEntry,
  type StageAEntryKind,
  type StageALimits,
  type StageARecorder,
  type StageARecorderOptions,
  type StageARegion,
  type StageAStats,
} from './types.ts';

const REGIONS: readonly StageARegion[] = ['baseline', 'detail', 'attempts', 'invocation_snapshots'];

const REGION_OF: Readonly<Record<StageAEntryKind, StageARegion>> = {
  baseline: 'baseline',
  terminal_signal: 'baseline',
  append_failed: 'baseline',
  recording_signal: 'baseline',
  signal: 'detail',
  decision: 'detail',
  attempt: 'attempts',
  invocation_snapshot: 'invocation_snapshots',
};

/** An entry without its sequence number, as appended. */
type NewEntry = StageAEntry extends infer TEntry
  ? TEntry extends StageAEntry
    ? Omit<TEntry, 'seq'>
    : never
  : never;

/** A detail record: all carry identity and both timestamps. */
type DetailRecord = ControlSignal | DecisionOutcome | InvocationAttempt | InvocationSnapshot;

function checkLimits(limits: StageALimits): void {
  for (const [field, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`limits.${field}: expected an integer >= 0, received ${String(value)}`);
    }
  }
  if (limits.baseline_reserve < 3 || limits.baseline_reserve >= limits.baseline) {
    throw new RangeError(
      `limits.baseline_reserve: expected >= 3 and < limits.baseline (${limits.baseline}), ` +
        `received ${limits.baseline_reserve}`,
    );
  }
}

function isTerminalSignal(signal: ControlSignal): boolean {
  const lifecycle = SIGNAL_REGISTRY[signal.signal]?.lifecycle;
  return lifecycle === 'terminal' || lifecycle === 'close';
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/** Creates the Stage-A recorder of one session. Throws only on invalid limits (startup). */
export function createStageARecorder(options: StageARecorderOptions): StageARecorder {
  const limits: StageALimits = { ...STAGE_A_DEFAULT_LIMITS, ...options.limits };
  checkLimits(limits);
  const validator = options.validator ?? createContractValidator();
  const { session_id, pipeline_version } = options;
  const log: StageAEntry[] = [];
  const size: Record<StageARegion, number> = {
    baseline: 0,
    detail: 0,
    attempts: 0,
    invocation_snapshots: 0,
  };
  const dropped: Record<StageARegion, number> = { ...size };
  const baselineTurns = new Set<string>();
  const downgradedTurns = new Set<string>();
  let seq = 0;
  let lastEpoch = options.authority_epoch ?? 0;
  let baselineFailures = 0;
  let downgrades = 0;

  function capacity(region: StageARegion): number {
    if (region === 'invocation_snapshots' && options.invocationSnapshots !== true) return 0;
    return limits[region];
  }

  function store(entry: NewEntry): void {
    seq += 1;
    log.push({ ...entry, seq });
    size[REGION_OF[entry.kind]] += 1;
    const epoch = (entry.record as { authority_epoch?: unknown }).authority_epoch;
    if (typeof epoch === 'number' && Number.isInteger(epoch) && epoch >= 0) lastEpoch = epoch;
  }

  /** Room in the baseline region; only terminal markers may take the reserve. */
  function baselineRoom(terminal: boolean): boolean {
    const bound = terminal ? limits.baseline : limits.baseline - limits.baseline_reserve;
    return size.baseline < bound;
  }

  function downgradeFor(record: DetailRecord): ControlSignal | null {
    const turn_id = text(record.turn_id);
    const key = turn_id ?? '';
    if (downgradedTurns.has(key)) return null;
    downgradedTurns.add(key);
    downgrades += 1;
    const epoch = record.authority_epoch;
    const signal = stampSignal(
      {
        session_id,
        pipeline_version,
        authority_epoch: typeof epoch === 'number' ? epoch : lastEpoch,
        turn_id: turn_id ?? undefined,
      },
      {
        runtime_ms: record.runtime_timestamp_ms ?? 0,
        wall_ms: record.wall_clock_timestamp_ms ?? 0,
      },
      downgrades,
      {
        signal: 'recording_level_downgraded',
        emitted_by: 'OR-02',
        event_scope: turn_id === null ? 'session' : 'turn',
        reason: SIGNAL_REASONS.stage_a_detail_overflow,
      },
    );
    // One per (session, turn): an id of its own, never colliding with the turn's ordinals.
    const owner = idPart(turn_id ?? session_id);
    signal.event_id = `evt/${idPart(session_id)}/${owner}/or-02/recording_level_downgraded`;
    return signal;
  }

  function refuse(reason: DetailFailureReason): DetailAppendResult {
    return { ok: false, reason, downgrade: null };
  }

  function appendDetail(entry: NewEntry & { record: DetailRecord }): DetailAppendResult {
    if (entry.record.session_id !== session_id) return refuse('session_mismatch');
    const region = REGION_OF[entry.kind];
    if (capacity(region) === 0 && region === 'invocation_snapshots') {
      return refuse('region_disabled');
    }
    if (size[region] >= capacity(region)) {
      dropped[region] += 1;
      return {
        ok: false,
        reason: 'stage_a_detail_overflow',
        downgrade: downgradeFor(entry.record),
      };
    }
    store(entry);
    return { ok: true, region };
  }

  function failBaseline(
    reason: BaselineFailureReason,
    record: unknown,
    context: BaselineAppendContext,
    issues: readonly ValidationIssue[],
  ): BaselineAppendResult {
    baselineFailures += 1;
    const marker: AppendFailedMarker = {
      session_id,
      turn_id: text((record as { turn_id?: unknown } | null)?.turn_id),
      request_id: context.request_id ?? null,
      reason,
      at_ms: context.at_ms ?? null,
    };
    // The failed-append marker is a terminal marker: it may take the reserve.
    if (baselineRoom(true)) store({ kind: 'append_failed', record: marker });
    else dropped.baseline += 1;
    return { ok: false, reason, issues };
  }

  return {
    appendBaseline(record, context = {}) {
      if (options.failBaselineAppends === true) {
        return failBaseline('fault_injected', record, context, []);
      }
      const verdict = validator.validate('baseline_evidence', record);
      if (!verdict.valid) {
        return failBaseline('incomplete_baseline', record, context, verdict.issues);
      }
      const valid = record as BaselineEvidence;
      if (valid.session_id !== session_id) {
        return failBaseline('session_mismatch', record, context, []);
      }
      if (baselineTurns.has(valid.turn_id)) {
        return failBaseline('duplicate_baseline', record, context, []);
      }
      if (!baselineRoom(false)) return failBaseline('baseline_region_full', record, context, []);
      baselineTurns.add(valid.turn_id);
      store({ kind: 'baseline', record: valid });
      return { ok: true, record: valid };
    },

    appendSignal(signal) {
      if (signal.session_id !== session_id) return refuse('session_mismatch');
      if (isTerminalSignal(signal)) {
        if (!validator.validate('control_signal', signal).valid) {
          return refuse('invalid_terminal_marker');
        }
        if (!baselineRoom(true)) {
          dropped.baseline += 1;
          return refuse('baseline_reserve_exhausted');
        }
        store({ kind: 'terminal_signal', record: signal });
        return { ok: true, region: 'baseline' };
      }
      if (signal.signal === 'recording_level_downgraded') {
        // At most one per (session, turn): kept beside the baseline so detail overflow cannot
        // hide the fact that detail was dropped.
        if (!baselineRoom(false)) {
          dropped.baseline += 1;
          return refuse('baseline_region_full');
        }
        store({ kind: 'recording_signal', record: signal });
        return { ok: true, region: 'baseline' };
      }
      return appendDetail({ kind: 'signal', record: signal });
    },

    appendDecision: (outcome) => appendDetail({ kind: 'decision', record: outcome }),
    appendAttempt: (attempt) => appendDetail({ kind: 'attempt', record: attempt }),
    appendInvocationSnapshot: (snapshot) =>
      appendDetail({ kind: 'invocation_snapshot', record: snapshot }),

    entries(kinds) {
      return kinds === undefined ? [...log] : log.filter((e) => kinds.includes(e.kind));
    },

    drain(take) {
      let removed = 0;
      try {
        for (const entry of log) {
          if (!take(entry)) break;
          size[REGION_OF[entry.kind]] -= 1;
          removed += 1;
        }
      } finally {
        // Entries taken before a throwing `take` are released; the rest stay stored.
        log.splice(0, removed);
      }
      return removed;
    },

    stats(): StageAStats {
      const regions = Object.fromEntries(
        REGIONS.map((r) => [r, { size: size[r], capacity: capacity(r), dropped: dropped[r] }]),
      ) as StageAStats['regions'];
      return { regions, baseline_failures: baselineFailures, downgrades };
    },
  };
}
