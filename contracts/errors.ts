/**
 * The single adapter error shape and its closed set of codes, plus the pure normalization of any
 * provider failure (adapter error, HTTP status, raw throw, abort) into a provider outcome, exactly
 * as the outcome table of spec/providers-transport.md states it.
 */
import type { ProviderOutcome } from './ports/provider.port.ts';

/** Stable codes of {@link AdapterError}; adding one needs an ADR. */
export const ADAPTER_ERROR_CODES = {
  /** No endpoint (or credentials) configured for the provider. */
  endpoint_missing: 'endpoint_missing',
  /** The provider answered with a non-2xx HTTP status (`status`, `retry_after_ms`). */
  http_status: 'http_status',
  /** Throttled without an HTTP status (SDK error such as Polly `TooManyRequestsException`). */
  rate_limited: 'rate_limited',
  /** A deadline or a network timeout. */
  timeout: 'timeout',
  /** Credentials or policy refused without an HTTP status. */
  auth_rejected: 'auth_rejected',
  /** The provider refused the request as invalid without an HTTP status (bad SSML, too long). */
  request_rejected: 'request_rejected',
  /** The provider reported an internal failure without an HTTP status. */
  server_error: 'server_error',
  /** Connection refused, reset, DNS failure, or a stream cut mid-way. */
  transport_error: 'transport_error',
  /** A chunk broke the chunk contract; `detail` names the rule. */
  malformed_output: 'malformed_output',
  /** A TTS stream completed without audio. */
  empty_audio: 'empty_audio',
  /** An STT or LLM stream completed without any chunk. */
  empty_output: 'empty_output',
  /** The adapter threw something it did not classify (a bug or an unknown SDK error). */
  invoke_failed: 'invoke_failed',
} as const;
/** One adapter error code. */
export type AdapterErrorCode = (typeof ADAPTER_ERROR_CODES)[keyof typeof ADAPTER_ERROR_CODES];

/** Optional facts of an {@link AdapterError}; none of them may carry user content. */
export interface AdapterErrorDetails {
  /** `provider_id` of the adapter that failed. */
  readonly provider: string;
  /** Overrides the code's default retryability (see {@link normalizeProviderFailure}). */
  readonly retryable?: boolean;
  /** The original error or response, kept for logs under PII rules. */
  readonly cause?: unknown;
  /** HTTP status, for `http_status`. */
  readonly status?: number;
  /** Parsed Retry-After in ms, for `http_status` 429 and `rate_limited`. */
  readonly retry_after_ms?: number;
  /** A stable id refining the code, never content (a chunk rule, `stream_disconnected`). */
  readonly detail?: string;
}

/** The single error shape every adapter throws; its message is built from ids only. */
export class AdapterError extends Error {
  /** Stable code callers branch on. */
  readonly code: AdapterErrorCode;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** `provider_id` of the adapter. */
  readonly provider: string;
  /** HTTP status when the failure was an HTTP response. */
  readonly status: number | undefined;
  /** Retry-After in ms when the provider sent one. */
  readonly retry_after_ms: number | undefined;
  /** Stable id refining the code (chunk rule of `malformed_output`, `stream_disconnected`...). */
  readonly detail: string | undefined;

