/**
 * `rspp paths`: generates an exhaustive path-coverage vitest suite for one of RSPP's machines or
 * for any statechart module, and prints how many paths, states and transitions it covers.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { errorReason } from '../error-code.ts';
import { printable } from '../printable.ts';
import { writeFileAtomic } from '../write-atomic.ts';
import type { PathStrategy } from '../../paths/generate.ts';
import { DEFAULT_TIMEOUT_MS, generateIsolated } from '../../paths/isolate.ts';
import { RSPP_MACHINES, defaultSpec, registeredSpec, type ModelSpec } from '../../paths/load.ts';
import type { PathBounds } from '../../paths/traverse.ts';

const OPTIONS = {
  machine: { type: 'string' },
  module: { type: 'string' },
  export: { type: 'string' },
  'events-module': { type: 'string' },
  'events-export': { type: 'string' },
  'input-export': { type: 'string' },
  'inputs-export': { type: 'string' },
  'filter-export': { type: 'string' },
  'serializer-export': { type: 'string' },
  out: { type: 'string' },
  strategy: { type: 'string' },
  'max-states': { type: 'string' },
  'max-paths': { type: 'string' },
  'max-depth': { type: 'string' },
  'timeout-ms': { type: 'string' },
  check: { type: 'boolean' },
} as const;

// An hour: far above any real generation, low enough that a stuck CI job still ends.
const MAX_TIMEOUT_MS = 3_600_000;

const NAMES = RSPP_MACHINES.map((m) => m.name).join('|');

const USAGE = `rspp paths (--machine ${NAMES} | --module FILE --export NAME) [--out DIR] [flags]

Generates <name>.paths.generated.test.ts: one vitest test per shortest/simple path of the
statechart plus paths that take every remaining transition; each step checks the turn invariants
and the expected state; the suite fails unless every declared transition is taken.

  --machine NAME           one of RSPP's machines (machines/<NAME>.machine.ts, events from
                           machines/<NAME>.path-events.ts)
  --module FILE            any module exporting an XState v5 machine...
  --export NAME            ...under this name (the suite is named after NAME without "Machine")
  --events-module FILE     module holding the events/input/serializer (default: --module)
  --events-export NAME     array of concrete event objects (default: <base>PathEvents)
  --input-export NAME      one machine input (default: <base>PathInput, used if present)
  --inputs-export NAME     array of inputs, paths generated for each (default: <base>PathInputs,
                           used if present and --input-export is not given)
  --serializer-export NAME (snapshot) => string vertex identity (default: <base>SerializeState)
  --filter-export NAME     (snapshot, event) => boolean dropping impossible steps
                           (default: <base>PathFilterEvents, used if present)
  --out DIR                output directory (default: test/paths)
  --strategy simple|shortest  path families (default: simple, which includes shortest)
  --max-states N --max-paths N --max-depth N   exploration bounds (defaults 2000, 20000, 40)
  --timeout-ms MS          bound on loading and generating, 1..${MAX_TIMEOUT_MS} (default ${DEFAULT_TIMEOUT_MS})
  --check                  do not write; exit 1 if the file on disk differs

Modules are loaded in a worker thread: one whose top-level await never settles, that calls
process.exit, or whose machine loops without an event (eventless transitions, over 10000
microsteps) fails with a message naming it. The suite is written atomically.
Run a suite written outside test/paths from the repository root: npx vitest run --dir DIR
Exit codes: 0 written (or up to date); 1 generation failure (bad module/export/events, bound or
timeout exceeded, --out not writable, stale with --check); 2 usage error (flags, unknown machine,
missing file, a FIFO or directory as a module).`;

/** The `paths` command. */
export const pathsCommand: Command = {
  name: 'paths',
  summary: 'Generate a path-coverage vitest suite for a statechart.',
  usage: USAGE,
  run: runPaths,
};

type Settings = {
  spec: ModelSpec;
  name: string | undefined;
  command: string;
  outDir: string;
  /** --out as given, for messages. */
  outLabel: string;
  strategy: PathStrategy | undefined;
  bounds: Partial<PathBounds>;
  timeoutMs: number;
  check: boolean;
};

