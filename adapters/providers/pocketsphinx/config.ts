/**
 * Settings of the pocketsphinx STT adapter from `RSPP_STT_POCKETSPHINX_*`, validated at startup,
 * and the startup check that pocketsphinx and its US English model are installed (ADR 0043).
 */
import { access } from 'node:fs/promises';
import {
  ProviderConfigError,
  checkTool,
  readInteger,
  readText,
  type ProviderEnv,
  type ToolStatus,
} from '../kit/index.ts';

const PREFIX = 'RSPP_STT_POCKETSPHINX';

/** Validated settings. */
export interface PocketsphinxConfig {
  /** The program (name on PATH or absolute path): pocketsphinx 0.8's `pocketsphinx_continuous`. */
  readonly binary: string;
  /**
   * A JSGF grammar file (`-jsgf`): only its sentences can be heard, so words come out exact;
   * null for the general language model.
   */
  readonly jsgf_path: string | null;
  /** Longest time with neither audio sent nor a result before an attempt times out. */
  readonly timeout_ms: number;
}

/** The acoustic model of Debian's `pocketsphinx-en-us`, which the program loads by default. */
export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';

/** Reads and validates the pocketsphinx settings; throws {@link ProviderConfigError}. */
export function pocketsphinxConfigFromEnv(env: ProviderEnv): PocketsphinxConfig {
  const binary = readText(env, `${PREFIX}_BINARY`, 'pocketsphinx_continuous');
  if (/\s/.test(binary)) {
    throw new ProviderConfigError(`${PREFIX}_BINARY`, 'a program name or path', 'whitespace');
  }
  const jsgf = env[`${PREFIX}_JSGF`]?.trim() ?? '';
  if (jsgf !== '' && !jsgf.startsWith('/')) {
    throw new ProviderConfigError(`${PREFIX}_JSGF`, 'an absolute path', JSON.stringify(jsgf));
  }
  return {
    binary,
    jsgf_path: jsgf === '' ? null : jsgf,
    timeout_ms: readInteger(env, `${PREFIX}_TIMEOUT_MS`, 10_000, 1, 600_000),
  };
}

/**
 * Whether pocketsphinx and its model are installed, for the startup check: found, or a message
 * naming what is missing and the `apt-get` command.
 */
export async function detectPocketsphinx(
  env: ProviderEnv,
  binary = 'pocketsphinx_continuous',
): Promise<ToolStatus> {
  const packages = ['pocketsphinx', 'pocketsphinx-en-us'];
  const status = await checkTool(binary, packages, env);
  if (status.path === null) return status;
  try {
    await access(`${POCKETSPHINX_MODEL_DIR}/mdef`);
    return status;
  } catch {
    return {
      tool: binary,
      path: null,
      message:
        `the pocketsphinx US English model is not installed (${POCKETSPHINX_MODEL_DIR}): ` +
        'install it with `sudo apt-get install -y pocketsphinx-en-us` (Debian/Ubuntu packages)',
    };
  }
}
