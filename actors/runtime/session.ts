/**
 * One session of the Runtime: the RK-02 session machine actor plus everything around it. Ingress
 * passes the RK-05 gateway, then becomes session events; a turn entering `Opening` gets its
 * pre-turn evaluation (`turn.arbitrate`), a turn entering `Active` runs the compiled graph, and
 * the graph's end becomes `turn.generation.completed` or `turn.failure`. Evidence requests are
 * answered by the session's Stage-A recorder. Every output is restamped (RK-21), validated and
 * published; DataLane output passes the RK-22 egress fence, which a cancel or barge-in closes
 * synchronously, before the machines even see the event.
 */
import { createActor, type Actor } from 'xstate';
import type { ControlSignal, Lane } from '../../contracts/index.ts';
import {
  sessionMachine,
  type EvidenceRequested,
  type SessionEmitted,
} from '../../machines/index.ts';
import type { FenceCause } from '../fence/index.ts';
import { checkIngressEpoch } from '../guard/epoch.ts';
import { createGraphExecution, type ExecutionReport } from '../graph/executor.ts';
import { Conversation } from './conversation.ts';
import { classifyIngress, type SessionInputEvent } from './ingress.ts';
import { SessionOutputs } from './outputs.ts';
import { createTurnRecord, keepFact, turnFacts, type TurnRecord } from './turn-record.ts';
import { evaluateTurn, executionOptions, type FlowTime } from './turn-flow.ts';
import type {
  AuthorityChange,
  FeedResult,
  RuntimeListener,
  SessionDeps,
  TransportEvent,
} from './types.ts';

/** The runtime of one session. */
export class RuntimeSession {
  private readonly deps: SessionDeps;
  private readonly actor: Actor<typeof sessionMachine>;
  private readonly out: SessionOutputs;
  private readonly turns = new Map<string, TurnRecord>();
  private readonly conversation: Conversation;
  private turnCount = 0;
  private current: TurnRecord | null = null;
  private stopped = false;
  /** RK-24's view of this placement: the current epoch and whether it may still act. */
  private readonly authority: { epoch: number; authorized: boolean };

  /** Creates and starts the session actor. */
  constructor(deps: SessionDeps) {
    this.deps = deps;
    const { options, session_id, pipeline_version, authority_epoch } = deps;
    this.authority = { epoch: authority_epoch, authorized: true };
    this.out = new SessionOutputs(deps, options, deps.limits.outbox_capacity);
    this.conversation = new Conversation(deps.limits.audio_frames);
    this.actor = createActor(sessionMachine, {
      clock: options.clock,
      input: {
        session_id,
        pipeline_version,
        authority_epoch,
        ...(deps.policies === undefined ? {} : { policies: deps.policies }),
      },
    });
    this.actor.on('*', (event) => this.onEmitted(event));
    this.actor.subscribe({
      error: (error) =>
        this.out.deliver({
          kind: 'diagnostic',
          code: 'session_actor_error',
          message: String(error),
        }),
    });
    this.actor.start();
  }

