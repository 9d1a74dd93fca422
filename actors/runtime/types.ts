/**
 * Public types of the Runtime: its options (adapters come in as arguments), what a transport
 * feeds in, and what subscribers get out.
 */
import type {
  BusPayload,
  BusPort,
  RuntimeTelemetryPort,
  ContractValidator,
  ControlSignal,
  DecisionOutcome,
  EventRecord,
  InvocationAttempt,
  TurnTransition,
} from '../../contracts/index.ts';
import type { PayloadClass, SnapshotProvenance } from '../../contracts/internal.ts';
import type {
  EvidenceRequested,
  InputSupersededReason,
  SessionInput,
  SessionPolicies,
} from '../../machines/index.ts';
import type { InspectionEvent, Observer } from 'xstate';
import type { RuntimeClock } from '../edges/index.ts';
import type { FenceDiagnostic } from '../fence/index.ts';
import type { GatewayRejection } from '../guard/gateway.ts';
import type { EventGateway } from '../guard/gateway.ts';
import type { GraphSpec, RuntimeGraph } from '../graph/graph.ts';
import type { GraphItem, ProviderCatalogue } from '../nodes/types.ts';
import type { ControlPlaneSnapshot } from '../turn-start/snapshot.ts';

/** The runtime-side facts of a finalizing turn (field names of the OR-02 `TurnEvidenceFacts`). */
export type RuntimeTurnFacts = {
  readonly pipeline_version: string;
  readonly envelope_snapshot: string;
  readonly payload_tags: readonly PayloadClass[];
  readonly snapshot_provenance: SnapshotProvenance | null;
  readonly decision_outcomes: readonly DecisionOutcome[];
  readonly invocation_attempts: readonly InvocationAttempt[];
  readonly determinism_seed: number | null;
  readonly ordering_markers: readonly string[];
  readonly merge_rule_id: string;
  readonly merge_rule_version: string;
  readonly first_output_at_ms?: number;
  readonly cancel_fence_applied_at_ms?: number;
  readonly cancel_sent_at_ms?: number;
  readonly cancel_ack_at_ms?: number;
  readonly accepted_stale_epoch_output: boolean;
};

/** The answer to a turn's evidence request (what the turn machine accepts). */
export type EvidenceVerdict = { readonly ok: boolean };

/** The OR-02 Stage-A recorder of one session, as the runtime uses it (built in tools/). */
export type SessionEvidence = {
  /** Builds and appends the turn's baseline record; never throws. */
  appendBaseline(request: EvidenceRequested, facts: RuntimeTurnFacts): EvidenceVerdict;
  /** Records a ControlLane signal / decision outcome / attempt (detail; never affects a turn). */
  recordSignal(signal: ControlSignal): void;
  recordDecision(outcome: DecisionOutcome): void;
  recordAttempt(attempt: InvocationAttempt): void;
  /** Exports what is left and releases the session's resources. */
  close(): Promise<void>;
};

/** Identity of a session handed to the evidence factory. */
export type SessionIdentity = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  /** This placement of the session, when named (`SessionOptions.incarnation`). */
  readonly incarnation?: string;
};

/** Bounds of the runtime (no unbounded queue). */
export type RuntimeLimits = {
  /** Live sessions (default 64). */
  readonly max_sessions: number;
  /**
   * Envelopes waiting for the bus per lane of a session (default 1024). A ControlLane backlog
   * this deep saturates the session: input that would add signals is refused (`saturated`)
   * until it drains, never lost. A DataLane backlog this deep slows the producing provider.
   */
  readonly outbox_capacity: number;
  /** Items per node input (default: the plan's edge `max_queue_items`, else 64). */
  readonly edge_capacity?: number;
  /** Node budget in ms (default: the plan's `node_budget_ms_default`). */
  readonly node_budget_ms?: number;
  /** Per-attempt provider timeout in ms (default by modality). */
  readonly attempt_timeout_ms?: number;
  /** Frames of user audio kept for the next turn (default 500). */
  readonly audio_frames: number;
  /** RK-25 local capacity: open turns across all sessions (default 64); more -> pre-turn reject. */
  readonly max_active_turns: number;
  /**
   * RK-26: provider calls waiting for a slot, per provider (default 64). Each provider runs at
   * most its declared `max_concurrency` calls at once; a call beyond the queue fails at once as
   * `rate_limited` (retryable overload).
   */
  readonly provider_queue: number;
};

/** Options of `createRuntime`. */
export type RuntimeOptions = {
  readonly bus: BusPort;
  readonly providers: ProviderCatalogue;
  /** Runtime time and timers; every machine and timeout runs on it. */
  readonly clock: RuntimeClock;
  /** Stage-A recorder factory, one per session. */
  readonly evidence: (session: SessionIdentity) => SessionEvidence;
  readonly validator: ContractValidator;
  readonly limits?: Partial<RuntimeLimits>;
  /** Graph run by every turn (default STT -> LLM -> TTS). */
  readonly graph?: GraphSpec;
  /** CP snapshot every pre-turn evaluation reads (default: empty, CP defaults). */
  readonly snapshot?: ControlPlaneSnapshot;
  /**
   * XState's inspection observer, given every session's actor system: each actor of the live
   * tree (session -> turn -> generation -> node -> invocation -> attempt), its events and
   * snapshots. For tooling (the inspector); content-free fields only should leave the process.
   */
  readonly inspect?: InspectionObserver;
  /**
   * OR-01 telemetry (spans and metrics, e.g. `createOtelTelemetry`): told of turn signals, node
   * starts and ends, provider attempts and drops; ids and times only, never user content.
   */
  readonly telemetry?: RuntimeTelemetryPort;
};

