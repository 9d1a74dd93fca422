import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionEvents, openTurn, type TurnConditions } from './turn-harness.ts';

describe('active-turn precedence (spec/lifecycle.md)', () => {
  it('resolves conditions observed at one arbitration point by rank', () => {
    const ranks: [keyof TurnConditions, unknown, string][] = [
      ['authority_revoked', true, 'authority_loss'],
      ['cancel_accepted', true, 'cancelled'],
      ['provider_failure', true, 'provider_failure'],
      ['node_failure', true, 'node_timeout_or_failure'],
      ['transport_lost', true, 'transport_disconnect_or_stall'],
      ['baseline_append_failed', true, 'recording_evidence_unavailable'],
      ['no_legal_path', 'execution_plan_denied', 'execution_plan_denied'],
      ['generation_completed', true, 'commit'],
    ];
    fc.assert(
      fc.property(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { minLength: 1 }), (present) => {
        const conditions = Object.fromEntries(
          present.map((i) => [ranks[i]?.[0], ranks[i]?.[1]]),
        ) as TurnConditions;
        const run = openTurn().send(...conditionEvents(30, conditions));
        const request = run.outputs.findLast((o) => o.type === 'evidence.requested');
        const winner = ranks[Math.min(...present)]?.[2];
        expect(request?.type === 'evidence.requested' && request.terminal).toEqual(
          winner === 'commit' ? { signal: 'commit' } : { signal: 'abort', reason: winner },
        );
        const drains = run.outputs.filter(
          (o) => o.type === 'control.signal' && o.signal.signal === 'deauthorized_drain',
        );
        expect(drains).toHaveLength(present.includes(0) ? 1 : 0);
        // However the end came, the egress was flushed at most once.
        const flushes = run.outputs.filter(
          (o) => o.type === 'control.signal' && o.signal.signal === 'playback_cancelled',
        );
        expect(flushes).toHaveLength(winner === 'commit' ? 0 : 1);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});
