/**
 * Fixtures shared by the edge and fence tests: a simple-mode plan, records, a payload merger,
 * and a rig that collects emitted signals and checks each one against the contract.
 */
import { createContractValidator, type ControlSignal, type Lane } from '../../contracts/index.ts';
import type { ResolvedTurnPlan } from '../../contracts/internal.ts';
import { createManualClock, type ManualClock } from './clock.ts';
import type { BufferPolicy, FlowMode, LaneTuning } from './config.ts';
import { EdgeBuffer } from './edge-buffer.ts';
import type { EdgeRecord } from './lane-queue.ts';
import type { PayloadMerger } from './merge.ts';
import { createSignalStamper, type SignalStamper } from './stamp.ts';

const validator = createContractValidator();

/** Session, turn and epoch every fixture uses. */
export const IDS = { session_id: 'sess-1', turn_id: 'turn-1', epoch: 3 } as const;

/** The simple-mode `default` edge policy with overrides. */
export function policy(overrides: Partial<BufferPolicy> = {}): BufferPolicy {
  return {
    strategy: 'drop',
    max_queue_items: 64,
    max_queue_ms: 300,
    max_queue_bytes: 262144,
    max_latency_contribution_ms: 120,
    watermarks: { queue_items: { high: 48, low: 24 } },
    lane_handling: {
      DataLane: 'drop',
      ControlLane: 'non_blocking_priority',
      TelemetryLane: 'best_effort_drop',
    },
    defaulting_source: 'execution_profile_default',
    ...overrides,
  };
}

/** A contract-valid simple-mode plan holding `policies`, all lanes in `mode`. */
export function plan(
  policies: Record<string, BufferPolicy>,
  mode: FlowMode = 'signal',
): ResolvedTurnPlan {
  const hash = '9d33795f2b69efdf452f362163a6ce143b6c5926e860e22986761b5827d1d3dc';
  return {
    turn_id: IDS.turn_id,
    pipeline_version: 'pipeline-v1',
    plan_hash: hash,
    graph_definition_ref: 'graph/default',
    execution_profile: 'simple',
    authority_epoch: IDS.epoch,
    budgets: {
      turn_budget_ms: 5000,
      node_budget_ms_default: 1500,
      path_budget_ms_default: 3000,
      edge_budget_ms_default: 500,
    },
    provider_bindings: { stt: 'stt-a', llm: 'llm-a', tts: 'tts-a' },
    edge_buffer_policies: policies,
    flow_control: {
      mode_by_lane: { DataLane: mode, ControlLane: 'signal', TelemetryLane: mode },
      watermarks: {
        DataLane: { high: 100, low: 50 },
        ControlLane: { high: 20, low: 10 },
        TelemetryLane: { high: 200, low: 100 },
      },
      shedding_strategy_by_lane: { DataLane: 'drop', ControlLane: 'none', TelemetryLane: 'sample' },
    },
    allowed_adaptive_actions: ['retry', 'provider_switch', 'fallback'],
    snapshot_provenance: {
      routing_view_snapshot: 'routing-view/v1',
      admission_policy_snapshot: 'admission-policy/v1',
      abi_compatibility_snapshot: 'abi-compat/v1',
      version_resolution_snapshot: 'version-resolution/v1',
      policy_resolution_snapshot: 'policy-resolution/v1',
      provider_health_snapshot: 'provider-health/v1',
    },
    recording_policy: { recording_level: 'L0', allowed_replay_modes: ['replay_decisions'] },
    determinism: {
      seed: 1,
      ordering_markers: ['runtime_sequence', 'event_id'],
      merge_rule_id: 'default-merge-rule',
      merge_rule_version: 'v1.0.0',
      nondeterministic_inputs: [{ input_key: hash, source: 'other', evidence_ref: hash }],
    },
  };
}

/** Options of one fixture record. */
export interface RecordOptions {
  readonly lane?: Lane;
  readonly audio?: boolean;
  readonly event_id?: string;
  readonly sync_domain?: string;
  readonly turn_id?: string;
  readonly epoch?: number;
}

