/**
 * Produces the generated suite file for a loaded model and an output directory: file name,
 * formatted source (imports relative to that directory) and the coverage report. Shared by
 * `rspp paths` and the staleness test so both produce byte-identical files.
 */
import { relative, resolve, sep } from 'node:path';
import { generatePaths, type PathReport, type PathStrategy } from './generate.ts';
import {
  REPO_ROOT,
  baseName,
  loadModel,
  registeredSpec,
  type LoadedModel,
  type RegisteredMachine,
} from './load.ts';
import { formatSuite, renderSuite } from './render.ts';
import type { PathBounds } from './traverse.ts';

/** A generated suite file, not yet written. */
export type SuiteFile = {
  /** Short machine name (`turn`). */
  readonly name: string;
  /** Absolute path the suite belongs at. */
  readonly file: string;
  readonly text: string;
  readonly report: PathReport;
};

/** Options of {@link buildSuiteFile}. */
export type SuiteOptions = {
  /** Short name used in the file name and titles (`turn`); defaults to the export's base name. */
  readonly name?: string;
  /** The command quoted in the header. */
  readonly command: string;
  /** Absolute output directory. */
  readonly outDir: string;
  readonly bounds?: Partial<PathBounds>;
  readonly strategy?: PathStrategy;
};

/** Kebab-case of a camelCase name (`myTurn` -> `my-turn`). */
export function kebab(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The suite file name for a machine name: `<name>.paths.generated.test.ts`. */
export function suiteFileName(name: string): string {
  return `${kebab(name)}.paths.generated.test.ts`;
}

/** An ESM import specifier for `target` as seen from files in `fromDir`. */
export function importPath(fromDir: string, target: string): string {
  const rel = relative(fromDir, target).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Generates, renders and formats the suite for `loaded`. Throws `PathBoundError` on explosion. */
export async function buildSuiteFile(
  loaded: LoadedModel,
  options: SuiteOptions,
): Promise<SuiteFile> {
  const name = options.name ?? baseName(loaded.spec.exportName);
  const report = generatePaths({
    ...loaded.model,
    ...(options.bounds === undefined ? {} : { bounds: options.bounds }),
    ...(options.strategy === undefined ? {} : { strategy: options.strategy }),
  });
  const from = (file: string): string => importPath(options.outDir, file);
  const text = renderSuite(
    {
      name,
      command: options.command,
      machine: { from: from(loaded.spec.module), name: loaded.spec.exportName },
      ...(loaded.input === undefined
        ? {}
        : { input: { ...loaded.input, from: from(loaded.spec.eventsModule) } }),
      runtime: from(resolve(REPO_ROOT, 'tools/paths/runtime.ts')),
      transitions: from(resolve(REPO_ROOT, 'tools/paths/transitions.ts')),
    },
    report,
  );
  return {
    name,
    file: resolve(options.outDir, suiteFileName(name)),
    text: await formatSuite(text),
    report,
  };
}

/** Default output directory of the committed suites of RSPP's machines. */
export const COMMITTED_SUITES_DIR = resolve(REPO_ROOT, 'test/paths');

/**
 * Builds the suite of one of RSPP's machines exactly as `npx rspp paths --machine NAME` does
 * without extra flags (the staleness test compares committed files with this).
 */
export async function buildRegisteredSuite(
  entry: RegisteredMachine,
  outDir: string = COMMITTED_SUITES_DIR,
): Promise<SuiteFile> {
  return buildSuiteFile(await loadModel(registeredSpec(entry)), {
    name: entry.name,
    command: `npx rspp paths --machine ${entry.name}`,
    outDir,
    strategy: entry.strategy,
  });
}
