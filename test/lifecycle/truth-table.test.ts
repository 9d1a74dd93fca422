import { describe, expect, it } from 'vitest';
import {
  arbitrate,
  contractProblems,
  planned,
  invariantProblems,
  lastRequestId,
  lines,
  openTurn,
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
const COMMITTED = ['signal commit by RK-03 [turn]', 'transition Active -(commit)-> Terminal'];
const aborted = (reason: string): string[] => [
  `signal abort(${reason}) by RK-03 [turn]`,
  'transition Active -(abort)-> Terminal',
];

/** Answers the pending evidence request of `run` as appended. */
function appended(run: TurnRun, at_ms: number): TurnRun {
  return run.send({ type: 'evidence.appended', at_ms, request_id: lastRequestId(run.outputs) });
}

/** Every artifact is contract-valid and the lifecycle invariants hold (`complete`: run is over). */
function expectLegal(run: TurnRun, complete = true): void {
  expect(contractProblems(run.outputs)).toEqual([]);
  expect(invariantProblems(run.outputs, complete)).toEqual([]);
}

describe('turn truth table (spec/lifecycle.md)', () => {
  it('T1: Idle -(turn_open_proposed)-> Opening with a transition record and no signal', () => {
    const run = startTurn().send({ type: 'turn.propose', at_ms: 10 });
    expect(lines(run.outputs)).toEqual([PROPOSED]);
    expect(run.value()).toEqual({ Opening: 'arbitrating' });
    expectLegal(run);
  });

  it('T2: an invalid snapshot or missing capacity ends the proposal with defer/reject, back to Idle', () => {
    const snapshot = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { snapshot_valid: false }),
    );
    expect(lines(snapshot.outputs)).toEqual([
      PROPOSED,
      'outcome defer pre_turn/turn by RK-25: snapshot_invalid_or_missing',
      'signal defer(snapshot_invalid_or_missing) by RK-25 [session]',
      'transition Opening -(defer)-> Idle',
    ]);
    expect(snapshot.value()).toEqual({ Idle: 'released' });
    expectLegal(snapshot);

    const configured = startTurn({ policies: { snapshot_invalid: 'reject' } }).send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { snapshot_valid: false }),
    );
    expect(lines(configured.outputs).slice(1)).toEqual([
      'outcome reject pre_turn/turn by RK-25: snapshot_invalid_or_missing',
      'signal reject(snapshot_invalid_or_missing) by RK-25 [session]',
      'transition Opening -(reject)-> Idle',
    ]);
    expectLegal(configured);

    const capacity = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { capacity_ok: false }),
    );
    expect(lines(capacity.outputs).slice(1)).toEqual([
      'outcome reject pre_turn/turn by RK-25: admission_capacity_reject',
      'signal reject(admission_capacity_reject) by RK-25 [session]',
      'transition Opening -(reject)-> Idle',
    ]);
    expectLegal(capacity);
  });

  it('T3: a stale epoch ends the proposal with stale_epoch_reject carrying the epoch', () => {
    const run = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      // Stale epoch and failing later checks: step 3 decides.
      arbitrate(20, { requested_epoch: 6, authorized: false, bundle_ok: false }),
    );
    expect(lines(run.outputs)).toEqual([
      PROPOSED,
      'outcome stale_epoch_reject pre_turn/turn by RK-24: authority_epoch_mismatch @6',
      'signal stale_epoch_reject(authority_epoch_mismatch) by RK-24 [turn]',
      'transition Opening -(stale_epoch_reject)-> Idle',
    ]);
    expect(run.value()).toEqual({ Idle: 'released' });
    expectLegal(run);
  });

  it('T4: de-authorization before open ends the proposal with deauthorized_drain', () => {
    const run = startTurn().send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20, { authorized: false }),
    );
    expect(lines(run.outputs)).toEqual([
      PROPOSED,
      'outcome deauthorized_drain pre_turn/turn by RK-24: authority_revoked_before_open @7',
      'signal deauthorized_drain(authority_revoked_before_open) by RK-24 [turn]',
      'transition Opening -(deauthorized_drain)-> Idle',
    ]);
    expect(run.value()).toEqual({ Idle: 'released' });
    expectLegal(run);
  });

  it('T5: all checks pass and the plan is built: turn_open, Opening -> Active', () => {
    const run = startTurn().send({ type: 'turn.propose', at_ms: 10 }, arbitrate(20));
    // Steps 1..7 passed: the plan (step 8) is asked for before anything opens.
    expect(lines(run.outputs)).toEqual([PROPOSED]);
    expect(run.value()).toEqual({ Opening: 'planning' });
    run.send(planned(20));
    expect(lines(run.outputs)).toEqual([PROPOSED, ...OPENED]);
    expect(run.value()).toEqual({ Active: 'running' });
    const open = run.outputs[2];
    expect(open?.type === 'control.signal' && open.signal).toMatchObject({
      turn_id: 'turn-1',
      authority_epoch: 7,
      runtime_timestamp_ms: 20,
      event_id: 'evt/sess-1/turn-1/000002',
    });
    expect(run.actor.getSnapshot().context.plan_hash).toBe('a'.repeat(64));
    expectLegal(run, false);
  });

  it('T5a: all checks pass but the plan fails: defer/reject and no turn_open', () => {
    const run = startTurn().send({ type: 'turn.propose', at_ms: 10 }, arbitrate(20), {
      ...planned(20),
      plan: { materialized: false },
    });
    expect(lines(run.outputs)).toEqual([
      PROPOSED,
      'outcome defer pre_turn/turn by RK-25: plan_materialization_failed',
      'signal defer(plan_materialization_failed) by RK-25 [session]',
      'transition Opening -(defer)-> Idle',
    ]);
    expect(run.value()).toEqual({ Idle: 'released' });
    expectLegal(run);

    const configured = startTurn({ policies: { plan_failure: 'reject' } }).send(
      { type: 'turn.propose', at_ms: 10 },
      arbitrate(20),
      // A materialized plan without a valid hash is no plan either.
      { ...planned(20), plan: { materialized: true, plan_hash: 'not-a-hash' } },
    );
    expect(lines(configured.outputs).slice(1)).toEqual([
      'outcome reject pre_turn/turn by RK-25: plan_materialization_failed',
      'signal reject(plan_materialization_failed) by RK-25 [session]',
      'transition Opening -(reject)-> Idle',
    ]);
    expectLegal(configured);
  });

  it('T6: generation complete and evidence appended: commit, close', () => {
    const run = openTurn().send({ type: 'turn.generation.completed', at_ms: 30 });
    // Nothing terminal before the baseline is in Stage-A.
    expect(lines(run.take())).toEqual(['evidence.requested commit']);
    expect(run.value()).toEqual({ Active: { finalizing: 'committing' } });
    appended(run, 35);
    expect(lines(run.take())).toEqual([...COMMITTED, ...CLOSED]);
    expect(run.value()).toBe('Closed');
    expectLegal(run);
  });

  it('T7: cancel accepted: abort(cancelled), close', () => {
    const run = openTurn().send({ type: 'turn.cancel', at_ms: 30 });
    expect(lines(run.take())).toEqual([
      'signal cancel by RK-16 [turn, scope turn]',
      FLUSHED,
      'evidence.requested abort(cancelled)',
    ]);
    appended(run, 35);
    expect(lines(run.take())).toEqual([...aborted('cancelled'), ...CLOSED]);
    expect(run.value()).toBe('Closed');
    expectLegal(run);
  });

  it('T8: authority revoked in turn: deauthorized_drain, abort(authority_loss), close', () => {
    const run = openTurn().send({ type: 'turn.revoke', at_ms: 30 });
    appended(run, 35);
    expect(lines(run.take())).toEqual([
      'outcome deauthorized_drain active_turn/turn by RK-24: authority_revoked_in_turn @7',
      'signal deauthorized_drain(authority_revoked_in_turn) by RK-24 [turn]',
      FLUSHED,
      'evidence.requested abort(authority_loss)',
      ...aborted('authority_loss'),
      ...CLOSED,
    ]);
    expect(run.value()).toBe('Closed');
    expectLegal(run);
  });

  it('T9: the baseline append fails: abort(recording_evidence_unavailable), close', () => {
    const run = openTurn().send({ type: 'turn.generation.completed', at_ms: 30 });
    run.send({
      type: 'evidence.append_failed',
      at_ms: 35,
      request_id: lastRequestId(run.outputs),
    });
    expect(lines(run.take())).toEqual([
      'evidence.requested commit',
      ...aborted('recording_evidence_unavailable'),
      ...CLOSED,
    ]);
    expect(run.value()).toBe('Closed');
    expectLegal(run);

    // The rank-1 drain is still emitted; only the abort reason changes.
    const revoked = openTurn().send({ type: 'turn.revoke', at_ms: 30 });
    revoked.send({
      type: 'evidence.append_failed',
      at_ms: 35,
      request_id: lastRequestId(revoked.outputs),
    });
    expect(lines(revoked.take())).toEqual([
      'outcome deauthorized_drain active_turn/turn by RK-24: authority_revoked_in_turn @7',
      'signal deauthorized_drain(authority_revoked_in_turn) by RK-24 [turn]',
      FLUSHED,
      'evidence.requested abort(authority_loss)',
      ...aborted('recording_evidence_unavailable'),
      ...CLOSED,
    ]);
    expectLegal(revoked);

    // Stage-A never stalls: no answer within the timeout is an append failure.
    const silent = openTurn().send({ type: 'turn.generation.completed', at_ms: 30 });
    silent.take();
    silent.clock.increment(999);
    expect(silent.take()).toEqual([]);
    silent.clock.increment(1);
    expect(lines(silent.take())).toEqual([...aborted('recording_evidence_unavailable'), ...CLOSED]);
    const abort = silent.outputs.at(-4);
    expect(abort?.type === 'control.signal' && abort.signal.runtime_timestamp_ms).toBe(1030);
    expectLegal(silent);
  });

  it('T10: a budget/provider/runtime failure without a legal path: abort(<deterministic reason>), close', () => {
    const cases = [
      {
        event: { type: 'turn.failure', at_ms: 30, failure: 'provider' },
        before: [],
        reason: 'provider_failure',
      },
      {
        event: { type: 'turn.failure', at_ms: 30, failure: 'node' },
        before: [],
        reason: 'node_timeout_or_failure',
      },
      {
        event: { type: 'turn.connection', at_ms: 30, signal: 'stall' },
        before: [
          'signal disconnected(transport_disconnect_or_stall) by RK-23 [turn]',
          'signal stall(transport_disconnect_or_stall) by RK-23 [turn]',
        ],
        reason: 'transport_disconnect_or_stall',
      },
      {
        event: {
          type: 'turn.failure',
          at_ms: 30,
          failure: 'no_legal_path',
          reason: 'budget_exhausted',
        },
        before: [],
        reason: 'budget_exhausted',
      },
      {
        event: { type: 'turn.failure', at_ms: 30, failure: 'no_legal_path' },
        before: [],
        reason: 'deterministic_reason',
      },
    ] as const;
    for (const c of cases) {
      const run = openTurn().send(c.event);
      appended(run, 35);
      expect(lines(run.take())).toEqual([
        ...c.before,
        FLUSHED,
        `evidence.requested abort(${c.reason})`,
        ...aborted(c.reason),
        ...CLOSED,
      ]);
      expect(run.value()).toBe('Closed');
      expectLegal(run);
    }
  });

  it('T11: a closed turn never reopens; late events follow the fixed policy', () => {
    const closed = (late_event: 'drop' | 'remap' | 'diagnostics'): TurnRun => {
      const run = openTurn({ policies: { late_event } }).send({ type: 'turn.cancel', at_ms: 30 });
      appended(run, 35);
      run.take();
      return run;
    };
    const late = [
      { type: 'pipeline.event', at_ms: 40, authority_epoch: 7, node_id: 'tts' },
      { type: 'turn.generation.completed', at_ms: 41 },
      { type: 'turn.propose', at_ms: 42 },
      { ...arbitrate(43), authority_epoch: 7 },
    ] as const;

    const drop = closed('drop').send(...late);
    expect(drop.take()).toEqual([]);
    expect(drop.value()).toBe('Closed');

    const remap = closed('remap').send(...late);
    expect(lines(remap.take())).toEqual([
      'late_event.remapped pipeline.event',
      'late_event.remapped turn.generation.completed',
      'late_event.remapped turn.propose',
      'late_event.remapped turn.arbitrate',
    ]);
    expect(remap.value()).toBe('Closed');

    const diagnostics = closed('diagnostics').send(late[0]);
    expect(diagnostics.take()).toEqual([
      {
        type: 'turn.late_event.reported',
        session_id: 'sess-1',
        turn_id: 'turn-1',
        event_type: 'pipeline.event',
        code: 'late_event_after_close',
        at_ms: 40,
        wall_ms: 40,
      },
    ]);
    expect(diagnostics.value()).toBe('Closed');
    for (const run of [drop, remap, diagnostics]) expectLegal(run);
  });

  it('T12: an event from another placement is rejected as stale with no lifecycle change', () => {
    const stale = {
      type: 'pipeline.event',
      at_ms: 30,
      authority_epoch: 6,
      node_id: 'llm',
    } as const;
    const rejected = [
      'outcome stale_epoch_reject scheduling_point/node_dispatch by RK-24: authority_epoch_mismatch @6',
      'signal stale_epoch_reject(authority_epoch_mismatch) by RK-24 [turn]',
    ];

    const active = openTurn().send(stale, { type: 'turn.cancel', at_ms: 31, authority_epoch: 6 });
    expect(lines(active.take())).toEqual([...rejected, ...rejected]);
    expect(active.value()).toEqual({ Active: 'running' });
    const signal = active.outputs.at(-3);
    expect(signal?.type === 'control.signal' && signal.signal).toMatchObject({
      node_id: 'llm',
      authority_epoch: 6,
    });
    expectLegal(active, false);

    const idle = startTurn().send({ type: 'turn.propose', at_ms: 10, authority_epoch: 6 });
    expect(lines(idle.outputs)).toEqual(rejected);
    expect(idle.value()).toEqual({ Idle: 'awaiting' });

    // Opening is excluded: the arbitration's epoch check decides there.
    const opened = startTurn().send({ type: 'turn.propose', at_ms: 10 }, stale);
    expect(lines(opened.outputs)).toEqual([PROPOSED]);
    expect(opened.value()).toEqual({ Opening: 'arbitrating' });

    // Stale beats the late-event policy once Closed.
    const closed = openTurn({ policies: { late_event: 'remap' } }).send({
      type: 'turn.cancel',
      at_ms: 30,
    });
    appended(closed, 35);
    closed.take();
    closed.send(stale);
    expect(lines(closed.take())).toEqual(rejected);
    expect(closed.value()).toBe('Closed');
    for (const run of [idle, opened, closed]) expectLegal(run);
  });
});
