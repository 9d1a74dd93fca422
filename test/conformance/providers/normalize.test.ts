// Every row of the providers-transport.md outcome table through normalizeProviderFailure, plus
// the adapter error codes and the raw-throw classification real adapters will rely on.
import { describe, expect, it } from 'vitest';
import { AdapterError, toAdapterError, type AdapterErrorCode } from '../../../contracts/index.ts';
import {
  ADAPTER_ERROR_CODES,
  normalizeProviderFailure,
  outcomeOfAbort,
  retryAfterMs,
  type ProviderOutcome,
  type ProviderOutcomeReason,
} from '../../../contracts/internal.ts';

const fail = (
  cls: Exclude<ProviderOutcome['class'], 'success'>,
  retryable: boolean,
  reason: ProviderOutcomeReason,
  circuit_open = false,
  backoff_ms = 0,
): ProviderOutcome => ({ class: cls, retryable, reason, circuit_open, backoff_ms });

const success: ProviderOutcome = {
  class: 'success',
  retryable: false,
  circuit_open: false,
  backoff_ms: 0,
};

const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('normalizeProviderFailure: the outcome table', () => {
  it('maps a caller abort (AbortError) to cancelled / provider_cancelled, not retryable', () => {
    expect(normalizeProviderFailure(new DOMException('aborted', 'AbortError'))).toEqual(
      fail('cancelled', false, 'provider_cancelled'),
    );
    expect(outcomeOfAbort(undefined)).toEqual(fail('cancelled', false, 'provider_cancelled'));
  });

  it('maps a missing endpoint to blocked / provider_endpoint_missing', () => {
    const error = new AdapterError('endpoint_missing', { provider: 'stt-google' });
    expect(normalizeProviderFailure(error)).toEqual(
      fail('blocked', false, 'provider_endpoint_missing'),
    );
  });

  it.each([200, 201, 204, 299])('maps %i to success', (status) => {
    expect(normalizeProviderFailure({ status })).toEqual(success);
  });

  it.each([
    ['2', 2000],
    [' 120 ', 120_000],
    ['1.5', 1500],
    [3, 3000],
    [0, 0],
  ] as const)('maps 429 with Retry-After %j to overload with backoff %i ms', (header, ms) => {
    expect(normalizeProviderFailure({ status: 429, retry_after: header })).toEqual(
      fail('overload', true, 'provider_overload', true, ms),
    );
  });

  it.each([undefined, null, '', 'soon', 'Wed, 21 Oct 2015 07:28:00 GMT', -1])(
    'maps 429 with Retry-After %j to overload with the 500 ms default backoff',
    (header) => {
      expect(normalizeProviderFailure({ status: 429, retry_after: header })).toEqual(
        fail('overload', true, 'provider_overload', true, 500),
      );
    },
  );

  it.each([408, 504])('maps %i to timeout / provider_timeout, retryable', (status) => {
    expect(normalizeProviderFailure({ status })).toEqual(fail('timeout', true, 'provider_timeout'));
  });

  it('maps a deadline (TimeoutError, abort with a timeout reason) to timeout', () => {
    const deadline = new DOMException('deadline', 'TimeoutError');
    expect(normalizeProviderFailure(deadline)).toEqual(fail('timeout', true, 'provider_timeout'));
    expect(outcomeOfAbort(deadline)).toEqual(fail('timeout', true, 'provider_timeout'));
    const adapterDeadline = new AdapterError('timeout', { provider: 'llm-sim' });
    expect(outcomeOfAbort(adapterDeadline)).toEqual(fail('timeout', true, 'provider_timeout'));
  });

  it.each(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT'])(
    'maps a network timeout (%s, also as fetch cause) to timeout',
    (code) => {
      const expected = fail('timeout', true, 'provider_timeout');
      expect(normalizeProviderFailure(withCode(code))).toEqual(expected);
      const wrapped = new TypeError('fetch failed', { cause: withCode(code) });
      expect(normalizeProviderFailure(wrapped)).toEqual(expected);
    },
  );

  it.each([401, 403])('maps %i to blocked / provider_auth_or_policy_block', (status) => {
    expect(normalizeProviderFailure({ status })).toEqual(
      fail('blocked', false, 'provider_auth_or_policy_block'),
    );
  });

  it.each([400, 404, 409, 413, 422, 499])(
    'maps %i to blocked / provider_client_error',
    (status) => {
      expect(normalizeProviderFailure({ status })).toEqual(
        fail('blocked', false, 'provider_client_error'),
      );
    },
  );

  it.each([500, 502, 503, 599])(
    'maps %i to infrastructure_failure / provider_server_error with circuit_open',
    (status) => {
      expect(normalizeProviderFailure({ status })).toEqual(
        fail('infrastructure_failure', true, 'provider_server_error', true),
      );
    },
  );

  it.each([100, 301, 304])(
    'maps other status %i to infrastructure_failure / provider_server_error, circuit closed',
    (status) => {
      expect(normalizeProviderFailure({ status })).toEqual(
        fail('infrastructure_failure', true, 'provider_server_error', false),
      );
    },
  );

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET'])(
    'maps the network error %s to infrastructure_failure / provider_transport_error',
    (code) => {
      const expected = fail('infrastructure_failure', true, 'provider_transport_error');
      expect(normalizeProviderFailure(withCode(code))).toEqual(expected);
      const wrapped = new TypeError('fetch failed', { cause: withCode(code) });
      expect(normalizeProviderFailure(wrapped)).toEqual(expected);
    },
  );

  it('maps a bare `fetch failed` to provider_transport_error', () => {
    expect(normalizeProviderFailure(new TypeError('fetch failed'))).toEqual(
      fail('infrastructure_failure', true, 'provider_transport_error'),
    );
  });

  it.each([new Error('bug'), new RangeError('x'), 'string', 42, null, undefined, {}])(
    'maps an adapter throw (%j) to infrastructure_failure / adapter_invoke_error',
    (thrown) => {
      expect(normalizeProviderFailure(thrown)).toEqual(
        fail('infrastructure_failure', true, 'adapter_invoke_error'),
      );
    },
  );

  it('reads the status of SDK errors that carry one', () => {
    const sdk = Object.assign(new Error('Too Many Requests'), { status: 429, retry_after: '4' });
    expect(normalizeProviderFailure(sdk)).toEqual(
      fail('overload', true, 'provider_overload', true, 4000),
    );
  });
});

