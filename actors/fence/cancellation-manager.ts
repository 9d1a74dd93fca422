/**
 * RK-16 cancellation manager of one session: the CancelToken tree and the RK-22 egress fence.
 * `cancel` of a turn, synchronously and in this order: fence egress; emit `barge_in` / `stop`
 * (when that was the trigger) and `cancel(scope=turn)`; emit the TTS flush `playback_cancelled`
 * when output was accepted; abort the turn token, which aborts its nodes and invocations; record
 * `cancel_sent_at_ms`. The turn's terminal (`abort(cancelled)`, RK-03) can only follow.
 */
import type { ControlSignal } from '../../contracts/index.ts';
import type { RuntimeClock, SignalStamper } from '../edges/index.ts';
import { CancelToken, type CancelCause } from './cancel-token.ts';
import { EgressFence, type CancelMarkers, type FenceDiagnostic } from './egress-fence.ts';

/** What to cancel. `via` names the interruption that triggered a turn cancel. */
export type CancelRequest =
  | { readonly scope: 'session' }
  | {
      readonly scope: 'turn';
      readonly turn_id: string;
      readonly via?: 'cancel' | 'barge_in' | 'stop';
    }
  | { readonly scope: 'node'; readonly turn_id: string; readonly node_id: string }
  | {
      readonly scope: 'provider_invocation';
      readonly turn_id: string;
      readonly node_id: string;
      readonly provider_invocation_id: string;
    };

/** Outcome of one cancel request. */
export type CancelReceipt =
  | { readonly accepted: true; readonly at_ms: number }
  | { readonly accepted: false; readonly reason: 'already_cancelled' | 'unknown_scope' };

/** Collaborators and bounds. */
export interface CancellationManagerOptions {
  readonly session_id: string;
  readonly authority_epoch: number;
  readonly clock: RuntimeClock;
  readonly stamp: SignalStamper;
  readonly emit: (signal: ControlSignal) => void;
  readonly onDiagnostic?: (diagnostic: FenceDiagnostic) => void;
  /** Bound on live children per token (turns, nodes, invocations). Default 256. */
  readonly maxChildren?: number;
  /** Bound on turns the fence remembers. Default 64. */
  readonly maxTurns?: number;
}

/** RK-16 for one session. */
export class CancellationManager {
  /** The RK-22 egress fence every DataLane output must pass. */
  readonly fence: EgressFence;
  /** The session token, root of the tree. */
  readonly session: CancelToken;
  private readonly options: CancellationManagerOptions;
  private epoch: number;

  /** Creates the manager and its session token. */
  constructor(options: CancellationManagerOptions) {
    this.options = options;
    this.epoch = options.authority_epoch;
    this.session = new CancelToken('session', options.session_id, undefined, options.maxChildren);
    this.fence = new EgressFence({
      session_id: options.session_id,
      clock: options.clock,
      stamp: options.stamp,
      emit: options.emit,
      ...(options.onDiagnostic ? { onDiagnostic: options.onDiagnostic } : {}),
      ...(options.maxTurns === undefined ? {} : { maxTurns: options.maxTurns }),
    });
  }

  /** Current authority epoch. */
  get authorityEpoch(): number {
    return this.epoch;
  }

  /** Opens a turn at the current epoch; returns its token. */
  openTurn(turn_id: string): CancelToken {
    this.fence.openTurn(turn_id, this.epoch);
    return this.session.child(turn_id);
  }

  /** The token of a node of an open turn. */
  node(turn_id: string, node_id: string): CancelToken {
    return this.turnToken(turn_id).child(node_id);
  }

  /** The token of one provider invocation of a node. */
  invocation(turn_id: string, node_id: string, provider_invocation_id: string): CancelToken {
    return this.node(turn_id, node_id).child(provider_invocation_id);
  }

  /** Cancels a scope; see the file comment for the order of effects. */
  cancel(request: CancelRequest): CancelReceipt {
    const at = this.options.clock.now();
    switch (request.scope) {
      case 'session':
        return this.cancelSession(at);
      case 'turn':
        return this.cancelTurn(request.turn_id, request.via ?? 'cancel', at);
      case 'node':
      case 'provider_invocation':
        return this.cancelInner(request, at);
    }
  }

