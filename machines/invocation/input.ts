/**
 * Input normalization of the invocation machine: controller defaults, candidate order,
 * RK-11 action list and the default provider_invocation_id. Total: never throws.
 */
import type { AdaptiveAction } from '../../contracts/internal.ts';
import { idPart, type StampIdentity } from '../stamp.ts';
import { nonNegativeInt } from '../node/clock.ts';
import type {
  InvocationAction,
  InvocationContext,
  InvocationInput,
  InvocationModality,
} from './types.ts';

/** Controller defaults of providers-transport.md. */
export const INVOCATION_DEFAULTS = {
  max_attempts_per_provider: 2,
  max_candidates: 5,
  /** Per-attempt timeout by modality (the MVP adapters' HTTP timeouts). */
  attempt_timeout_ms: { stt: 10_000, llm: 10_000, tts: 15_000, external: 10_000 },
} as const;

/** The sorted unique RK-11 actions of a plan's list (lexicographic, as the request requires). */
export function invocationActions(actions: readonly AdaptiveAction[]): InvocationAction[] {
  const known: readonly InvocationAction[] = ['fallback', 'provider_switch', 'retry'];
  return known.filter((action) => actions.includes(action));
}

/** `pvi/<session_id>/<turn_id or session_id>/<event_id>/<modality>`, parts made id-safe. */
export function defaultProviderInvocationId(
  identity: StampIdentity,
  event_id: string,
  modality: InvocationModality,
): string {
  const owner = identity.turn_id ?? identity.session_id;
  return `pvi/${idPart(identity.session_id)}/${idPart(owner)}/${idPart(event_id)}/${modality}`;
}

/** Candidate order: preferred (must be in the catalogue) then ids ascending, capped. */
export function orderCandidates(
  preferred: string,
  catalogue: readonly string[],
  max: number,
): string[] {
  const ids = [...new Set(catalogue)].sort();
  if (!ids.includes(preferred)) return [];
  return [preferred, ...ids.filter((id) => id !== preferred)].slice(0, max);
}

function intInRange(value: number | undefined, min: number, max: number, fallback: number) {
  return value !== undefined && Number.isInteger(value) && value >= min && value <= max
    ? value
    : fallback;
}

/** Builds the initial context; out-of-range numbers take their defaults (never throws). */
export function initialInvocationContext(input: InvocationInput): InvocationContext {
  const maxCandidates = intInRange(input.max_candidates, 1, 5, INVOCATION_DEFAULTS.max_candidates);
  const candidates = orderCandidates(
    input.preferred_provider_id,
    input.provider_ids,
    maxCandidates,
  );
  const defaultTimeout = INVOCATION_DEFAULTS.attempt_timeout_ms[input.modality];
  const timeout = nonNegativeInt(input.attempt_timeout_ms);
  const start = { at_ms: 0, wall_ms: 0 };
  return {
    identity: input.identity,
    event_id: input.event_id,
    modality: input.modality,
    provider_invocation_id:
      input.provider_invocation_id ??
      defaultProviderInvocationId(input.identity, input.event_id, input.modality),
    preferred_provider_id: input.preferred_provider_id,
    candidates,
    preferred_missing: candidates.length === 0,
    max_attempts: intInRange(
      input.max_attempts_per_provider,
      1,
      Number.MAX_SAFE_INTEGER,
      INVOCATION_DEFAULTS.max_attempts_per_provider,
    ),
    allowed: invocationActions(input.allowed_adaptive_actions),
    timeout_ms: timeout > 0 ? timeout : defaultTimeout,
    ordinal_base: nonNegativeInt(input.ordinal_base),
    seq: 0,
    now: start,
    provider_index: 0,
    provider_attempt: 0,
    attempt_count: 0,
    first_started: null,
    attempt_started: start,
    attempt_ordinal: 0,
    last: null,
    ended: null,
    result: null,
    delivered: false,
    resumable: [...(input.resumable_provider_ids ?? [])],
    services: input.services,
  };
}
