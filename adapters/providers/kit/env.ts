/**
 * Reading a provider's settings from an environment record (the composition root passes
 * `process.env`; nothing here reads it). Every refusal names the variable, what was expected and
 * what was received, except for secrets, whose value is never repeated.
 */

/** An environment record: `process.env` or a test's own. */
export type ProviderEnv = Readonly<Record<string, string | undefined>>;

/** A setting the environment gets wrong; the message names variable, expected and received. */
export class ProviderConfigError extends Error {
  override readonly name = 'ProviderConfigError';
  /** The offending environment variable. */
  readonly variable: string;

  /** Builds the error; `received` is already safe to print (never a secret's value). */
  constructor(variable: string, expected: string, received: string) {
    super(`${variable}: expected ${expected}, received ${received}`);
    this.variable = variable;
  }
}

/** How a value is shown in an error: `unset`, `empty`, or the JSON string. */
const shown = (value: string | undefined): string =>
  value === undefined ? 'unset' : value.trim() === '' ? 'empty' : JSON.stringify(value);

/** Reads a trimmed value, or `fallback` when unset or blank. */
function read(env: ProviderEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A required secret; a refusal says only unset, empty or its length, never the value. */
export function readSecret(env: ProviderEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ProviderConfigError(name, 'a non-empty API key', shown(value));
  }
  if (/\s/.test(value.trim())) {
    const length = value.trim().length;
    throw new ProviderConfigError(
      name,
      'a key without whitespace',
      `${length} characters with whitespace`,
    );
  }
  return value.trim();
}

/** An http(s) URL with a host, or `fallback` when unset. */
export function readUrl(env: ProviderEnv, name: string, fallback: string): URL {
  const value = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderConfigError(name, 'an http(s) URL', shown(value));
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new ProviderConfigError(name, 'an http(s) URL with a host', shown(value));
  }
  if (url.username !== '' || url.password !== '') {
    throw new ProviderConfigError(name, 'a URL without credentials', 'a URL with user info');
  }
  return url;
}

/** A non-empty string, or `fallback` when unset. */
export function readText(env: ProviderEnv, name: string, fallback: string): string {
  return read(env, name) ?? fallback;
}

/** An integer in `[min, max]`, or `fallback` when unset. */
export function readInteger(
  env: ProviderEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = read(env, name);
  if (value === undefined) return fallback;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ProviderConfigError(name, `an integer from ${min} to ${max}`, shown(value));
  }
  return number;
}

/** A flag: `1`/`true`/`yes`/`on` or `0`/`false`/`no`/`off`, or `fallback` when unset. */
export function readFlag(env: ProviderEnv, name: string, fallback: boolean): boolean {
  const value = read(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new ProviderConfigError(name, 'one of 1, true, yes, on, 0, false, no, off', shown(value));
}

/**
 * Returns `config` with `api_key` attached as a non-enumerable property, so that logging or
 * serializing a config never shows the key.
 */
export function withApiKey<TConfig extends object>(
  config: TConfig,
  api_key: string,
): TConfig & { readonly api_key: string } {
  return Object.defineProperty({ ...config }, 'api_key', {
    value: api_key,
    enumerable: false,
  }) as TConfig & {
    readonly api_key: string;
  };
}

/**
 * A WebSocket URL with a host (`ws:`/`wss:`, or `http:`/`https:` mapped to them), or `fallback`
 * when unset.
 */
export function readWebSocketUrl(env: ProviderEnv, name: string, fallback: string): URL {
  const value = read(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderConfigError(name, 'a ws(s) or http(s) URL', shown(value));
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[url.protocol];
  if (scheme === undefined || url.hostname === '') {
    throw new ProviderConfigError(name, 'a ws(s) or http(s) URL with a host', shown(value));
  }
  if (url.username !== '' || url.password !== '') {
    throw new ProviderConfigError(name, 'a URL without credentials', 'a URL with user info');
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ProviderConfigError(name, 'a URL without query or fragment', shown(value));
  }
  return new URL(`${scheme}//${url.host}${url.pathname}`);
}