/** What `RuntimeOptions.inspect` accepts: XState's inspection callback or observer. */
export type InspectionObserver =
  ((event: InspectionEvent) => void) | Partial<Observer<InspectionEvent>>;

/** Options of `Runtime.openSession`. */
export type SessionOptions = {
  readonly session_id: string;
  readonly tenant_id?: string;
  readonly pipeline_version?: string;
  readonly authority_epoch?: number;
  readonly policies?: Partial<SessionPolicies>;
  /** System prompt given to LLM nodes before the conversation. */
  readonly system_prompt?: string;
  /**
   * Names this placement of the session when it may be opened again elsewhere (a worker that
   * took it over after another died): 1-32 of `A-Z a-z 0-9 _ -`, e.g. `e<lease epoch>`. Turn ids
   * become `turn-<n>-<incarnation>` and session-scoped event ids `evt/<session>/<session>-<incarnation>/...`,
   * so no id, idempotency key or JetStream message id of one placement repeats another's.
   */
  readonly incarnation?: string;
};

/** A change of RK-24's view of a session's placement (from its lease). */
export type AuthorityChange = {
  /** The session's current authority epoch (e.g. a new lease revision). */
  readonly authority_epoch?: number;
  /** False once this placement lost its lease: nothing more may be emitted for the session. */
  readonly authorized?: boolean;
};

/** Kinds of transport event the runtime classifies (RK-22 ingress). */
export type IngressKind =
  'speech_started' | 'transcript_final' | 'audio_frame' | 'connection' | 'cancel';

/** One transport event: its contract record (checked by RK-05) and content beside it. */
export type TransportEvent = {
  readonly kind: IngressKind;
  readonly record: unknown;
  /** `transcript_final`: the user's words. */
  readonly text?: string;
  /** `audio_frame`: PCM16 mono. */
  readonly audio?: Extract<GraphItem, { kind: 'audio' }>;
};

/** Result of `Runtime.feed`. */
export type FeedResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly rejection: GatewayRejection | RuntimeRefusal };

/** Why the runtime refused an event that passed RK-05. */
export type RuntimeRefusal = {
  readonly code:
    /** Not a transport event: no object, an unknown `kind`, a field that cannot be read. */
    | 'invalid_event'
    | 'unknown_session'
    | 'session_mismatch'
    /** The record was taken already (same event id, or an older sequence on its lane). */
    | 'duplicate'
    | 'classification_mismatch'
    | 'stale_epoch'
    | 'stopped'
    /** The session's ControlLane backlog is full: try again once it drains; nothing was taken. */
    | 'saturated';
  readonly message: string;
};

/**
 * The JSON half of an audio output; its PCM16LE samples travel as bytes beside it (`binary` on
 * the bus, `pcm` for subscribers).
 */
export type AudioPayload = {
  readonly kind: 'audio';
  readonly encoding: 'pcm16le';
  readonly sample_rate_hz: number;
  readonly channels: 1;
  readonly duration_ms: number;
  readonly samples: number;
};

/** Everything a subscriber sees, in order. */
export type RuntimeOutput =
  | { readonly kind: 'control'; readonly record: ControlSignal }
  /** A DataLane output: text (`payload.text`) or audio (`payload` describes `pcm`). */
  | {
      readonly kind: 'data';
      readonly record: EventRecord;
      readonly payload: BusPayload;
      readonly pcm?: Int16Array;
    }
  | { readonly kind: 'outcome'; readonly outcome: DecisionOutcome }
  | {
      readonly kind: 'transition';
      readonly turn_id: string;
      readonly transition: TurnTransition;
    }
  /** A user input that no turn will answer, and why (which input a turn took is the
   * `causal_parent_id` of its `turn_open_proposed`). */
  | {
      readonly kind: 'input_superseded';
      readonly input_id: string;
      readonly reason: InputSupersededReason;
    }
  /**
   * What of a turn's reply reached the transport, as it entered the conversation history: all
   * of it after a commit; after an abort, up to the fence, `interrupted`.
   */
  | {
      readonly kind: 'reply';
      readonly turn_id: string;
      readonly text: string;
      readonly interrupted: boolean;
    }
  | { readonly kind: 'fence'; readonly diagnostic: FenceDiagnostic }
  /** The OR-02 baseline of a finalizing turn was (or could not be) appended to Stage-A. */
  | {
      readonly kind: 'evidence';
      readonly turn_id: string;
      readonly request_id: string;
      readonly appended: boolean;
      readonly terminal: EvidenceRequested['terminal'];
    }
  | { readonly kind: 'rejected'; readonly rejection: GatewayRejection | RuntimeRefusal }
  | { readonly kind: 'diagnostic'; readonly code: string; readonly message: string };

/** A subscriber of a session's outputs. */
export type RuntimeListener = (output: RuntimeOutput) => void;

/** Resolved identity and collaborators of one session. */
export type SessionDeps = {
  readonly options: RuntimeOptions;
  readonly limits: RuntimeLimits;
  readonly graph: RuntimeGraph;
  readonly gateway: EventGateway;
  readonly snapshot: ControlPlaneSnapshot;
  readonly tenant_id: string;
  readonly session_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly system_prompt: string | undefined;
  readonly policies: SessionInput['policies'];
  /** This placement of the session, when named. */
  readonly incarnation: string | undefined;
  /** Open turns across the runtime (RK-25 capacity), shared by every session. */
  readonly capacity: { active_turns: number };
};