  /** Envelopes published so far, by lane. */
  get published(): Readonly<Record<Lane, number>> {
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

  /** RK-05 then RK-22 classification, then the session machine; invalid input is never processed. */
  feed(event: TransportEvent): FeedResult {
    if (this.stopped) return this.refuse({ code: 'stopped', message: 'session stopped' });
    const { accepted, rejected } = this.deps.gateway.admitBatch([event.record]);
    const record = accepted[0];
    if (rejected[0] !== undefined || record === undefined) {
      return this.refuse(rejected[0] ?? { code: 'stopped', message: 'no record admitted' });
    }
    // RK-24 ingress: an event of another placement's epoch is never processed.
    const time = this.time();
    const epoch = checkIngressEpoch(
      record,
      { authority_epoch: this.authority.epoch },
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
    const classified = classifyIngress(event, record, this.deps.session_id, time);
    if ('code' in classified) return this.refuse(classified);
    this.take(classified);
    return { accepted: true };
  }

  /**
   * RK-24: this placement's authority changed (lease lost, or a new epoch). A live turn of
   * another epoch, or any live turn once unauthorized, is fenced at once and revoked
   * (`deauthorized_drain`, `abort(authority_loss)`, `close`); later proposals are arbitrated
   * against the new view. Returns true when a live turn was revoked.
   */
  setAuthority(change: AuthorityChange): boolean {
    if (this.stopped) return false;
    this.authority.epoch = change.authority_epoch ?? this.authority.epoch;
    this.authority.authorized = change.authorized ?? this.authority.authorized;
    const live = this.current;
    const epoch = live?.evaluation?.authority_epoch;
    if (live === null || live.ended || epoch === undefined) return false;
    if (this.authority.authorized && epoch === this.authority.epoch) return false;
    this.fenceTurn(live, 'authority_epoch_changed');
    this.actor.send({ type: 'turn.revoke', turn_id: live.turn_id, ...this.time() });
    return true;
  }

  /** Ends the session: a live turn ends with one terminal and `close`; then drains the outbox. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      if (!this.ended) this.actor.send({ type: 'session.end', ...this.time() });
      for (const turn of this.turns.values()) turn.execution?.cancel('cancel');
      this.actor.stop();
      await this.out.evidence.close();
    }
    await this.out.drain();
  }

  private take(event: SessionInputEvent): void {
    if (event.type === 'audio.frame') {
      this.conversation.addAudio(event.audio);
      return;
    }
    const live = this.current;
    // RK-16: the fence closes here, synchronously, before the machines see the barge-in/cancel.
    if (event.type === 'turn.cancel') {
      const target = this.turns.get(event.turn_id ?? live?.turn_id ?? '');
      const epoch = target?.evaluation?.authority_epoch;
      if (target !== undefined && (event.authority_epoch ?? epoch) === epoch) {
        this.fenceTurn(target, 'cancel');
      }
      this.actor.send(event);
      return;
    }
    const speech = event.type === 'user.speech.started' || event.type === 'user.transcript.final';
    if (speech && live !== null && this.actor.getSnapshot().matches({ active: 'running' })) {
      this.fenceTurn(live, 'barge_in');
    }
    if (event.type === 'user.transcript.final') {
      this.conversation.setTranscript(event.text);
      this.actor.send({ type: event.type, at_ms: event.at_ms, wall_ms: event.wall_ms });
    } else {
      this.actor.send(event);
    }
  }

  private onEmitted(event: SessionEmitted): void {
    switch (event.type) {
      case 'control.signal':
        this.onSignal(event.signal);
        return;
      case 'decision.outcome': {
        const id = event.outcome.turn_id;
        const turn = id === undefined ? undefined : this.turns.get(id);
        if (turn !== undefined) keepFact(turn.decisions, event.outcome);
        this.out.outcome(event.outcome);
        return;
      }
      case 'turn.transition':
        this.out.deliver({ kind: 'transition', transition: event.transition });
        if (event.transition.to_state === 'Opening') this.arbitrate();
        if (event.transition.to_state === 'Active') this.execute();
        if (event.transition.to_state === 'Idle') this.release();
        return;
      case 'evidence.requested':
        this.answer(event);
        return;
      case 'turn.late_event.remapped':
      case 'turn.late_event.reported':
        this.out.deliver({ kind: 'diagnostic', code: event.type, message: event.turn_id });
    }
  }

  /** OR-02: the baseline goes to Stage-A before the terminal; the answer goes back at once. */
  private answer(request: EvidenceRequested): void {
    const turn = this.turns.get(request.turn_id) ?? createTurnRecord(request.turn_id, []);
    const facts = turnFacts(turn, this.deps.pipeline_version, this.out.markers(turn.turn_id));
    const verdict = this.out.evidence.appendBaseline(request, facts);
    const { turn_id, request_id, terminal } = request;
    this.out.deliver({ kind: 'evidence', turn_id, request_id, appended: verdict.ok, terminal });
    this.actor.send({
      type: verdict.ok ? 'evidence.appended' : 'evidence.append_failed',
      turn_id: request.turn_id,
      request_id: request.request_id,
      authority_epoch: request.authority_epoch,
      at_ms: request.at_ms,
      wall_ms: request.wall_ms,
    });
  }

  private arbitrate(): void {
    this.turnCount += 1;
    const turn_id = `turn-${String(this.turnCount)}`;
    const turn = createTurnRecord(turn_id, this.conversation.takeInput());
    this.turns.set(turn_id, turn);
    this.current = turn;
    const capacity = {
      active_turns: this.deps.capacity.active_turns,
      max_active_turns: this.deps.limits.max_active_turns,
    };
    const { snapshot } = this.deps;
    const { evaluation, admit } = evaluateTurn(
      { ...this.deps, authority_epoch: this.authority.epoch },
      snapshot,
      capacity,
      turn_id,
      this.time(),
      { authority_epoch: this.authority.epoch, authorized: this.authority.authorized },
    );
    turn.evaluation = evaluation;
    if (admit !== null) {
      keepFact(turn.decisions, admit);
      this.out.outcome(admit);
    }
    this.actor.send({ ...evaluation.event, turn_id });
  }

  /** A pre-turn outcome (T2..T5a): the proposal is spent, nothing of it is kept. */
  private release(): void {
    if (this.current !== null) this.turns.delete(this.current.turn_id);
    this.current = null;
  }

  private execute(): void {
    const turn = this.current;
    if (turn?.evaluation == null) return;
    const options = executionOptions({
      identity: this.deps,
      turn_id: turn.turn_id,
      evaluation: turn.evaluation,
      graph: this.deps.graph,
      options: this.deps.options,
      limits: this.deps.limits,
      input: turn.input,
      history: this.conversation.messages(this.deps.system_prompt),
    });
    if (options === null) return;
    this.deps.capacity.active_turns += 1;
    turn.counted = true;
    this.out.open(turn.turn_id, options.identity.authority_epoch);
    turn.execution = createGraphExecution({
      ...options,
      report: (report) => this.onExecution(turn, report),
    });
    turn.execution.start();
  }

  private onExecution(turn: TurnRecord, report: ExecutionReport): void {
    const at = this.time();
    switch (report.kind) {
      case 'signal':
        this.onSignal(report.signal);
        return;
      case 'attempt':
        keepFact(turn.attempts, report.record);
        this.out.evidence.recordAttempt(report.record);
        return;
      case 'egress':
        this.out.egress(turn, report);
        return;
      case 'completed':
        this.actor.send({ type: 'turn.generation.completed', turn_id: turn.turn_id, ...at });
        return;
      case 'failed': {
        const failure = report.request.failure;
        this.actor.send({ type: 'turn.failure', turn_id: turn.turn_id, failure, ...at });
        return;
      }
      case 'overflow':
        turn.execution?.cancel('cancel');
        this.actor.send({ type: 'turn.failure', turn_id: turn.turn_id, failure: 'node', ...at });
        return;
    }
  }

  private onSignal(signal: ControlSignal): void {
    if (!this.out.signal(signal)) return;
    const turn = typeof signal.turn_id === 'string' ? this.turns.get(signal.turn_id) : undefined;
    if (turn === undefined) return;
    const name = signal.signal;
    if (name === 'barge_in' || name === 'cancel' || name === 'abort') {
      turn.ended ||= name === 'abort';
      this.fenceTurn(turn, name === 'abort' ? 'stop' : name);
      // The TTS flush marker follows the turn's own barge_in/cancel/abort signal.
      this.out.flush(turn);
    } else if (name === 'commit') {
      turn.ended = true;
      this.conversation.commit(turn);
    } else if (name === 'close') {
      if (turn.counted) this.deps.capacity.active_turns -= 1;
      turn.counted = false;
      this.out.close(turn.turn_id);
      this.turns.delete(turn.turn_id);
      if (this.current === turn) this.current = null;
    }
  }

  /** RK-16/RK-22: fence the turn's egress, then cancel its nodes and provider calls. */
  private fenceTurn(turn: TurnRecord, cause: FenceCause): void {
    if (!this.out.fenceTurn(turn.turn_id, cause)) return;
    const execution = turn.execution;
    if (execution === null) return;
    // Node actors and provider calls stop synchronously (AbortSignal): the ack is immediate.
    execution.cancel(cause === 'barge_in' ? 'barge_in' : 'cancel');
    this.out.acknowledge(turn.turn_id);
  }

  private time(): FlowTime {
    const clock = this.deps.options.clock;
    return { at_ms: clock.now(), wall_ms: clock.wallNow() };
  }

  private refuse(rejection: Extract<FeedResult, { accepted: false }>['rejection']): FeedResult {
    this.out.deliver({ kind: 'rejected', rejection });
    return { accepted: false, rejection };
  }
}