/** A contract-valid turn-scoped record with runtime sequence `seq`. */
export function record(seq: number, options: RecordOptions = {}): EdgeRecord {
  const lane = options.lane ?? 'DataLane';
  const base: EdgeRecord = {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: IDS.session_id,
    turn_id: options.turn_id ?? IDS.turn_id,
    pipeline_version: 'pipeline-v1',
    event_id: options.event_id ?? `evt/sess-1/turn-1/${String(seq).padStart(6, '0')}`,
    lane,
    transport_sequence: seq,
    runtime_sequence: seq,
    runtime_timestamp_ms: seq,
    wall_clock_timestamp_ms: 1_700_000_000_000 + seq,
    authority_epoch: options.epoch ?? IDS.epoch,
    payload_class: lane === 'ControlLane' ? 'metadata' : options.audio ? 'audio_raw' : 'text_raw',
  };
  if (options.audio) Object.assign(base, { media_time: { pts_ms: seq * 20 } });
  if (options.sync_domain !== undefined) Object.assign(base, { sync_domain: options.sync_domain });
  return base;
}

/** Concatenates string payloads with spaces; size = string length. */
export const joinMerger: PayloadMerger<string> = (parts) => {
  const payload = parts.map((p) => p.payload).join(' ');
  return { payload, bytes: payload.length };
};

/** Contract issues of a signal, plus the `seq_range` ordering rule the schema cannot state. */
export function signalProblems(signal: ControlSignal): string[] {
  const result = validator.validate('control_signal', signal);
  const problems = result.valid ? [] : result.issues.map((i) => JSON.stringify(i));
  if (signal.seq_range && signal.seq_range.start > signal.seq_range.end) problems.push('seq_range');
  return problems;
}

/** Contract issues of an event record. */
export function recordProblems(doc: unknown): string[] {
  const result = validator.validate('event_record', doc);
  return result.valid ? [] : result.issues.map((i) => JSON.stringify(i));
}

/** One compact line per signal, for order assertions. */
function describeSignal(s: ControlSignal): string {
  const lane = s.target_lane === undefined ? '' : ` ${s.target_lane}`;
  if (s.signal === 'drop_notice') {
    return `drop_notice${lane} ${s.seq_range?.start}-${s.seq_range?.end}`;
  }
  if (s.signal === 'credit_grant') return `credit_grant${lane} ${s.amount}`;
  if (s.signal === 'discontinuity') return `discontinuity ${s.sync_domain} ${s.discontinuity_id}`;
  return `${s.signal}${lane}`;
}

/** A signal sink that validates every signal as it arrives. */
export interface SignalLog {
  readonly signals: ControlSignal[];
  readonly problems: string[];
  readonly emit: (signal: ControlSignal) => void;
  /** `describeSignal` of everything so far. */
  trace(): string[];
}

/** Creates a validating signal sink. */
export function signalLog(): SignalLog {
  const signals: ControlSignal[] = [];
  const problems: string[] = [];
  return {
    signals,
    problems,
    emit: (signal) => {
      signals.push(signal);
      problems.push(...signalProblems(signal));
    },
    trace: () => signals.map(describeSignal),
  };
}

/** A buffer over a manual clock with a validating sink. */
export interface Rig {
  readonly clock: ManualClock;
  readonly log: SignalLog;
  readonly stamp: SignalStamper;
  readonly buffer: EdgeBuffer<string>;
}

/** Options of `rig`. */
export interface RigOptions {
  readonly mode?: FlowMode;
  readonly merger?: PayloadMerger<string>;
  readonly tuning?: Omit<LaneTuning, 'hasMerger'>;
}

/** Builds an edge `edge-a` from `p` with a fresh clock and sink. */
export function rig(p: BufferPolicy, options: RigOptions = {}): Rig {
  const clock = createManualClock();
  const log = signalLog();
  const stamp = createSignalStamper(
    { session_id: IDS.session_id, pipeline_version: 'pipeline-v1' },
    clock,
  );
  const buffer = new EdgeBuffer<string>({
    edge_id: 'edge-a',
    policy: p,
    flow: plan({ default: p }, options.mode).flow_control,
    turn_id: IDS.turn_id,
    authority_epoch: IDS.epoch,
    clock,
    stamp,
    emit: log.emit,
    ...(options.merger ? { merger: options.merger } : {}),
    ...(options.tuning ? { tuning: options.tuning } : {}),
  });
  return { clock, log, stamp, buffer };
}

/** Offers `seqs` as DataLane text records with payload `p<seq>` of 10 bytes each. */
export function offerAll(r: Rig, seqs: readonly number[], options: RecordOptions = {}): string[] {
  return seqs.map(
    (seq) => r.buffer.offer({ record: record(seq, options), payload: `p${seq}`, bytes: 10 }).kind,
  );
}
