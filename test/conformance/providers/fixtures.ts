/** Shared helpers of the provider conformance suite: requests, inputs and stream drivers. */
import type { ProviderRequest } from '../../../contracts/index.ts';
import type { ProviderAttemptFields, ProviderModality } from '../../../contracts/internal.ts';

/** Valid per-attempt request fields of attempt 1 (providers-transport.md). */
export function attemptFields<TModality extends ProviderModality>(
  modality: TModality,
  provider_id: string,
  overrides: Partial<ProviderAttemptFields<TModality>> = {},
): ProviderAttemptFields<TModality> {
  return {
    session_id: 'sess-conf',
    turn_id: 'turn-conf',
    pipeline_version: 'pipeline-v1',
    event_id: 'evt-conf-1',
    provider_invocation_id: `pvi/sess-conf/turn-conf/evt-conf-1/${modality}`,
    provider_id,
    modality,
    attempt: 1,
    transport_sequence: 1,
    runtime_sequence: 1,
    authority_epoch: 1,
    runtime_timestamp_ms: 0,
    wall_clock_timestamp_ms: 1_700_000_000_000,
    cancel_requested: false,
    allowed_adaptive_actions: ['fallback', 'provider_switch', 'retry'],
    retry_budget_remaining: 1,
    candidate_provider_count: 1,
    ...overrides,
  };
}

/** An async iterable over `items`, one microtask per item. */
export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
}

/** Counts how often the consumer released an input iterable early. */
export interface StalledInput<T> extends AsyncIterable<T> {
  /** `return()` calls so far. */
  readonly returned: number;
}

/** An input that never yields (a stalled transport). */
export function stalledInput<T>(): StalledInput<T> {
  let returned = 0;
  return {
    get returned() {
      return returned;
    },
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<T>>(() => undefined),
      return: () => {
        returned += 1;
        return Promise.resolve({ done: true, value: undefined });
      },
    }),
  };
}

/** A full request for one attempt. */
export function requestOf<TModality extends ProviderModality, TInput>(
  fields: ProviderAttemptFields<TModality>,
  input: AsyncIterable<TInput>,
  signal: AbortSignal,
): ProviderRequest<TModality, TInput> {
  return { ...fields, input, signal };
}

/** Resolves `'next-tick'` after one macrotask turn: whatever settles before it, settled this tick. */
export const nextTick = () =>
  new Promise<'next-tick'>((resolve) => setImmediate(() => resolve('next-tick')));

/** The normalized outcome of a failed attempt, as the outcome table of the spec states it. */
export const failed = (
  cls: string,
  reason: string,
  retryable: boolean,
  circuit = false,
  backoff = 0,
) => ({ class: cls, reason, retryable, circuit_open: circuit, backoff_ms: backoff });

/** HTTP status (with Retry-After) -> outcome rows every HTTP-speaking port suite checks. */
export const HTTP_OUTCOME_ROWS = [
  [429, '7', failed('overload', 'provider_overload', true, true, 7000)],
  [429, null, failed('overload', 'provider_overload', true, true, 500)],
  [408, null, failed('timeout', 'provider_timeout', true)],
  [504, null, failed('timeout', 'provider_timeout', true)],
  [401, null, failed('blocked', 'provider_auth_or_policy_block', false)],
  [403, null, failed('blocked', 'provider_auth_or_policy_block', false)],
  [400, null, failed('blocked', 'provider_client_error', false)],
  [404, null, failed('blocked', 'provider_client_error', false)],
  [500, null, failed('infrastructure_failure', 'provider_server_error', true, true)],
  [503, null, failed('infrastructure_failure', 'provider_server_error', true, true)],
] as const;
