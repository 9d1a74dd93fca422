/**
 * Stamps ControlLane signals for actors with `stampSignal` from machines/ (RK-21 event ids,
 * ordinal-based sequences), reading time from the injected clock. One stamper is shared by
 * every actor of a session so event ids never collide.
 */
import { idPart, stampSignal } from '../../machines/internal.ts';
import type { ControlSignal, Lane } from '../../contracts/index.ts';
import type {
  ControlSignalEmitter,
  ControlSignalName,
  SeqRange,
} from '../../contracts/internal.ts';
import type { RuntimeClock } from './clock.ts';

/** Scope of a signal: a turn-scoped signal names its turn. */
type DraftScope =
  | { readonly event_scope: 'turn'; readonly turn_id: string }
  | { readonly event_scope: 'session'; readonly turn_id?: string };

/** Fields an actor chooses for one control signal; the stamper fills in the envelope. */
export type SignalDraft = DraftScope & {
  readonly signal: ControlSignalName;
  readonly emitted_by: ControlSignalEmitter;
  readonly authority_epoch: number;
  readonly reason?: string;
  readonly scope?: 'session' | 'turn' | 'node' | 'provider_invocation';
  readonly node_id?: string;
  readonly edge_id?: string;
  readonly provider_invocation_id?: string;
  readonly target_lane?: Lane;
  readonly seq_range?: SeqRange;
  readonly amount?: number;
  readonly sync_domain?: string;
  readonly discontinuity_id?: string;
};

/** Turns a draft into a complete, contract-valid control signal. */
export type SignalStamper = (draft: SignalDraft) => ControlSignal;

/** Session identity every signal of a stamper carries. */
export interface StamperIdentity {
  readonly session_id: string;
  readonly pipeline_version: string;
}

export { idPart };

/** Creates a stamper whose ordinal orders every signal it stamps (event id, sequences). */
export function createSignalStamper(identity: StamperIdentity, clock: RuntimeClock): SignalStamper {
  let ordinal = 0;
  return (draft) => {
    const { event_scope, turn_id, authority_epoch, ...fields } = draft;
    return stampSignal(
      { ...identity, authority_epoch, turn_id },
      { runtime_ms: clock.now(), wall_ms: clock.wallNow() },
      ordinal++,
      { ...fields, event_scope },
    );
  };
}
