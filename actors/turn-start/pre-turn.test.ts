import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { turnMachine, type TurnEmitted } from '../../machines/index.ts';
import { planHash, resolveTurnPlan, toArbitrationPlan, type PlanResult } from './plan.ts';
import { observePreTurn, type PreTurnInput } from './pre-turn.ts';

const validator = createContractValidator();

const BASE: PreTurnInput = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  authority_epoch: 7,
  at_ms: 20,
  wall_ms: 1020,
  snapshot: {},
  admission: { snapshot: { admission_policy_snapshot: 'admission-policy/v1' } },
};

const PLAN_KEY = {
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  graph_definition_ref: 'graph/default',
  execution_profile: 'simple',
};

/**
 * Runs the RK-03 turn machine on the observed facts (what the runtime's `arbitrate` actor sends)
 * and, when the machine asks for it, on the plan RK-04 freezes from them (the `plan` actor's
 * answer); summarizes what the machine emitted.
 */
function arbitrate(input: PreTurnInput) {
  const observation = observePreTurn(input);
  const actor = createActor(turnMachine, {
    input: {
      session_id: 'sess-1',
      turn_id: 'turn-1',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 7,
    },
  });
  const outputs: TurnEmitted[] = [];
  actor.on('*', (e) => void outputs.push(e));
  actor.start();
  actor.send({ type: 'turn.propose', at_ms: 10 });
  outputs.length = 0;
  actor.send(observation.event);
  let plan: PlanResult | null = null;
  if (actor.getSnapshot().matches({ Opening: 'planning' })) {
    const request = actor.getSnapshot().context.plan_request;
    plan =
      request === null
        ? null
        : resolveTurnPlan({
            ...request,
            turn_id: 'turn-1',
            authority_epoch: actor.getSnapshot().context.authority_epoch,
          });
    actor.send({
      type: 'turn.plan',
      at_ms: 20,
      plan: plan === null ? { materialized: false } : toArbitrationPlan(plan),
    });
  }
  for (const o of outputs) {
    if (o.type === 'control.signal')
      expect(validator.validate('control_signal', o.signal)).toEqual({ valid: true });
    if (o.type === 'decision.outcome')
      expect(validator.validate('decision_outcome', o.outcome)).toEqual({ valid: true });
  }
  const summary = outputs.flatMap((o) => {
    if (o.type === 'decision.outcome')
      return [`${o.outcome.emitted_by} ${o.outcome.outcome_kind}(${o.outcome.reason})`];
    if (o.type === 'control.signal' && o.signal.signal === 'turn_open')
      return [`turn_open@${o.signal.authority_epoch}`];
    return [];
  });
  return {
    observation,
    plan,
    summary,
    context: actor.getSnapshot().context,
    value: actor.getSnapshot().value,
  };
}

const ADMIT = 'RK-25 admit(admission_capacity_allow)';

