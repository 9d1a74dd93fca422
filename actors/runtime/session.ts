/**
 * One session of the Runtime: the RK-02 session actor (the root of the session's actor tree:
 * session -> turn -> generation -> node -> invocation -> attempt) and its outbound side. Ingress
 * passes the RK-05 gateway, the RK-24 epoch check and RK-22 classification, then becomes one
 * session event; everything else happens inside the tree, which emits every output to one
 * listener here that publishes, records and delivers it in order. The lifecycle is the
 * machines': this class keeps no per-turn state.
 */
import { createActor, waitFor, type Actor } from 'xstate';
import type { SessionEmitted } from '../../machines/index.ts';
import {
  sessionAuthorityEnding,
  sessionTurnEnding,
  turnFencesOn,
  type TurnContext,
} from '../../machines/internal.ts';
import { checkIngressEpoch } from '../guard/epoch.ts';
import type { EventGateway } from '../guard/gateway.ts';
import { Conversation } from './conversation.ts';
import { classifyIngress, type SessionInputEvent } from './ingress.ts';
import { IngressOrder } from './ingress-order.ts';
import { runtimeSessionMachine } from './machines.ts';
import { SessionOutputs } from './outputs.ts';
import { SessionServices } from './services.ts';
import { readTransportEvent } from './transport-event.ts';
import { TurnLedger } from './turn-ledger.ts';
import type { AuthorityChange, FeedResult, RuntimeListener, SessionDeps } from './types.ts';

/** How long `stop` lets a live turn finish its terminal before the actor is stopped anyway. */
const STOP_GRACE_MS = 5000;

/** Input events waiting for the machines after a fencing `feed`, past which input is refused. */
const MAX_DEFERRED = 64;

/** The part of a turn actor's snapshot `turnFencesOn` reads. */
type TurnState = Parameters<typeof turnFencesOn>[0];

/** What waits for the machines: ingress, or an authority change made from inside a delivery. */
type Deferred =
  | SessionInputEvent
  | {
      readonly type: 'session.authority';
      readonly epoch: number;
      readonly authorized: boolean;
      readonly at_ms: number;
      readonly wall_ms: number;
    };

/** The runtime of one session. */
export class RuntimeSession {
  private readonly services: SessionServices;
  private readonly gateway: EventGateway;
  private readonly actor: Actor<typeof runtimeSessionMachine>;
  private readonly out: SessionOutputs;
  private stopped = false;
  /** Set while `setAuthority` runs when the live turn answers with an active-turn drain. */
  private revoked = false;
  /** Which ingress records were taken already (a record is taken once). */
  private readonly order = new IngressOrder();
  /** Input the machines take after `feed` returned (a fencing feed and what follows it). */
  private deferred: Deferred[] = [];

  /** Creates and starts the session actor. */
  constructor(deps: SessionDeps) {
    const { options, session_id, pipeline_version, authority_epoch, tenant_id } = deps;
    const { incarnation } = deps;
    const identity = {
      tenant_id,
      session_id,
      pipeline_version,
      authority_epoch,
      ...(incarnation === undefined ? {} : { incarnation }),
    };
    this.gateway = deps.gateway;
    this.out = new SessionOutputs(identity, options, deps.limits.outbox_capacity);
    this.services = new SessionServices({
      identity,
      options,
      limits: deps.limits,
      graph: deps.graph,
      snapshot: deps.snapshot,
      capacity: deps.capacity,
      authority: { epoch: authority_epoch, authorized: true },
      conversation: new Conversation(deps.limits.audio_frames),
      outputs: this.out,
      ledger: new TurnLedger(),
      system_prompt: deps.system_prompt,
    });
    this.actor = createActor(runtimeSessionMachine, {
      clock: options.clock,
      ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
      input: {
        session_id,
        pipeline_version,
        authority_epoch,
        services: this.services,
        ...(deps.policies === undefined ? {} : { policies: deps.policies }),
        ...(incarnation === undefined ? {} : { incarnation }),
      },
    });
    this.actor.on('*', (event) => this.onEmitted(event));
    this.actor.subscribe({
      error: (error) =>
        this.out.deliver({
          kind: 'diagnostic',
          code: 'session_actor_error',
          message: error instanceof Error ? error.message : String(error),
        }),
    });
    this.actor.start();
  }

  /** The session's current authority epoch (RK-24). */
  get epoch(): number {
    return this.services.authority.epoch;
  }

  /** Envelopes published so far, by lane. */
  get published() {
    return this.out.published;
  }