  /** A new authority epoch fences and aborts every open turn stamped with another epoch. */
  changeEpoch(epoch: number): string[] {
    if (epoch === this.epoch) return [];
    this.epoch = epoch;
    const fenced = this.fence.turnsNotAt(epoch);
    for (const turn_id of fenced) {
      this.fence.apply(turn_id, 'authority_epoch_changed');
      this.fence.announceFlush(turn_id);
      this.abortTurn(turn_id, 'authority_epoch_changed');
    }
    return fenced;
  }

  /** Records a provider's acknowledgement of the turn's cancel (the first one counts). */
  acknowledge(turn_id: string): void {
    this.fence.markAck(turn_id);
  }

  /** Closes a turn: the fence refuses its later output and its token is released. */
  closeTurn(turn_id: string): void {
    this.fence.closeTurn(turn_id);
    this.session.release(turn_id);
  }

  /** Cancel evidence of a turn. */
  markers(turn_id: string): CancelMarkers | undefined {
    return this.fence.markers(turn_id);
  }

  private turnToken(turn_id: string): CancelToken {
    const token = this.session.find(turn_id);
    if (token === undefined) throw new RangeError(`turn ${turn_id} is not open`);
    return token;
  }

  private cancelTurn(
    turn_id: string,
    via: 'cancel' | 'barge_in' | 'stop',
    at: number,
  ): CancelReceipt {
    const token = this.session.find(turn_id);
    if (token === undefined) return { accepted: false, reason: 'unknown_scope' };
    // The fence goes first: anything reacting to the signals below is already refused.
    if (!this.fence.apply(turn_id, via)) return { accepted: false, reason: 'already_cancelled' };
    if (via !== 'cancel') this.emitSignal(via, turn_id, {});
    this.emitSignal('cancel', turn_id, { scope: 'turn' });
    this.fence.announceFlush(turn_id);
    this.abortTurn(turn_id, via);
    return { accepted: true, at_ms: at };
  }

  private cancelSession(at: number): CancelReceipt {
    if (this.session.cancelled) return { accepted: false, reason: 'already_cancelled' };
    const turns = this.session.list().map((t) => t.id);
    for (const turn_id of turns) this.fence.apply(turn_id, 'session_cancelled');
    this.emitSignal('cancel', undefined, { scope: 'session' });
    for (const turn_id of turns) this.fence.announceFlush(turn_id);
    this.session.cancel('session_cancelled', at);
    for (const turn_id of turns) this.fence.markSent(turn_id);
    return { accepted: true, at_ms: at };
  }

  private cancelInner(
    request: Extract<CancelRequest, { scope: 'node' | 'provider_invocation' }>,
    at: number,
  ): CancelReceipt {
    const node = this.session.find(request.turn_id)?.find(request.node_id);
    const token = request.scope === 'node' ? node : node?.find(request.provider_invocation_id);
    if (token === undefined) return { accepted: false, reason: 'unknown_scope' };
    if (token.cancelled) return { accepted: false, reason: 'already_cancelled' };
    this.emitSignal('cancel', request.turn_id, {
      scope: request.scope,
      node_id: request.node_id,
      ...(request.scope === 'provider_invocation'
        ? { provider_invocation_id: request.provider_invocation_id }
        : {}),
    });
    token.cancel('cancel', at);
    return { accepted: true, at_ms: at };
  }

  private abortTurn(turn_id: string, cause: CancelCause): void {
    this.session.find(turn_id)?.cancel(cause, this.options.clock.now());
    this.fence.markSent(turn_id);
  }

  private emitSignal(
    signal: 'cancel' | 'barge_in' | 'stop',
    turn_id: string | undefined,
    extra: {
      scope?: 'session' | 'turn' | 'node' | 'provider_invocation';
      node_id?: string;
      provider_invocation_id?: string;
    },
  ): void {
    const base = { signal, emitted_by: 'RK-16', authority_epoch: this.epoch, ...extra } as const;
    this.options.emit(
      this.options.stamp(
        turn_id === undefined
          ? { ...base, event_scope: 'session' }
          : { ...base, event_scope: 'turn', turn_id },
      ),
    );
  }
}

/** Creates the RK-16 cancellation manager (with its RK-22 fence) of one session. */
export function createCancellationManager(
  options: CancellationManagerOptions,
): CancellationManager {
  return new CancellationManager(options);
}