  /** Builds the error; the message is `<provider>: <code>[ status=<n>][ detail=<id>]`. */
  constructor(code: AdapterErrorCode, details: AdapterErrorDetails) {
    const status = details.status === undefined ? '' : ` status=${details.status}`;
    const rule = details.detail === undefined ? '' : ` detail=${details.detail}`;
    super(
      `${details.provider}: ${code}${status}${rule}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = 'AdapterError';
    this.code = code;
    this.provider = details.provider;
    this.status = details.status;
    this.retry_after_ms = details.retry_after_ms;
    this.detail = details.detail;
    this.retryable = details.retryable ?? outcomeOfAdapterError(this).retryable;
  }
}

/** An HTTP response status with its raw `Retry-After` header (what an HTTP adapter saw). */
interface ProviderHttpStatus {
  /** The HTTP status code. */
  readonly status: number;
  /** The `Retry-After` header as received (seconds), or its number of seconds. */
  readonly retry_after?: string | number | null;
}

const DEFAULT_OVERLOAD_BACKOFF_MS = 500;

const outcome = (
  cls: Exclude<ProviderOutcome['class'], 'success'>,
  retryable: boolean,
  reason: Exclude<ProviderOutcome, { class: 'success' }>['reason'],
  circuit_open = false,
  backoff_ms = 0,
): ProviderOutcome => ({ class: cls, retryable, reason, circuit_open, backoff_ms });

/** The outcome of a successful attempt. */
export const PROVIDER_SUCCESS: ProviderOutcome = {
  class: 'success',
  retryable: false,
  circuit_open: false,
  backoff_ms: 0,
};
/** The outcome of `cancel_requested` or a caller abort. */
export const PROVIDER_CANCELLED = outcome('cancelled', false, 'provider_cancelled');
/** The outcome of a deadline or network timeout. */
const PROVIDER_TIMEOUT = outcome('timeout', true, 'provider_timeout');

/** Retry-After in seconds (number or numeric header) to ms; anything else is the 500 ms default. */
export function retryAfterMs(value: string | number | null | undefined): number {
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? +value : value;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? Math.round(seconds * 1000)
    : DEFAULT_OVERLOAD_BACKOFF_MS;
}

/** The outcome table row of an HTTP status (2xx is success). */
function outcomeOfHttpStatus(status: number, retry_after_ms?: number): ProviderOutcome {
  if (status >= 200 && status < 300) return PROVIDER_SUCCESS;
  if (status === 429) {
    const backoff = retry_after_ms ?? DEFAULT_OVERLOAD_BACKOFF_MS;
    return outcome('overload', true, 'provider_overload', true, backoff);
  }
  if (status === 408 || status === 504) return PROVIDER_TIMEOUT;
  if (status === 401 || status === 403) {
    return outcome('blocked', false, 'provider_auth_or_policy_block');
  }
  if (status >= 400 && status < 500) return outcome('blocked', false, 'provider_client_error');
  return outcome('infrastructure_failure', true, 'provider_server_error', status >= 500);
}

/** The outcome of an {@link AdapterError}, by code (and status for `http_status`). */
function outcomeOfAdapterError(error: AdapterError): ProviderOutcome {
  switch (error.code) {
    case 'endpoint_missing':
      return outcome('blocked', false, 'provider_endpoint_missing');
    case 'http_status':
      return outcomeOfHttpStatus(error.status ?? 0, error.retry_after_ms);
    case 'rate_limited':
      return outcomeOfHttpStatus(429, error.retry_after_ms);
    case 'timeout':
      return PROVIDER_TIMEOUT;
    case 'auth_rejected':
      return outcome('blocked', false, 'provider_auth_or_policy_block');
    case 'request_rejected':
      return outcome('blocked', false, 'provider_client_error');
    case 'server_error':
      return outcome('infrastructure_failure', true, 'provider_server_error', true);
    case 'transport_error':
      return outcome('infrastructure_failure', true, 'provider_transport_error');
    // A 2xx with an unusable body: the provider misbehaved, but no 5xx, so the circuit stays shut.
    case 'malformed_output':
    case 'empty_output':
      return outcome('infrastructure_failure', true, 'provider_server_error');
    case 'empty_audio':
      return outcome('infrastructure_failure', true, 'provider_empty_audio');
    case 'invoke_failed':
      return outcome('infrastructure_failure', true, 'adapter_invoke_error');
  }
}

const TIMEOUT_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/** Whether a value carries an HTTP status (a {@link ProviderHttpStatus} or an SDK error with `status`). */
function isHttpStatus(value: unknown): value is ProviderHttpStatus {
  const status = field(value, 'status');
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599;
}

/** Timeout or network error codes of Node and undici, also one `cause` level down (`fetch failed`). */
function networkCode(error: unknown): 'timeout' | 'transport_error' | null {
  for (const candidate of [error, field(error, 'cause')]) {
    const code = field(candidate, 'code');
    if (typeof code !== 'string') continue;
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (NETWORK_CODES.has(code)) return 'transport_error';
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return 'transport_error';
  return null;
}

/** Whether an abort reason or thrown value means a deadline (`TimeoutError`, code `timeout`). */
function isTimeoutFailure(value: unknown): boolean {
  return (
    (value instanceof AdapterError && value.code === 'timeout') ||
    field(value, 'name') === 'TimeoutError' ||
    networkCode(value) === 'timeout'
  );
}

/**
 * Wraps anything an adapter caught into the single error shape (an AdapterError passes through).
 * An abort of the request's own signal is not an error and must not be wrapped: end the stream.
 */
export function toAdapterError(failure: unknown, provider: string): AdapterError {
  if (failure instanceof AdapterError) return failure;
  if (isHttpStatus(failure)) {
    const retry_after = field(failure, 'retry_after') as ProviderHttpStatus['retry_after'];
    return new AdapterError('http_status', {
      provider,
      cause: failure,
      status: failure.status,
      ...(retry_after == null ? {} : { retry_after_ms: retryAfterMs(retry_after) }),
    });
  }
  const code = isTimeoutFailure(failure) ? 'timeout' : (networkCode(failure) ?? 'invoke_failed');
  return new AdapterError(code, { provider, cause: failure });
}

/**
 * Maps any provider failure to its normalized outcome: an {@link AdapterError}, an HTTP status
 * (2xx gives success; 429 takes Retry-After), an `AbortError` (cancelled), a `TimeoutError` or
 * network error, or any other throw (`adapter_invoke_error`). Pure and total.
 */
export function normalizeProviderFailure(failure: unknown): ProviderOutcome {
  if (failure instanceof AdapterError) return outcomeOfAdapterError(failure);
  if (isHttpStatus(failure)) {
    const retry_after = field(failure, 'retry_after') as ProviderHttpStatus['retry_after'];
    return outcomeOfHttpStatus(failure.status, retryAfterMs(retry_after));
  }
  if (field(failure, 'name') === 'AbortError') return PROVIDER_CANCELLED;
  return outcomeOfAdapterError(toAdapterError(failure, 'unknown'));
}

/** The outcome of an aborted attempt: a deadline reason gives `timeout`, anything else `cancelled`. */
export function outcomeOfAbort(reason: unknown): ProviderOutcome {
  return isTimeoutFailure(reason) ? PROVIDER_TIMEOUT : PROVIDER_CANCELLED;
}
