import { describe, expect, it } from 'vitest';
import {
  arbitrate,
  conditionEvents,
  contractProblems,
  invariantProblems,
  lastRequestId,
  lines,
  opening,
  openTurn,
  planned,
  startSession,
  startTurn,
  type TurnRun,
} from './turn-harness.ts';

const PROPOSED = 'transition Idle -(turn_open_proposed)-> Opening';
const OPENED = [
  'outcome admit pre_turn/turn by RK-25: admission_capacity_allow',
  'signal turn_open by RK-03 [turn]',
  'transition Opening -(turn_open)-> Active',
];
/** An early end fences the egress and flushes playback before its abort is chosen. */
const FLUSHED = 'signal playback_cancelled(cancel_fence_applied) by RK-22 [turn]';
const CLOSED = ['signal close by RK-03 [turn]', 'transition Terminal -(close)-> Closed'];
const DRAINED = [
  'outcome deauthorized_drain active_turn/turn by RK-24: authority_revoked_in_turn @7',
  'signal deauthorized_drain(authority_revoked_in_turn) by RK-24 [turn]',
];
const TRANSPORT = [
  'signal disconnected(transport_disconnect_or_stall) by RK-23 [turn]',
  'signal stall(transport_disconnect_or_stall) by RK-23 [turn]',
];
const aborted = (reason: string): string[] => [
  FLUSHED,
  `evidence.requested abort(${reason})`,
  `signal abort(${reason}) by RK-03 [turn]`,
  'transition Active -(abort)-> Terminal',
  ...CLOSED,
];

function appended(run: TurnRun, at_ms: number): TurnRun {
  return run.send({ type: 'evidence.appended', at_ms, request_id: lastRequestId(run.outputs) });
}

function expectLegal(outputs: TurnRun['outputs'], complete = true): void {
  expect(contractProblems(outputs)).toEqual([]);
  expect(invariantProblems(outputs, complete)).toEqual([]);
}

/** Lifecycle signals a pre-turn path must never emit. */
const LIFECYCLE = /^signal (turn_open|abort|close|commit)\b/;

