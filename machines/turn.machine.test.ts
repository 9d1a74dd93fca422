import fc from 'fast-check';
import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { turnMachine, type TurnInput } from './turn.machine.ts';
import {
  failingArbitrations,
  failingPlan,
  passingArbitration,
  passingPlan,
} from './turn.path-events.ts';
import type { TurnArbitrateEvent, TurnEmitted, TurnEvent } from './turn/types.ts';

function start(input: Partial<TurnInput> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(turnMachine, {
    clock,
    input: {
      session_id: 'sess-1',
      turn_id: 'turn-1',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 7,
      ...input,
    },
  });
  const outputs: TurnEmitted[] = [];
  actor.on('*', (e) => void outputs.push(e));
  actor.subscribe({
    error: (err) => {
      throw err;
    },
  });
  actor.start();
  const send = (...events: TurnEvent[]) => events.forEach((e) => actor.send(e));
  return { actor, clock, outputs, send, value: () => actor.getSnapshot().value };
}

function opened(input: Partial<TurnInput> = {}) {
  const t = start(input);
  t.send(
    { type: 'turn.propose', at_ms: 10 },
    { ...passingArbitration, at_ms: 20 },
    { ...passingPlan, at_ms: 20 },
  );
  return t;
}

/** `signal(reason)`, `outcome kind(reason)`, `evidence <id> <terminal>` or a transition. */
function lines(outputs: readonly TurnEmitted[]): string[] {
  return outputs.map((o) => {
    switch (o.type) {
      case 'control.signal':
        return o.signal.reason === undefined
          ? o.signal.signal
          : `${o.signal.signal}(${o.signal.reason})`;
      case 'decision.outcome':
        return `outcome ${o.outcome.outcome_kind}(${o.outcome.reason})`;
      case 'turn.transition':
        return `${o.transition.from_state}->${o.transition.to_state}`;
      case 'evidence.requested': {
        const t = o.terminal;
        return `evidence ${o.request_id} ${t.signal === 'commit' ? 'commit' : `abort(${t.reason})`}`;
      }
      case 'turn.late_event.remapped':
      case 'turn.late_event.reported':
        return o.type;
    }
  });
}

const after = (outputs: readonly TurnEmitted[], from: number) => lines(outputs.slice(from));

