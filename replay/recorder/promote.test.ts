import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { promoteAttempts } from './promote.ts';
import { attempt } from './test-facts.ts';

const validator = createContractValidator();

describe('promoteAttempts', () => {
  it('groups by invocation id (sorted) and takes the final attempt by the spec order', () => {
    const outcomes = promoteAttempts([
      attempt('turn-1', 'inv-b', 1, 100, { provider_id: 'p1' }),
      // Same runtime and wall time: runtime_sequence decides the order.
      attempt('turn-1', 'inv-a', 2, 70, {
        runtime_sequence: 9,
        outcome_class: 'success',
        provider_id: 'p2',
        retry_decision: 'none',
      }),
      attempt('turn-1', 'inv-a', 1, 70, {
        runtime_sequence: 8,
        outcome_class: 'timeout',
        retryable: true,
        retry_decision: 'provider_switch',
        provider_id: 'p1',
      }),
      attempt('turn-1', 'inv-a', 0, 20, { outcome_class: 'overload', retry_decision: 'retry' }),
    ]);
    expect(outcomes.map((o) => o.provider_invocation_id)).toEqual(['inv-a', 'inv-b']);
    expect(outcomes[0]).toEqual({
      provider_invocation_id: 'inv-a',
      modality: 'llm',
      provider_id: 'p2',
      outcome_class: 'success',
      retryable: false,
      retry_decision: 'none',
      attempt_count: 3,
      final_attempt_latency_ms: 40,
      total_invocation_latency_ms: 50,
    });
    for (const outcome of outcomes) {
      expect(validator.validate('invocation_outcome', outcome)).toEqual({ valid: true });
    }
  });

  it('falls back to the wall gap for a final latency of 0, then to 0', () => {
    const [gap] = promoteAttempts([
      attempt('turn-1', 'inv-1', 1, 100),
      attempt('turn-1', 'inv-1', 2, 130, { attempt_latency_ms: 0 }),
    ]);
    expect(gap).toMatchObject({ final_attempt_latency_ms: 30, total_invocation_latency_ms: 30 });
    const [single] = promoteAttempts([
      attempt('turn-1', 'inv-1', 1, 100, { attempt_latency_ms: 0 }),
    ]);
    expect(single).toMatchObject({ final_attempt_latency_ms: 0, total_invocation_latency_ms: 0 });
  });

  it('never reports a total below the final latency (single attempt: wall span 0)', () => {
    const [one] = promoteAttempts([attempt('turn-1', 'inv-1', 1, 100)]);
    expect(one).toMatchObject({ attempt_count: 1, final_attempt_latency_ms: 40 });
    expect(one?.total_invocation_latency_ms).toBe(40);
    expect(validator.validate('invocation_outcome', one)).toEqual({ valid: true });
  });

  it('returns nothing for no attempts', () => {
    expect(promoteAttempts([])).toEqual([]);
  });
});