async function runPaths(args: readonly string[], io: CliIo): Promise<number> {
  const settings = readSettings(args, io);
  if (typeof settings === 'string') {
    io.err(`rspp paths: ${printable(settings)}`);
    io.err(USAGE);
    return EXIT.usage;
  }
  const outcome = await generateIsolated(
    {
      spec: settings.spec,
      options: {
        command: settings.command,
        outDir: settings.outDir,
        bounds: settings.bounds,
        ...(settings.name === undefined ? {} : { name: settings.name }),
        ...(settings.strategy === undefined ? {} : { strategy: settings.strategy }),
      },
    },
    settings.timeoutMs,
  );
  if (!outcome.ok) {
    const [first = 'generation failed', ...rest] = outcome.lines;
    io.err(`rspp paths: ${printable(first)}`);
    for (const line of rest) io.err(printable(line));
    return outcome.usage ? EXIT.usage : EXIT.failure;
  }
  const shown = printable(relative(io.cwd, outcome.file) || outcome.file);
  io.out(printable(outcome.summary));
  for (const line of outcome.warnings) io.err(printable(line));
  if (settings.check) {
    const current = await readFile(outcome.file, 'utf8').catch(() => undefined);
    if (current === outcome.text) {
      io.out(`${shown} is up to date`);
      return EXIT.ok;
    }
    io.err(`${shown} is stale: run \`${settings.command}\``);
    return EXIT.failure;
  }
  try {
    await mkdir(dirname(outcome.file), { recursive: true });
    // Atomic: a failed write leaves the previous suite in place instead of a truncated one.
    await writeFileAtomic(outcome.file, outcome.text);
  } catch (error) {
    io.err(
      `rspp paths: --out ${printable(settings.outLabel)}: expected a writable directory, received ${errorReason(error)}`,
    );
    return EXIT.failure;
  }
  io.out(`wrote ${shown}`);
  return EXIT.ok;
}

function readSettings(args: readonly string[], io: CliIo): Settings | string {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return parsed.message;
  const v = parsed.values;
  if (parsed.positionals.length > 0)
    return `arguments: expected none, received ${parsed.positionals.join(' ')}`;
  const bounds: { -readonly [K in keyof PathBounds]?: number } = {};
  for (const [flag, key] of [
    ['max-states', 'maxStates'],
    ['max-paths', 'maxPaths'],
    ['max-depth', 'maxDepth'],
  ] as const) {
    const raw = v[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) return `--${flag} must be a positive integer, got ${raw}`;
    bounds[key] = n;
  }
  const rawTimeout = v['timeout-ms'] ?? String(DEFAULT_TIMEOUT_MS);
  const timeoutMs = Number(rawTimeout);
  if (!/^\d+$/.test(rawTimeout) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)
    return `--timeout-ms: expected an integer 1..${MAX_TIMEOUT_MS}, received ${rawTimeout}`;
  const rawStrategy = v.strategy;
  if (rawStrategy !== undefined && rawStrategy !== 'simple' && rawStrategy !== 'shortest')
    return `unknown strategy "${rawStrategy}" (valid: simple, shortest)`;
  const strategy: PathStrategy | undefined = rawStrategy;
  const outLabel = v.out ?? 'test/paths';
  const outDir = resolve(io.cwd, outLabel);
  const common = { outDir, outLabel, bounds, timeoutMs, check: v.check === true, strategy };
  if (v.machine !== undefined) {
    if (v.module !== undefined || v.export !== undefined)
      return '--machine cannot be combined with --module/--export';
    const entry = RSPP_MACHINES.find((m) => m.name === v.machine);
    if (entry === undefined)
      return `unknown machine "${v.machine}" (valid: ${RSPP_MACHINES.map((m) => m.name).join(', ')})`;
    // The header quotes only flags that change the content (not --out), so the committed
    // suites match `buildRegisteredSuite`.
    const flags = args.filter(
      (a, i) => /^--(strategy|max-)/.test(a) || /^--(strategy|max-)/.test(args[i - 1] ?? ''),
    );
    return {
      ...common,
      strategy: strategy ?? entry.strategy,
      spec: registeredSpec(entry),
      name: entry.name,
      command: printable(['npx rspp paths --machine', entry.name, ...flags].join(' ')),
    };
  }
  if (v.module === undefined || v.export === undefined)
    return `give --machine NAME (${RSPP_MACHINES.map((m) => m.name).join(', ')}) or both --module FILE and --export NAME`;
  const module = resolve(io.cwd, v.module);
  const spec = defaultSpec(module, v.export, {
    ...(v['events-module'] === undefined
      ? {}
      : { eventsModule: resolve(io.cwd, v['events-module']) }),
    ...(v['events-export'] === undefined ? {} : { events: v['events-export'] }),
    ...(v['input-export'] === undefined ? {} : { input: v['input-export'] }),
    ...(v['inputs-export'] === undefined ? {} : { inputs: v['inputs-export'] }),
    ...(v['filter-export'] === undefined ? {} : { filter: v['filter-export'] }),
    ...(v['serializer-export'] === undefined ? {} : { serializer: v['serializer-export'] }),
  });
  // Escaped: the command is quoted in a comment of the generated file, where a newline in an
  // argument would end the comment and turn the rest of the argument into code.
  const command = printable(['npx rspp paths', ...args.filter((a) => a !== '--check')].join(' '));
  return { ...common, spec, name: undefined, command };
}
