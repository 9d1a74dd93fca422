/** OR-01 telemetry over OpenTelemetry: the runtime port, and its configuration from the env. */
export { createOtelTelemetry, type OtelTelemetryOptions } from './otel-telemetry.ts';
export {
  OtelConfigError,
  otelSettingsFromEnv,
  otelTelemetryFromEnv,
  type OtelFromEnv,
  type OtelSettings,
} from './env.ts';
