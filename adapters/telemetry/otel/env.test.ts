import { describe, expect, it } from 'vitest';
import { OtelConfigError, otelSettingsFromEnv, otelTelemetryFromEnv } from './env.ts';

describe('OR-01 settings from the environment', () => {
  it('builds nothing without an endpoint, or when disabled', () => {
    expect(otelTelemetryFromEnv({})).toBeUndefined();
    expect(
      otelTelemetryFromEnv({
        RSPP_TELEMETRY_ENABLED: 'false',
        RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: 'http://127.0.0.1:4318',
      }),
    ).toBeUndefined();
  });

  it('takes the spec defaults and puts traces under /v1/traces', () => {
    expect(
      otelSettingsFromEnv({ RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: 'http://127.0.0.1:4318/' }),
    ).toEqual({
      enabled: true,
      traces_url: 'http://127.0.0.1:4318/v1/traces',
      queue_capacity: 256,
      export_timeout_ms: 200,
    });
    const full = otelSettingsFromEnv({
      RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT: 'https://collector.internal/otlp/v1/traces',
      RSPP_TELEMETRY_QUEUE_CAPACITY: '1024',
      RSPP_TELEMETRY_EXPORT_TIMEOUT_MS: '500',
    });
    expect(full.traces_url).toBe('https://collector.internal/otlp/v1/traces');
    expect(full.queue_capacity).toBe(1024);
    expect(full.export_timeout_ms).toBe(500);
  });

  it.each([
    ['RSPP_TELEMETRY_ENABLED', 'yes', '"true" or "false"'],
    ['RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT', 'collector:4318', 'an http(s) URL'],
    ['RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT', 'ftp://127.0.0.1/x', 'an http(s) URL'],
    ['RSPP_TELEMETRY_QUEUE_CAPACITY', '0', 'an integer from 1 to 1000000'],
    ['RSPP_TELEMETRY_QUEUE_CAPACITY', '12.5', 'an integer from 1 to 1000000'],
    ['RSPP_TELEMETRY_EXPORT_TIMEOUT_MS', '-1', 'an integer from 1 to 600000'],
  ])('refuses %s=%s, naming the variable, expected and received', (variable, value, expected) => {
    const read = () => otelSettingsFromEnv({ [variable]: value });
    expect(read).toThrow(OtelConfigError);
    expect(read).toThrow(`${variable} must be ${expected}, received ${JSON.stringify(value)}`);
  });
});
