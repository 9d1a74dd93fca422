/**
 * Strict flag parsing on top of `node:util` `parseArgs`, turning its exceptions into one short
 * message that names the offending flag, what it expected and what it received (its own messages
 * are long and mention internals).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { printable } from './printable.ts';

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

// `-1`, `-0.5`, `-1e3`: a value, not a flag (no command has a flag spelled with a digit).
const NEGATIVE_NUMBER = /^-\.?\d/;

/**
 * Parses `args` against `options`, rejecting unknown flags, flags missing their value and flags
 * given more than once (the last one silently winning hid typos in scripts).
 */
export function parseFlags<TOptions extends FlagOptions>(
  args: readonly string[],
  options: TOptions,
): ParsedArgs<TOptions> {
  const prepared = attachValues(args, options);
  if (typeof prepared === 'string') return { ok: false, message: prepared };
  try {
    const { values, positionals, tokens } = parseArgs({
      args: prepared,
      options,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    const repeated = firstRepeat(tokens, options);
    if (repeated !== undefined) return { ok: false, message: repeated };
    return { ok: true, values, positionals };
  } catch (error) {
    return { ok: false, message: describeParseError(error, options) };
  }
}

/**
 * Writes `--flag VALUE` as `--flag=VALUE` when VALUE is a negative number, which parseArgs would
 * otherwise read as a flag; returns the error when a value-taking flag has no value after it.
 */
function attachValues(args: readonly string[], options: FlagOptions): string[] | string {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    out.push(arg);
    if (arg === '--') {
      out.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg.includes('=')) continue;
    if (options[arg.slice(2)]?.type !== 'string') continue;
    const next = args[i + 1];
    if (next === undefined) return missingValue(arg, 'nothing');
    if (NEGATIVE_NUMBER.test(next)) {
      out[out.length - 1] = `${arg}=${next}`;
      i++;
    } else if (next.startsWith('-') && next !== '-') {
      const known =
        next.startsWith('--') && options[next.slice(2).split('=')[0] ?? ''] !== undefined;
      // An unknown dash word may be a value meant literally: say how to pass one.
      const hint = known ? '' : ` (write ${arg}=${next} for a value that starts with "-")`;
      return `${missingValue(arg, `the flag ${next}`)}${printable(hint)}`;
    }
  }
  return out;
}

const missingValue = (flag: string, received: string): string =>
  printable(`flag ${flag} needs a value: expected a value after it, received ${received}`);

type Token = { kind: string; name?: string; rawName?: string };

function firstRepeat(tokens: readonly Token[], options: FlagOptions): string | undefined {
  const counts = new Map<string, number>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (options[token.name]?.multiple === true) continue;
    counts.set(token.name, (counts.get(token.name) ?? 0) + 1);
  }
  for (const [name, count] of counts) {
    if (count > 1)
      return `flag --${name} repeated: expected it at most once, received it ${count} times`;
  }
  return undefined;
}

// parseArgs quotes the flag in its message (`Unknown option '--x'`); keep only that part.
function describeParseError(error: unknown, options: FlagOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const flag = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag !== undefined) {
    const valid = Object.keys(options).map((name) => `--${name}`);
    return printable(`unknown flag ${flag} (valid: ${valid.join(', ') || 'none'})`);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
    const name = flag.split(' ')[0] ?? flag;
    return printable(
      message.includes('does not take')
        ? `flag ${name} does not take a value: expected ${name} alone, received a value after "="`
        : missingValue(name, 'nothing'),
    );
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'unexpected argument';
  return printable(message.split('. ')[0] ?? message);
}
