/**
 * LiveKit transport settings from the spec's `RSPP_LIVEKIT_*` variables and their flags (flags
 * win), checked at startup: a bad value fails closed with the variable, what was expected and
 * what was received. Secrets are never echoed: only whether they were set. URL, key and secret
 * are required when probing or joining a room; a dry run needs none.
 */

/** The payload classes a data packet may default to (RK-22). */
export const DATA_CLASSES = ['audio_raw', 'text_raw', 'derived_summary'] as const;

/** A data class a data packet may default to. */
export type DataClass = (typeof DATA_CLASSES)[number];

/** Checked settings of the LiveKit transport. */
export type LiveKitConfig = {
  /** Server URL as given (ws, wss, http or https); undefined in a dry run without one. */
  readonly url: string | undefined;
  readonly api_key: string | undefined;
  readonly api_secret: string | undefined;
  readonly room: string;
  readonly session_id: string;
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly authority_epoch: number;
  readonly default_data_class: DataClass;
  readonly dry_run: boolean;
  readonly probe: boolean;
  readonly request_timeout_ms: number;
};

/** Flag values that override the environment (undefined: not given). */
export type LiveKitFlags = {
  readonly url?: string | undefined;
  readonly room?: string | undefined;
  readonly session_id?: string | undefined;
  readonly turn_id?: string | undefined;
  readonly pipeline_version?: string | undefined;
  readonly authority_epoch?: string | undefined;
  readonly default_data_class?: string | undefined;
  readonly dry_run?: boolean | undefined;
  readonly probe?: boolean | undefined;
  readonly request_timeout_ms?: string | undefined;
};

/** Raised for an unusable setting; names it, the expected and the received value. */
export class LiveKitConfigError extends Error {
  /** The variable (or flag) that was wrong. */
  readonly variable: string;

  /** Builds the error; `received` is already safe to print. */
  constructor(variable: string, expected: string, received: string) {
    super(`${variable} must be ${expected}, received ${received}`);
    this.name = 'LiveKitConfigError';
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;
const PREFIX = 'RSPP_LIVEKIT_';
const quote = (value: string) =>
  JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
// Room names, ids and versions travel in tokens, report lines and bus subjects: printable, short.
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const NAME = /^[\x21-\x7e]{1,128}$/;

/** One setting: the flag if given, else the variable, else the default. */
function pick(
  env: Env,
  name: string,
  flag: string | undefined,
  flagName: string,
): { raw: string | undefined; from: string } {
  if (flag !== undefined) return { raw: flag, from: flagName };
  const raw = env[PREFIX + name];
  return { raw: raw === '' ? undefined : raw, from: PREFIX + name };
}

function text(
  env: Env,
  name: string,
  flag: string | undefined,
  fallback: string,
  pattern: RegExp,
  expected: string,
): string {
  const { raw, from } = pick(env, name, flag, `--${name.toLowerCase().replace(/_/g, '-')}`);
  if (raw === undefined) return fallback;
  if (!pattern.test(raw)) throw new LiveKitConfigError(from, expected, quote(raw));
  return raw;
}

function integer(
  env: Env,
  name: string,
  flag: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const { raw, from } = pick(env, name, flag, `--${name.toLowerCase().replace(/_/g, '-')}`);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max)
    throw new LiveKitConfigError(from, `an integer from ${min} to ${max}`, quote(raw));
  return value;
}

function bool(env: Env, name: string, flag: boolean | undefined, fallback: boolean): boolean {
  if (flag !== undefined) return flag;
  const raw = env[PREFIX + name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new LiveKitConfigError(PREFIX + name, '"true" or "false"', quote(raw));
}

function serverUrl(env: Env, flag: string | undefined): string | undefined {
  const { raw, from } = pick(env, 'URL', flag, '--url');
  if (raw === undefined) return undefined;
  const expected = 'a ws, wss, http or https URL with a host and no credentials';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LiveKitConfigError(from, expected, quote(raw));
  }
  if (url.username !== '' || url.password !== '')
    // Credentials in a URL are a secret: say so without printing them.
    throw new LiveKitConfigError(from, expected, 'a URL with credentials in it');
  if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) || url.hostname === '')
    throw new LiveKitConfigError(from, expected, quote(raw));
  return raw;
}

function secret(env: Env, name: string, needed: boolean): string | undefined {
  const raw = env[PREFIX + name];
  if (raw !== undefined && raw !== '') {
    if ([...raw].some((ch) => ch.charCodeAt(0) < 0x20 || /\s/.test(ch)))
      throw new LiveKitConfigError(
        PREFIX + name,
        'a value without whitespace or control characters',
        `a value of ${raw.length} characters (not shown)`,
      );
    return raw;
  }
  if (needed)
    throw new LiveKitConfigError(PREFIX + name, 'set when probing or joining a room', 'nothing');
  return undefined;
}

/** Reads and checks the settings; throws {@link LiveKitConfigError} on the first bad one. */
export function liveKitConfigFrom(env: Env, flags: LiveKitFlags = {}): LiveKitConfig {
  const dry_run = bool(env, 'DRY_RUN', flags.dry_run, true);
  const probe = bool(env, 'PROBE', flags.probe, false);
  const needed = probe || !dry_run;
  const url = serverUrl(env, flags.url);
  if (needed && url === undefined)
    throw new LiveKitConfigError(
      flags.url === undefined ? `${PREFIX}URL` : '--url',
      'a server URL when probing or joining a room',
      'nothing',
    );
  const dataClass = pick(
    env,
    'DEFAULT_DATA_CLASS',
    flags.default_data_class,
    '--default-data-class',
  );
  const default_data_class = dataClass.raw ?? 'audio_raw';
  if (!(DATA_CLASSES as readonly string[]).includes(default_data_class))
    throw new LiveKitConfigError(
      dataClass.from,
      `one of ${DATA_CLASSES.join(', ')}`,
      quote(default_data_class),
    );
  return {
    url,
    api_key: secret(env, 'API_KEY', needed),
    api_secret: secret(env, 'API_SECRET', needed),
    room: text(
      env,
      'ROOM',
      flags.room,
      'rspp-default-room',
      NAME,
      'a room name of 1 to 128 printable characters without spaces',
    ),
    session_id: text(
      env,
      'SESSION_ID',
      flags.session_id,
      'sess-livekit-runtime',
      TOKEN,
      'an id of 1 to 128 letters, digits, "-" or "_"',
    ),
    turn_id: text(
      env,
      'TURN_ID',
      flags.turn_id,
      'turn-livekit-runtime',
      TOKEN,
      'an id of 1 to 128 letters, digits, "-" or "_"',
    ),
    pipeline_version: text(
      env,
      'PIPELINE_VERSION',
      flags.pipeline_version,
      'pipeline-v1',
      NAME,
      'a version of 1 to 128 printable characters without spaces',
    ),
    authority_epoch: integer(
      env,
      'AUTHORITY_EPOCH',
      flags.authority_epoch,
      1,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    default_data_class: default_data_class as DataClass,
    dry_run,
    probe,
    request_timeout_ms: integer(
      env,
      'REQUEST_TIMEOUT_MS',
      flags.request_timeout_ms,
      5000,
      1,
      600_000,
    ),
  };
}
