/**
 * Settings of the espeak-ng TTS adapter from `RSPP_TTS_ESPEAK_NG_*`, validated at startup, and
 * the startup check that espeak-ng is installed (ADR 0043).
 */
import {
  ProviderConfigError,
  checkTool,
  readInteger,
  readSegmenterOptions,
  readText,
  type ProviderEnv,
  type SegmenterOptions,
  type ToolStatus,
} from '../kit/index.ts';

const PREFIX = 'RSPP_TTS_ESPEAK_NG';

/** Validated settings. */
export interface EspeakNgConfig {
  /** The program (name on PATH or absolute path). */
  readonly binary: string;
  /** Voice (`-v`): a language or voice name from `espeak-ng --voices`. */
  readonly voice: string;
  /** Speed in words per minute (`-s`). */
  readonly words_per_minute: number;
  /** Longest wait on the synthesis (input waits excluded) before an attempt times out. */
  readonly timeout_ms: number;
  /** How the reply is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
}

/** Reads and validates the espeak-ng settings; throws {@link ProviderConfigError}. */
export function espeakNgConfigFromEnv(env: ProviderEnv): EspeakNgConfig {
  const binary = readText(env, `${PREFIX}_BINARY`, 'espeak-ng');
  if (/\s/.test(binary)) {
    throw new ProviderConfigError(`${PREFIX}_BINARY`, 'a program name or path', 'whitespace');
  }
  const voice = readText(env, `${PREFIX}_VOICE`, 'en-us');
  if (!/^[A-Za-z0-9][\w+-]*$/.test(voice)) {
    throw new ProviderConfigError(
      `${PREFIX}_VOICE`,
      'a voice name such as en-us or en-gb+f3',
      JSON.stringify(voice),
    );
  }
  return {
    binary,
    voice,
    words_per_minute: readInteger(env, `${PREFIX}_WPM`, 175, 80, 450),
    timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 15_000, 1, 600_000),
    segmenter: readSegmenterOptions(env, PREFIX),
  };
}

/**
 * Whether espeak-ng is installed, for the startup check: found, or a message naming it and the
 * `apt-get` command.
 */
export function detectEspeakNg(env: ProviderEnv, binary = 'espeak-ng'): Promise<ToolStatus> {
  return checkTool(binary, ['espeak-ng'], env);
}
