/**
 * Strict flag parsing on top of `node:util` `parseArgs`, turning its exceptions into one short
 * message that names the offending flag (its own messages are long and mention internals).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** The flag table `parseFlags` accepts (node:util does not export this type by name). */
export type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** Parsed flags and positionals, or the usage error that prevented parsing. */
export type ParsedArgs<TOptions extends FlagOptions> =
  | {
      ok: true;
      values: ReturnType<
        typeof parseArgs<{ options: TOptions; allowPositionals: true; strict: true }>
      >['values'];
      positionals: string[];
    }
  | { ok: false; message: string };

/** Parses `args` against `options`, rejecting unknown flags and flags missing their value. */
export function parseFlags<TOptions extends FlagOptions>(
  args: readonly string[],
  options: TOptions,
): ParsedArgs<TOptions> {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { ok: true, values, positionals };
  } catch (error) {
    return { ok: false, message: describeParseError(error) };
  }
}

// parseArgs quotes the flag in its message (`Unknown option '--x'`); keep only that part.
function describeParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const flag = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    return `unknown flag ${flag}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    const name = flag.split(' ')[0] ?? flag;
    return message.includes('does not take')
      ? `flag ${name} does not take a value`
      : `flag ${name} needs a value`;
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'unexpected argument';
  return message.split('. ')[0] ?? message;
}