describe('failure rows the machines show alone (spec/failures.md)', () => {
  it('F1: capacity overload pre-turn rejects (default) or defers (configured); no turn_open, abort or close', () => {
    const reject = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { capacity_ok: false }),
    );
    expect(lines(reject.outputs)).toEqual([
      PROPOSED,
      'outcome reject pre_turn/turn by RK-25: admission_capacity_reject',
      'signal reject(admission_capacity_reject) by RK-25 [session]',
      'transition Opening -(reject)-> Idle',
    ]);
    const defer = startTurn({ policies: { capacity: 'defer' } }).send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { capacity_ok: false }),
    );
    expect(lines(defer.outputs)).toEqual([
      PROPOSED,
      'outcome defer pre_turn/turn by RK-25: admission_capacity_defer',
      'signal defer(admission_capacity_defer) by RK-25 [session]',
      'transition Opening -(defer)-> Idle',
    ]);
    // CP-05 capacity defer is CP-05's own (session-scoped) decision at step 7.
    const cp = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, {
        cp_decision: { outcome_kind: 'defer', reason: 'cp_admission_defer_capacity' },
      }),
    );
    expect(lines(cp.outputs)).toEqual([
      PROPOSED,
      'outcome defer pre_turn/session by CP-05: cp_admission_defer_capacity',
      'signal defer(cp_admission_defer_capacity) by CP-05 [session]',
      'transition Opening -(defer)-> Idle',
    ]);
    for (const run of [reject, defer, cp]) {
      expect(lines(run.outputs).filter((l) => LIFECYCLE.test(l))).toEqual([]);
      expect(run.value()).toEqual({ Idle: 'released' });
      expectLegal(run.outputs);
    }
  });

  it('F2: a node timeout/failure without degrade or fallback aborts with node_timeout_or_failure, then close', () => {
    const run = openTurn().send({ type: 'turn.failure', at_ms: 30, failure: 'node' });
    appended(run, 31);
    expect(lines(run.take())).toEqual(aborted('node_timeout_or_failure'));
    expect(run.value()).toBe('Closed');
    expectLegal(run.outputs);
  });

  it('F3: an exhausted provider aborts with provider_failure, then close', () => {
    const run = openTurn().send({ type: 'turn.failure', at_ms: 30, failure: 'provider' });
    appended(run, 31);
    expect(lines(run.take())).toEqual(aborted('provider_failure'));
    expect(run.value()).toBe('Closed');
    expectLegal(run.outputs);
  });

  it('F6: a disconnect or stall of an accepted turn: disconnected, stall, abort(transport_disconnect_or_stall), close', () => {
    for (const signal of ['disconnected', 'stall'] as const) {
      const run = openTurn().send({ type: 'turn.connection', at_ms: 30, signal });
      appended(run, 31);
      expect(lines(run.take())).toEqual([
        ...TRANSPORT,
        ...aborted('transport_disconnect_or_stall'),
      ]);
      expectLegal(run.outputs);
    }

    // Through the session: silence and reconnecting only signal; a disconnect ends the turn.
    const session = startSession().send(
      { type: 'connection.signal', at_ms: 1, signal: 'connected' },
      { type: 'user.transcript.final', at_ms: 10 },
      ...opening(20),
      { type: 'connection.signal', at_ms: 25, signal: 'silence' },
      { type: 'connection.signal', at_ms: 26, signal: 'reconnecting' },
      { type: 'connection.signal', at_ms: 30, signal: 'disconnected' },
    );
    session.send({
      type: 'evidence.appended',
      at_ms: 31,
      request_id: lastRequestId(session.outputs),
    });
    expect(lines(session.outputs)).toEqual([
      'signal connected by RK-23 [session]',
      'signal turn_open_proposed(session_turn_intent) by RK-02 [session]',
      PROPOSED,
      ...OPENED,
      'signal silence by RK-23 [turn]',
      'signal reconnecting by RK-23 [turn]',
      ...TRANSPORT,
      ...aborted('transport_disconnect_or_stall'),
    ]);
    expect(session.value()).toBe('idle');
    expectLegal(session.outputs);
  });

  it('F7: a stale epoch pre-turn rejects without abort/close; in turn a revoke beats a same-point cancel', () => {
    const pre = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { current_epoch: 8 }),
    );
    expect(lines(pre.outputs)).toEqual([
      PROPOSED,
      'outcome stale_epoch_reject pre_turn/turn by RK-24: authority_epoch_mismatch @7',
      'signal stale_epoch_reject(authority_epoch_mismatch) by RK-24 [turn]',
      'transition Opening -(stale_epoch_reject)-> Idle',
    ]);
    expectLegal(pre.outputs);

    // The CP-07 lease re-gate (step 6) rejects with the lease's epoch.
    const lease = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, {
        lease: { authority_epoch: 9, authority_epoch_valid: false, authority_authorized: true },
      }),
    );
    expect(lines(lease.outputs).slice(1, 2)).toEqual([
      'outcome stale_epoch_reject pre_turn/turn by RK-24: authority_epoch_mismatch @9',
    ]);

    // A stale event alone never terminalizes; a revoke at the same point as a cancel wins.
    const run = openTurn().send(
      { type: 'turn.cancel', at_ms: 29, authority_epoch: 6 },
      ...conditionEvents(30, { cancel_accepted: true, authority_revoked: true }),
    );
    appended(run, 31);
    expect(lines(run.take())).toEqual([
      'outcome stale_epoch_reject scheduling_point/node_dispatch by RK-24: authority_epoch_mismatch @6',
      'signal stale_epoch_reject(authority_epoch_mismatch) by RK-24 [turn]',
      ...DRAINED,
      ...aborted('authority_loss'),
    ]);
    expectLegal(run.outputs);

    // A cancel already being finalized is overtaken by a later revoke (safety first).
    const late = openTurn().send(
      { type: 'turn.cancel', at_ms: 30 },
      { type: 'turn.revoke', at_ms: 31 },
    );
    appended(late, 32);
    // Fenced and flushed once, by the cancel; the revoke replaces the terminal only.
    expect(lines(late.take())).toEqual([
      'signal cancel by RK-16 [turn, scope turn]',
      FLUSHED,
      'evidence.requested abort(cancelled)',
      ...DRAINED,
      ...aborted('authority_loss').slice(1),
    ]);
    expectLegal(late.outputs);
  });

  it("F8: the old placement's active turn drains and aborts with authority_loss; its output is stale for the new one", () => {
    const old = openTurn().send({ type: 'turn.revoke', at_ms: 30 });
    appended(old, 31);
    expect(lines(old.take())).toEqual([...DRAINED, ...aborted('authority_loss')]);
    expect(old.value()).toBe('Closed');
    expectLegal(old.outputs);

    // The new placement opens with the rotated epoch (lease re-gate) and rejects old output.
    const rotated = arbitrate(20, {
      requested_epoch: 8,
      current_epoch: 8,
      lease: { authority_epoch: 8, authority_epoch_valid: true, authority_authorized: true },
    });
    const next = startTurn({ turn_id: 'turn-2', authority_epoch: 8 }).send(
      { type: 'turn.propose', at_ms: 10 },
      rotated,
      planned(20),
    );
    next.take();
    next.send({ type: 'pipeline.event', at_ms: 40, authority_epoch: 7, node_id: 'tts' });
    expect(lines(next.take())).toEqual([
      'outcome stale_epoch_reject scheduling_point/node_dispatch by RK-24: authority_epoch_mismatch @7',
      'signal stale_epoch_reject(authority_epoch_mismatch) by RK-24 [turn]',
    ]);
    expect(next.value()).toEqual({ Active: 'running' });
    expectLegal(next.outputs, false);
  });
});