  /** True once the session machine is done. */
  get ended(): boolean {
    return this.actor.getSnapshot().status !== 'active';
  }

  /** Adds a listener; returns its removal. */
  subscribe(listener: RuntimeListener): () => void {
    return this.out.subscribe(listener);
  }

  /** RK-05, RK-24, then RK-22 classification, then the session machine; bad input is refused. */
  feed(input: unknown): FeedResult {
    if (this.stopped) return this.refuse({ code: 'stopped', message: 'session stopped' });
    const event = readTransportEvent(input);
    if ('code' in event) return this.refuse(event);
    const { accepted, rejected } = this.gateway.admitBatch([event.record]);
    const record = accepted[0];
    if (rejected[0] !== undefined || record === undefined) {
      return this.refuse(rejected[0] ?? { code: 'stopped', message: 'no record admitted' });
    }
    // RK-24 ingress: an event of another placement's epoch is never processed.
    const time = this.services.now();
    const epoch = checkIngressEpoch(
      record,
      { authority_epoch: this.services.authority.epoch },
      { ordinal: 0, runtime_ms: time.at_ms, wall_ms: time.wall_ms, scope: 'edge_enqueue' },
    );
    if (!epoch.accepted) {
      this.out.outcome(epoch.outcome);
      this.out.signal(epoch.signal);
      const { expected_epoch, received_epoch } = epoch.diagnostic;
      return this.refuse({
        code: 'stale_epoch',
        message: `authority_epoch: expected ${String(expected_epoch)}, received ${String(received_epoch)}`,
      });
    }
    const classified = classifyIngress(event, record, this.services.identity.session_id, time);
    if ('code' in classified) return this.refuse(classified);
    const duplicate = this.order.check(record);
    if (duplicate !== null) return this.refuse(duplicate);
    // ControlLane is lossless: while its backlog is full, input that adds signals waits.
    if (classified.type !== 'audio.frame' && this.saturated()) {
      return this.refuse({
        code: 'saturated',
        message: 'session saturated: its ControlLane backlog is full; feed again once it drains',
      });
    }
    this.order.taken(record);
    // From inside a delivery the machines may be mid-step (a turn between its evidence and its
    // terminal): the event waits until the step is over, as if fed just after the delivery.
    const fenced = this.fenceAhead(classified);
    if (fenced || this.deferred.length > 0 || this.out.delivering) this.defer(classified);
    else this.take(classified);
    return { accepted: true };
  }

  /**
   * RK-24: this placement's authority changed (lease lost, or a new epoch). New turns take the
   * epoch; the live turn decides whether it can go on (its machine revokes it otherwise:
   * `deauthorized_drain`, `playback_cancelled`, `abort(authority_loss)`, `close`). Returns true
   * when the live turn was revoked. Called from inside a delivery, the new view applies at once
   * (ingress, new turns, and the fence of a turn it revokes) and the turn hears of it just after
   * the delivery: the call then returns false, and the revocation shows as the turn's
   * `deauthorized_drain`.
   */
  setAuthority(change: AuthorityChange): boolean {
    if (this.stopped) return false;
    const authority = this.services.authority;
    authority.epoch = change.authority_epoch ?? authority.epoch;
    authority.authorized = change.authorized ?? authority.authorized;
    const event = {
      type: 'session.authority' as const,
      epoch: authority.epoch,
      authorized: authority.authorized,
      ...this.services.now(),
    };
    if (this.out.delivering) {
      this.fenceRevoked(event);
      this.defer(event);
      return false;
    }
    this.takeDeferred();
    this.revoked = false;
    this.actor.send(event);
    const revoked = this.revoked;
    this.revoked = false;
    return revoked;
  }

  /** Ends the session: a live turn ends with one terminal and `close`; then drains the outbox. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.takeDeferred();
      this.stopped = true;
      if (!this.ended) this.actor.send({ type: 'session.end', ...this.services.now() });
      // A live turn's terminal waits for its evidence (a microtask): let it land.
      await waitFor(this.actor, (s) => s.status !== 'active', { timeout: STOP_GRACE_MS }).catch(
        () => undefined,
      );
      this.actor.stop();
      this.services.releaseAll();
      await this.out.evidence.close();
    }
    await this.out.drain();
  }

  private saturated(): boolean {
    return this.out.saturated || this.deferred.length >= MAX_DEFERRED;
  }

  /**
   * RK-16/RK-22 inside `feed`: when the event ends the live turn early (a cancel, or the user
   * speaking over the reply), that turn's egress is fenced now, as the turn machine would fence
   * it, and true is returned: the machines then take the event after `feed` returns (its
   * signals, abort, close and the next turn follow in order). The decision is the machines':
   * `sessionTurnEnding` and `turnFencesOn` read their current states.
   */
  private fenceAhead(event: SessionInputEvent): boolean {
    if (event.type === 'audio.frame') return false;
    const session = this.actor.getSnapshot();
    if (session.status !== 'active') return false;
    const ending = sessionTurnEnding(session, event);
    if (ending === null) return false;
    const turn = session.children[ending.turn_id];
    if (turn === undefined) return false;
    const state = turn.getSnapshot() as TurnState & { readonly context: TurnContext };
    if (!turnFencesOn(state, ending.event)) return false;
    this.out.fenceTurn(ending.turn_id, ending.cause);
    return true;
  }

