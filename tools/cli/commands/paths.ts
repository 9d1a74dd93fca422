/**
 * `rspp paths`: generates an exhaustive path-coverage vitest suite for one of RSPP's machines or
 * for any statechart module, and prints how many paths, states and transitions it covers.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { summarize, type PathStrategy } from '../../paths/generate.ts';
import {
  LoadError,
  RSPP_MACHINES,
  defaultSpec,
  loadModel,
  registeredSpec,
  type ModelSpec,
} from '../../paths/load.ts';
import { buildSuiteFile, type SuiteFile } from '../../paths/suite.ts';
import { PathBoundError, type PathBounds } from '../../paths/traverse.ts';

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
  check: { type: 'boolean' },
} as const;

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
  --check                  do not write; exit 1 if the file on disk differs

Run a suite written outside test/paths from the repository root: npx vitest run --dir DIR
Exit codes: 0 written (or up to date); 1 generation failure (bad module/export/events, bound
exceeded, stale with --check); 2 usage error (flags, unknown machine, missing file).`;

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
  strategy: PathStrategy | undefined;
  bounds: Partial<PathBounds>;
  check: boolean;
};

async function runPaths(args: readonly string[], io: CliIo): Promise<number> {
  const settings = readSettings(args, io);
  if (typeof settings === 'string') {
    io.err(`rspp paths: ${settings}`);
    io.err(USAGE);
    return EXIT.usage;
  }
  let suite: SuiteFile;
  try {
    const loaded = await loadModel(settings.spec);
    suite = await buildSuiteFile(loaded, {
      command: settings.command,
      outDir: settings.outDir,
      bounds: settings.bounds,
      ...(settings.name === undefined ? {} : { name: settings.name }),
      ...(settings.strategy === undefined ? {} : { strategy: settings.strategy }),
    });
  } catch (error) {
    if (error instanceof LoadError) {
      io.err(`rspp paths: ${error.message}`);
      return error.usage ? EXIT.usage : EXIT.failure;
    }
    if (error instanceof PathBoundError) {
      io.err(`rspp paths: ${error.message}`);
      io.err(`bound: ${error.bound}=${error.limit} (raise it with --${kebabBound(error.bound)})`);
      return EXIT.failure;
    }
    io.err(
      `rspp paths: generation failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.failure;
  }
  const shown = relative(io.cwd, suite.file) || suite.file;
  io.out(summarize(suite.name, suite.report));
  warn(suite, io);
  if (settings.check) {
    const current = await readFile(suite.file, 'utf8').catch(() => undefined);
    if (current === suite.text) {
      io.out(`${shown} is up to date`);
      return EXIT.ok;
    }
    io.err(`${shown} is stale: run \`${settings.command}\``);
    return EXIT.failure;
  }
  await mkdir(dirname(suite.file), { recursive: true });
  await writeFile(suite.file, suite.text);
  io.out(`wrote ${shown}`);
  return EXIT.ok;
}

/** Prints what will make the generated suite fail. */
function warn(suite: SuiteFile, io: CliIo): void {
  const { report } = suite;
  if (report.missingTransitions.length > 0)
    io.err(
      `warning: transitions no path takes (the suite's coverage check will fail): ${report.missingTransitions.join(', ')}`,
    );
  if (report.missingStates.length > 0)
    io.err(`warning: states never entered: ${report.missingStates.join(', ')}`);
  const failing = report.paths.filter((p) => p.run.failures.length > 0);
  for (const p of failing) io.err(`warning: ${p.title} fails: ${p.run.failures[0]}`);
}

function kebabBound(bound: keyof PathBounds): string {
  return bound.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function readSettings(args: readonly string[], io: CliIo): Settings | string {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return parsed.message;
  const v = parsed.values;
  if (parsed.positionals.length > 0) return `unexpected argument ${parsed.positionals[0]}`;
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
  const rawStrategy = v.strategy;
  if (rawStrategy !== undefined && rawStrategy !== 'simple' && rawStrategy !== 'shortest')
    return `unknown strategy "${rawStrategy}" (valid: simple, shortest)`;
  const strategy: PathStrategy | undefined = rawStrategy;
  const outDir = resolve(io.cwd, v.out ?? 'test/paths');
  const common = { outDir, bounds, check: v.check === true, strategy };
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
      command: ['npx rspp paths --machine', entry.name, ...flags].join(' '),
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
  const command = ['npx rspp paths', ...args.filter((a) => a !== '--check')].join(' ');
  return { ...common, spec, name: undefined, command };
}
