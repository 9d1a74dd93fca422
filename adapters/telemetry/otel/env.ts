/**
 * OR-01 configuration from the spec's env variables: with `RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT`
 * set (and telemetry not disabled), spans are batched into a bounded queue and exported over
 * OTLP/HTTP; without it nothing is built, so the runtime pays nothing. A bad value fails at
 * startup with the variable, what was expected and what was received.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { RuntimeTelemetryPort } from '../../../contracts/index.ts';
import { createOtelTelemetry } from './otel-telemetry.ts';

/** The OR-01 settings read from the environment. */
export type OtelSettings = {
  readonly enabled: boolean;
  /** Where OTLP/HTTP traces go (`.../v1/traces`); undefined: telemetry stays off. */
  readonly traces_url: string | undefined;
  /** Spans waiting for export; past it new spans are dropped (best effort, never blocking). */
  readonly queue_capacity: number;
  readonly export_timeout_ms: number;
};

/** Raised for an unusable telemetry variable; names it, the expected and the received value. */
export class OtelConfigError extends Error {
  /** The variable that was wrong. */
  readonly variable: string;

  /** Builds the error for `variable`. */
  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}, received ${JSON.stringify(received)}`);
    this.name = 'OtelConfigError';
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function integerVar(env: Env, variable: string, fallback: number, min: number, max: number) {
  const raw = env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new OtelConfigError(variable, `an integer from ${String(min)} to ${String(max)}`, raw);
  return value;
}

function tracesUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  const variable = 'RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OtelConfigError(variable, 'an http(s) URL', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OtelConfigError(variable, 'an http(s) URL', raw);
  // The spec's variable names the collector; OTLP/HTTP traces live under /v1/traces.
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith('/v1/traces') ? path : `${path}/v1/traces`;
  return url.toString();
}

/** Reads and checks the OR-01 variables (`RSPP_TELEMETRY_*`); throws {@link OtelConfigError}. */
export function otelSettingsFromEnv(env: Env): OtelSettings {
  const enabledRaw = env['RSPP_TELEMETRY_ENABLED'];
  if (enabledRaw !== undefined && enabledRaw !== '' && !/^(true|false)$/.test(enabledRaw))
    throw new OtelConfigError('RSPP_TELEMETRY_ENABLED', '"true" or "false"', enabledRaw);
  return {
    enabled: enabledRaw !== 'false',
    traces_url: tracesUrl(env['RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT']),
    queue_capacity: integerVar(env, 'RSPP_TELEMETRY_QUEUE_CAPACITY', 256, 1, 1_000_000),
    export_timeout_ms: integerVar(env, 'RSPP_TELEMETRY_EXPORT_TIMEOUT_MS', 200, 1, 600_000),
  };
}

/** Telemetry built from the environment, and how to flush and stop its exporter. */
export type OtelFromEnv = {
  readonly telemetry: RuntimeTelemetryPort;
  /** Exports what is queued, then stops the exporter; never rejects. */
  shutdown(): Promise<void>;
};

/** Builds OTLP/HTTP span export from `env`, or undefined when telemetry is off or unconfigured. */
export function otelTelemetryFromEnv(env: Env): OtelFromEnv | undefined {
  const settings = otelSettingsFromEnv(env);
  if (!settings.enabled || settings.traces_url === undefined) return undefined;
  const exporter = new OTLPTraceExporter({
    url: settings.traces_url,
    timeoutMillis: settings.export_timeout_ms,
  });
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        maxQueueSize: settings.queue_capacity,
        maxExportBatchSize: Math.min(512, settings.queue_capacity),
        exportTimeoutMillis: settings.export_timeout_ms,
      }),
    ],
  });
  return {
    telemetry: createOtelTelemetry({ tracer: provider.getTracer('rspp') }),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}
