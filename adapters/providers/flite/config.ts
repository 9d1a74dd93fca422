/**
 * Settings of the flite TTS adapter from `RSPP_TTS_FLITE_*`, validated at startup, and the
 * startup check that flite is installed (ADR 0043).
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

const PREFIX = 'RSPP_TTS_FLITE';

/** Validated settings. */
export interface FliteConfig {
  /** The program (name on PATH or absolute path). */
  readonly binary: string;
  /** Built-in voice name or the path of a `.flitevox` file. */
  readonly voice: string;
  /** Longest wait on one synthesis (input waits excluded) before an attempt times out. */
  readonly timeout_ms: number;
  /** How the reply is cut before synthesis. */
  readonly segmenter: SegmenterOptions;
}

/** Voices built into Debian's flite 2.2 (`flite -lv`); `kal` is 8 kHz, the others 16 kHz. */
const BUILT_IN_VOICES = ['awb', 'awb_time', 'kal', 'kal16', 'rms', 'slt'] as const;

/** Reads and validates the flite settings; throws {@link ProviderConfigError}. */
export function fliteConfigFromEnv(env: ProviderEnv): FliteConfig {
  const binary = readText(env, `${PREFIX}_BINARY`, 'flite');
  if (/\s/.test(binary)) {
    throw new ProviderConfigError(`${PREFIX}_BINARY`, 'a program name or path', 'whitespace');
  }
  const voice = readText(env, `${PREFIX}_VOICE`, 'slt');
  // flite speaks an unknown voice name with `kal` without a word of warning: refuse it here.
  const known = (BUILT_IN_VOICES as readonly string[]).includes(voice);
  if (!known && !/^\/\S+\.flitevox$/.test(voice)) {
    throw new ProviderConfigError(
      `${PREFIX}_VOICE`,
      `one of ${BUILT_IN_VOICES.join(', ')} or an absolute .flitevox path`,
      JSON.stringify(voice),
    );
  }
  return {
    binary,
    voice,
    timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 15_000, 1, 600_000),
    segmenter: readSegmenterOptions(env, PREFIX),
  };
}

/**
 * Whether flite is installed, for the startup check: found, or a message naming it and the
 * `apt-get` command.
 */
export function detectFlite(env: ProviderEnv, binary = 'flite'): Promise<ToolStatus> {
  return checkTool(binary, ['flite'], env);
}