  /** Fences the live turn now when the authority change will revoke it (RK-24). */
  private fenceRevoked(change: { epoch: number; authorized: boolean; at_ms: number }): void {
    const session = this.actor.getSnapshot();
    if (session.status !== 'active') return;
    const ending = sessionAuthorityEnding(session, change);
    const turn = ending === null ? undefined : session.children[ending.turn_id];
    if (ending === null || turn === undefined) return;
    const state = turn.getSnapshot() as TurnState & { readonly context: TurnContext };
    if (turnFencesOn(state, ending.event)) this.out.fenceTurn(ending.turn_id, ending.cause);
  }

  /** Queues input for the machines; the first one schedules the flush. */
  private defer(event: Deferred): void {
    this.deferred.push(event);
    if (this.deferred.length === 1) queueMicrotask(() => this.takeDeferred());
  }

  /** Hands deferred input to the machines, in order (also before anything else reaches them). */
  private takeDeferred(): void {
    while (this.deferred.length > 0 && !this.stopped) {
      const [next, ...rest] = this.deferred;
      this.deferred = rest;
      if (next !== undefined) this.take(next);
    }
  }

  private take(event: Deferred): void {
    switch (event.type) {
      case 'session.authority':
        this.actor.send(event);
        return;
      case 'audio.frame':
        this.services.conversation.addAudio(event.audio);
        return;
      case 'user.transcript.final':
        this.services.conversation.addTranscript(event.input_id, event.text);
        this.actor.send({
          type: event.type,
          input_id: event.input_id,
          at_ms: event.at_ms,
          wall_ms: event.wall_ms,
        });
        return;
      case 'user.speech.started':
      case 'connection.signal':
      case 'turn.cancel':
        this.actor.send(event);
    }
  }

  private onEmitted(event: SessionEmitted): void {
    switch (event.type) {
      case 'control.signal': {
        const signal = event.signal;
        if (!this.out.signal(signal)) return;
        const turn_id = signal.turn_id;
        if (typeof turn_id !== 'string') return;
        if (signal.signal === 'deauthorized_drain' && signal.reason === 'authority_revoked_in_turn')
          this.revoked = true;
        else if (signal.signal === 'close') this.forget(turn_id);
        return;
      }
      case 'decision.outcome': {
        const { turn_id } = event.outcome;
        if (turn_id !== undefined) this.services.ledger.peek(turn_id)?.decide(event.outcome);
        this.out.outcome(event.outcome);
        return;
      }
      case 'turn.transition':
        this.out.deliver({
          kind: 'transition',
          turn_id: event.turn_id,
          transition: event.transition,
        });
        // A proposal refused pre-turn (Opening -> Idle) answered nothing: its notes go.
        if (event.transition.from_state === 'Opening' && event.transition.to_state === 'Idle') {
          this.services.conversation.release(event.turn_id);
          this.services.ledger.forget(event.turn_id);
        }
        return;
      case 'session.input.superseded':
        this.services.conversation.dropTranscript(event.input_id);
        this.out.deliver({
          kind: 'input_superseded',
          input_id: event.input_id,
          reason: event.reason,
        });
        return;
      case 'evidence.requested':
        // Served by the turn's own `evidence` actor.
        return;
      case 'turn.late_event.remapped':
      case 'turn.late_event.reported':
        this.out.deliver({ kind: 'diagnostic', code: event.type, message: event.turn_id });
    }
  }

  /** A closed turn: its egress is refused from now on and its notes are dropped. */
  private forget(turn_id: string): void {
    this.out.closeTurn(turn_id);
    this.services.ledger.forget(turn_id);
  }

  private refuse(rejection: Extract<FeedResult, { accepted: false }>['rejection']): FeedResult {
    this.out.deliver({ kind: 'rejected', rejection });
    return { accepted: false, rejection };
  }
}