describe('turnMachine', () => {
  it('lets a cancel replace a commit still waiting for its evidence, ignoring the old answer', () => {
    const t = opened();
    const from = t.outputs.length;
    t.send({ type: 'turn.generation.completed', at_ms: 30 }, { type: 'turn.cancel', at_ms: 31 });
    expect(t.value()).toEqual({ Active: { finalizing: 'aborting' } });
    t.send({ type: 'evidence.appended', at_ms: 32, request_id: 'turn-1/evidence/1' });
    expect(t.value()).toEqual({ Active: { finalizing: 'aborting' } });
    t.send({ type: 'evidence.appended', at_ms: 33, request_id: 'turn-1/evidence/2' });
    expect(after(t.outputs, from)).toEqual([
      'evidence turn-1/evidence/1 commit',
      'cancel',
      'playback_cancelled(cancel_fence_applied)',
      'evidence turn-1/evidence/2 abort(cancelled)',
      'abort(cancelled)',
      'Active->Terminal',
      'close',
      'Terminal->Closed',
    ]);
  });

  it('lets a revoke replace any finalizing candidate, after which nothing else does', () => {
    const t = opened();
    const from = t.outputs.length;
    t.send(
      { type: 'turn.failure', at_ms: 30, failure: 'provider' },
      { type: 'turn.barge_in', at_ms: 31 },
      { type: 'turn.revoke', at_ms: 32 },
      { type: 'turn.barge_in', at_ms: 33 },
      { type: 'turn.cancel', at_ms: 34 },
      { type: 'turn.revoke', at_ms: 35 },
      { type: 'turn.connection', at_ms: 36, signal: 'silence' },
    );
    expect(t.value()).toEqual({ Active: { finalizing: 'draining' } });
    t.send({ type: 'evidence.appended', at_ms: 37, request_id: 'turn-1/evidence/2' });
    expect(after(t.outputs, from)).toEqual([
      'playback_cancelled(cancel_fence_applied)',
      'evidence turn-1/evidence/1 abort(provider_failure)',
      'barge_in',
      'cancel',
      'outcome deauthorized_drain(authority_revoked_in_turn)',
      'deauthorized_drain(authority_revoked_in_turn)',
      'evidence turn-1/evidence/2 abort(authority_loss)',
      'barge_in',
      'cancel',
      'silence',
      'abort(authority_loss)',
      'Active->Terminal',
      'close',
      'Terminal->Closed',
    ]);
  });

  it('keeps a chosen commit against later provider, node or transport failures', () => {
    const t = opened();
    const from = t.outputs.length;
    t.send(
      { type: 'turn.generation.completed', at_ms: 30 },
      { type: 'turn.failure', at_ms: 31, failure: 'provider' },
      { type: 'turn.failure', at_ms: 32, failure: 'node' },
      { type: 'turn.connection', at_ms: 33, signal: 'disconnected' },
      { type: 'evidence.appended', at_ms: 34, request_id: 'turn-1/evidence/1' },
    );
    expect(after(t.outputs, from)).toEqual([
      'evidence turn-1/evidence/1 commit',
      'disconnected(transport_disconnect_or_stall)',
      'commit',
      'Active->Terminal',
      'close',
      'Terminal->Closed',
    ]);
  });

  it('evaluates pre-turn steps in order: the first failing step decides', () => {
    const expected = [
      'outcome defer(snapshot_invalid_or_missing)',
      'outcome reject(admission_capacity_reject)',
      'outcome stale_epoch_reject(authority_epoch_mismatch)',
      'outcome deauthorized_drain(authority_revoked_before_open)',
      'outcome defer(turn_start_bundle_resolution_failed)',
      'outcome stale_epoch_reject(authority_epoch_mismatch)',
      'outcome deauthorized_drain(authority_revoked_before_open)',
      'outcome defer(cp_admission_defer_capacity)',
      'outcome defer(plan_materialization_failed)',
    ];
    fc.assert(
      fc.property(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8], { minLength: 1 }), (failing) => {
        // Merge the failing variants of every chosen step 1..7 into one arbitration; step 8
        // (the plan) is answered separately, and only if the first seven passed.
        let event: TurnArbitrateEvent = { ...passingArbitration };
        for (const step of failing) {
          const variant = failingArbitrations[step];
          if (variant === undefined) continue;
          if (step === 5 || step === 6)
            event = { ...event, lease: { ...event.lease, ...pickLeaseFailure(variant) } };
          else event = { ...event, ...changedFields(variant) };
        }
        const t = start();
        t.send(
          { type: 'turn.propose', at_ms: 1 },
          event,
          failing.includes(8) ? failingPlan : passingPlan,
        );
        expect(lines(t.outputs)[1]).toBe(expected[Math.min(...failing)]);
        expect(t.outputs).toHaveLength(4);
        expect(t.value()).toEqual({ Idle: 'released' });
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('opens with the CP-07 re-gated epoch and fences later events against it', () => {
    const t = start({ authority_epoch: 0 });
    t.send(
      { type: 'turn.propose', at_ms: 10 },
      {
        ...passingArbitration,
        at_ms: 20,
        requested_epoch: 0,
        current_epoch: 0,
        lease: { authority_epoch: 9, authority_epoch_valid: true, authority_authorized: true },
      },
      passingPlan,
    );
    const open = t.outputs[2];
    expect(open?.type === 'control.signal' && open.signal.authority_epoch).toBe(9);
    t.send({ type: 'turn.cancel', at_ms: 30, authority_epoch: 0 });
    expect(lines(t.outputs.slice(4))).toEqual([
      'outcome stale_epoch_reject(authority_epoch_mismatch)',
      'stale_epoch_reject(authority_epoch_mismatch)',
    ]);
    expect(t.value()).toEqual({ Active: 'running' });
  });

  it('maps CP-05 decisions: unknown kinds reject with cp_admission_invalid_input', () => {
    const decide = (outcome_kind: string, reason: string) => {
      const t = start();
      t.send(
        { type: 'turn.propose', at_ms: 1 },
        { ...passingArbitration, at_ms: 2, cp_decision: { outcome_kind, reason } },
        passingPlan,
      );
      return lines(t.outputs).slice(1, 3);
    };
    expect(decide('maybe', 'whatever')).toEqual([
      'outcome reject(cp_admission_invalid_input)',
      'reject(cp_admission_invalid_input)',
    ]);
    expect(decide('reject', 'cp_admission_reject_policy')).toEqual([
      'outcome reject(cp_admission_reject_policy)',
      'reject(cp_admission_reject_policy)',
    ]);
    expect(decide('defer', '')).toEqual([
      'outcome defer(cp_admission_defer_capacity)',
      'defer(cp_admission_defer_capacity)',
    ]);
  });

  it('ignores everything but arbitration while Opening, and a released proposal stays released', () => {
    const t = start();
    t.send(
      { type: 'turn.propose', at_ms: 1 },
      { type: 'turn.cancel', at_ms: 2 },
      { type: 'turn.revoke', at_ms: 3 },
      { type: 'turn.generation.completed', at_ms: 4 },
      // A plan before the arbitration passed is no plan: step 8 follows steps 1..7.
      passingPlan,
    );
    expect(lines(t.outputs)).toEqual(['Idle->Opening']);
    expect(t.value()).toEqual({ Opening: 'arbitrating' });
    t.send({ ...passingArbitration, at_ms: 5, bundle_ok: false });
    t.send({ type: 'turn.propose', at_ms: 6 }, { ...passingArbitration, at_ms: 7 }, passingPlan);
    expect(lines(t.outputs)).toEqual([
      'Idle->Opening',
      'outcome defer(turn_start_bundle_resolution_failed)',
      'defer(turn_start_bundle_resolution_failed)',
      'Opening->Idle',
    ]);
    expect(t.value()).toEqual({ Idle: 'released' });
  });

  it('stamps consecutive ordinals and the handled event time on every artifact', () => {
    const t = opened();
    t.send({ type: 'turn.revoke', at_ms: 30, wall_ms: 1_700_000_000_030 });
    t.send({ type: 'evidence.appended', at_ms: 25, request_id: 'turn-1/evidence/1' });
    const stamped: { id: string; at: number; wall: number }[] = [];
    for (const o of t.outputs) {
      if (o.type === 'control.signal') {
        const { event_id, runtime_timestamp_ms, wall_clock_timestamp_ms } = o.signal;
        stamped.push({
          id: String(event_id),
          at: Number(runtime_timestamp_ms),
          wall: Number(wall_clock_timestamp_ms),
        });
      } else if (o.type === 'decision.outcome') {
        const { event_id, runtime_timestamp_ms, wall_clock_timestamp_ms } = o.outcome;
        stamped.push({ id: event_id, at: runtime_timestamp_ms, wall: wall_clock_timestamp_ms });
      }
    }
    expect(stamped.map((s) => s.id.split('/')[3])).toEqual([
      '000001',
      '000002',
      '000003',
      '000004',
      '000005',
      '000006',
      '000007',
    ]);
    expect(stamped.map((s) => [s.at, s.wall])).toEqual([
      [20, 20],
      [20, 20],
      [30, 1_700_000_000_030],
      [30, 1_700_000_000_030],
      [30, 1_700_000_000_030],
      // An earlier at_ms never moves time backwards.
      [30, 1_700_000_000_030],
      [30, 1_700_000_000_030],
    ]);
  });

  it('asks for evidence with the plan hash and the turn timing markers', () => {
    const t = opened();
    t.send({ type: 'turn.cancel', at_ms: 30 });
    expect(t.outputs.at(-1)).toEqual({
      type: 'evidence.requested',
      request_id: 'turn-1/evidence/1',
      session_id: 'sess-1',
      turn_id: 'turn-1',
      authority_epoch: 7,
      plan_hash: 'a'.repeat(64),
      terminal: { signal: 'abort', reason: 'cancelled' },
      turn_open_proposed_at_ms: 10,
      turn_open_at_ms: 20,
      cancel_accepted_at_ms: 30,
      at_ms: 30,
      wall_ms: 30,
    });
  });
});

function changedFields(variant: TurnArbitrateEvent): Partial<TurnArbitrateEvent> {
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(variant))
    if (
      k !== 'lease' &&
      JSON.stringify(v) !== JSON.stringify((passingArbitration as Record<string, unknown>)[k])
    )
      changed[k] = v;
  return changed;
}

function pickLeaseFailure(variant: TurnArbitrateEvent): Partial<TurnArbitrateEvent['lease']> {
  const { authority_epoch_valid, authority_authorized } = variant.lease;
  return {
    ...(authority_epoch_valid ? {} : { authority_epoch_valid }),
    ...(authority_authorized ? {} : { authority_authorized }),
  };
}