describe('observePreTurn, decided by the turn machine', () => {
  it('passes every step and opens the turn with the frozen plan (step 9)', () => {
    const { observation, plan: result, summary, context, value } = arbitrate(BASE);
    expect(observation.event).toEqual({
      type: 'turn.arbitrate',
      at_ms: 20,
      wall_ms: 1020,
      snapshot_valid: true,
      capacity_ok: true,
      requested_epoch: 7,
      current_epoch: 7,
      authorized: true,
      bundle_ok: true,
      lease: { authority_epoch: 7, authority_epoch_valid: true, authority_authorized: true },
      cp_decision: { outcome_kind: 'admit', reason: 'cp_admission_allowed' },
      plan_request: expect.objectContaining({
        pipeline_version: 'pipeline-v1',
        graph_definition_ref: 'graph/default',
        execution_profile: 'simple',
      }),
    });
    const plan = result?.ok === true ? result.plan : undefined;
    expect(plan?.plan_hash).toBe(planHash({ ...PLAN_KEY, authority_epoch: 7 }));
    expect(validator.validate('resolved_turn_plan', plan)).toEqual({ valid: true });
    expect(summary).toEqual([ADMIT, 'turn_open@7']);
    expect(value).toEqual({ Active: 'running' });
    expect(context.plan_hash).toBe(plan?.plan_hash);
  });

  const cases: [string, Partial<PreTurnInput>, number, string][] = [
    ['a missing snapshot', { admission: {} }, 1, 'RK-25 defer(snapshot_invalid_or_missing)'],
    [
      'a stale snapshot',
      { admission: { snapshot: { admission_policy_snapshot: 'a/1', stale: true } } },
      1,
      'RK-25 defer(snapshot_invalid_or_missing)',
    ],
    [
      'an incompatible snapshot',
      { admission: { snapshot: { admission_policy_snapshot: 'a/1', compatible: false } } },
      1,
      'RK-25 defer(snapshot_invalid_or_missing)',
    ],
    [
      'no capacity',
      {
        admission: {
          snapshot: { admission_policy_snapshot: 'a/1' },
          capacity: { active_turns: 4, max_active_turns: 4 },
        },
      },
      2,
      'RK-25 reject(admission_capacity_reject)',
    ],
    [
      'a local epoch mismatch',
      { authority: { authority_epoch: 8 } },
      3,
      'RK-24 stale_epoch_reject(authority_epoch_mismatch)',
    ],
    [
      'a routing view epoch mismatch',
      { snapshot: { routing_view: { status: 'ok', value: { authority_epoch: 9 } } } },
      3,
      'RK-24 stale_epoch_reject(authority_epoch_mismatch)',
    ],
    [
      'a revoked placement',
      { authority: { authorized: false } },
      4,
      'RK-24 deauthorized_drain(authority_revoked_before_open)',
    ],
    [
      'a stale CP section',
      { snapshot: { policy: { status: 'stale' } } },
      5,
      'RK-25 defer(turn_start_bundle_resolution_failed)',
    ],
    [
      'an unsupported profile',
      {
        snapshot: {
          registry: {
            status: 'ok',
            value: {
              default_record: {
                pipeline_version: 'p',
                graph_definition_ref: 'g',
                execution_profile: 'x',
              },
            },
          },
        },
      },
      5,
      'RK-25 defer(turn_start_bundle_resolution_failed)',
    ],
    [
      'a stale lease',
      { snapshot: { lease: { status: 'ok', value: { authority_epoch_valid: false } } } },
      6,
      'RK-24 stale_epoch_reject(authority_epoch_mismatch)',
    ],
    [
      'a deauthorized lease',
      { snapshot: { lease: { status: 'ok', value: { authority_authorized: false } } } },
      6,
      'RK-24 deauthorized_drain(authority_revoked_before_open)',
    ],
    [
      'a CP-05 defer',
      { snapshot: { admission: { status: 'ok', value: { outcome_kind: 'defer' } } } },
      7,
      'CP-05 defer(cp_admission_defer_capacity)',
    ],
    [
      'a CP-05 unknown kind',
      { snapshot: { admission: { status: 'ok', value: { outcome_kind: '??' } } } },
      7,
      'CP-05 reject(cp_admission_invalid_input)',
    ],
    [
      'an unmaterializable plan',
      { snapshot: { policy: { status: 'ok', value: { provider_bindings: { stt: '' } } } } },
      8,
      'RK-25 defer(plan_materialization_failed)',
    ],
  ];

  it.each(cases)('stops at the first failing step for %s', (_name, patch, step, outcome) => {
    const { plan, summary, value } = arbitrate({ ...BASE, ...patch });
    expect(summary).toEqual([outcome]);
    expect(value).toEqual({ Idle: 'released' });
    // RK-04 freezes a plan only for a proposal past steps 1..7.
    if (step < 8) expect(plan).toBeNull();
    else expect(plan?.ok).toBe(false);
  });

  it('re-gates the epoch to a newer lease epoch and freezes the plan with it', () => {
    const snapshot = { lease: { status: 'ok', value: { authority_epoch: 8 } } } as const;
    const { plan: result, summary, context } = arbitrate({ ...BASE, snapshot });
    expect(summary).toEqual([ADMIT, 'turn_open@8']);
    expect(context.authority_epoch).toBe(8);
    const plan = result?.ok === true ? result.plan : undefined;
    expect(plan?.authority_epoch).toBe(8);
    expect(plan?.plan_hash).toBe(planHash({ ...PLAN_KEY, authority_epoch: 8 }));
  });

  it('observes every fact, in no order: a failed early step leaves the later facts observed', () => {
    const { event } = observePreTurn({ ...BASE, authority: { authorized: false } });
    expect(event).toMatchObject({ authorized: false, bundle_ok: true, snapshot_valid: true });
    expect(event.cp_decision.outcome_kind).toBe('admit');
  });

  it('observes equal inputs as equal events', () => {
    expect(observePreTurn(BASE)).toEqual(observePreTurn(BASE));
  });
});