describe('AdapterError', () => {
  const expected: Record<AdapterErrorCode, ProviderOutcome> = {
    endpoint_missing: fail('blocked', false, 'provider_endpoint_missing'),
    http_status: fail('blocked', false, 'provider_client_error'),
    rate_limited: fail('overload', true, 'provider_overload', true, 500),
    timeout: fail('timeout', true, 'provider_timeout'),
    auth_rejected: fail('blocked', false, 'provider_auth_or_policy_block'),
    request_rejected: fail('blocked', false, 'provider_client_error'),
    server_error: fail('infrastructure_failure', true, 'provider_server_error', true),
    transport_error: fail('infrastructure_failure', true, 'provider_transport_error'),
    malformed_output: fail('infrastructure_failure', true, 'provider_server_error'),
    empty_audio: fail('infrastructure_failure', true, 'provider_empty_audio'),
    empty_output: fail('infrastructure_failure', true, 'provider_server_error'),
    invoke_failed: fail('infrastructure_failure', true, 'adapter_invoke_error'),
  };

  it.each(Object.values(ADAPTER_ERROR_CODES))(
    'normalizes code %s and defaults retryable from its outcome',
    (code) => {
      const error = new AdapterError(code, { provider: 'tts-sim', status: 404 });
      expect(normalizeProviderFailure(error)).toEqual(expected[code]);
      expect(error.retryable).toBe(expected[code].retryable);
      expect(error.provider).toBe('tts-sim');
    },
  );

  it('builds its message from ids only and keeps the cause', () => {
    const cause = new Error('user said: my card number is 4111');
    const error = new AdapterError('malformed_output', {
      provider: 'llm-sim',
      cause,
      detail: 'llm_delta_empty',
    });
    expect(error.message).toBe('llm-sim: malformed_output detail=llm_delta_empty');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('AdapterError');
    expect(new AdapterError('http_status', { provider: 'p', status: 503 }).message).toBe(
      'p: http_status status=503',
    );
  });

  it('uses Retry-After of a rate_limited error as backoff', () => {
    const error = new AdapterError('rate_limited', { provider: 'tts-polly', retry_after_ms: 1200 });
    expect(normalizeProviderFailure(error)).toEqual(
      fail('overload', true, 'provider_overload', true, 1200),
    );
  });

  it('lets an adapter override retryability', () => {
    expect(new AdapterError('server_error', { provider: 'p', retryable: false }).retryable).toBe(
      false,
    );
  });
});

describe('toAdapterError', () => {
  it('passes an AdapterError through unchanged', () => {
    const error = new AdapterError('timeout', { provider: 'a' });
    expect(toAdapterError(error, 'b')).toBe(error);
  });

  it('wraps an HTTP status, keeping Retry-After only when sent', () => {
    const limited = toAdapterError({ status: 429, retry_after: '3' }, 'llm-gemini');
    expect([limited.code, limited.status, limited.retry_after_ms]).toEqual([
      'http_status',
      429,
      3000,
    ]);
    expect(toAdapterError({ status: 503 }, 'llm-gemini').retry_after_ms).toBeUndefined();
  });

  it('classifies timeouts, network errors and anything else, keeping the cause', () => {
    const reset = withCode('ECONNRESET');
    const wrapped = toAdapterError(reset, 'stt-deepgram');
    expect([wrapped.code, wrapped.provider, wrapped.cause]).toEqual([
      'transport_error',
      'stt-deepgram',
      reset,
    ]);
    expect(toAdapterError(withCode('ETIMEDOUT'), 'x').code).toBe('timeout');
    expect(toAdapterError(new Error('bug'), 'x').code).toBe('invoke_failed');
  });
});

describe('retryAfterMs', () => {
  it('accepts non-negative seconds only and falls back to 500 ms', () => {
    expect([
      retryAfterMs('7'),
      retryAfterMs(0.25),
      retryAfterMs(Infinity),
      retryAfterMs('7s'),
    ]).toEqual([7000, 250, 500, 500]);
  });
});
