/**
 * Loads a statechart and its path-generation inputs (concrete events, machine input, optional
 * snapshot serializer) from TypeScript/JavaScript modules, with errors that say exactly what is
 * missing. Also holds the registry of RSPP's own machines.
 */
import { existsSync, statSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyStateMachine, EventObject } from 'xstate';
import type { PathModel, PathStrategy } from './generate.ts';
import type { EventFilter, EventSource, SnapshotSerializer } from './traverse.ts';

/** Root of the RSPP checkout this file belongs to. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A named export; `required: false` means "use it if present". */
export type OptionalExport = { readonly name: string; readonly required: boolean };

/** Where a machine and its path inputs live. Paths are absolute. */
export type ModelSpec = {
  readonly module: string;
  readonly exportName: string;
  readonly eventsModule: string;
  readonly eventsExport: string;
  /** One machine input. */
  readonly inputExport: OptionalExport;
  /** Several machine inputs (an array); used unless the single input was named explicitly. */
  readonly inputsExport: OptionalExport;
  readonly serializerExport: OptionalExport;
  readonly filterExport: OptionalExport;
};

/** A loaded model plus where its parts came from (for the suite's imports). */
export type LoadedModel = {
  readonly model: PathModel;
  readonly machine: AnyStateMachine;
  readonly spec: ModelSpec;
  /** The input export actually used, if any, and whether it holds several inputs. */
  readonly input?: { readonly name: string; readonly multiple: boolean };
};

/** A load failure; `usage` is true when the arguments point at nothing (exit code 2). */
export class LoadError extends Error {
  /** Creates the error. */
  readonly usage: boolean;
  constructor(message: string, usage: boolean) {
    super(message);
    this.usage = usage;
    this.name = 'LoadError';
  }
}

/** One of RSPP's own machines, by short name. */
export type RegisteredMachine = {
  readonly name: string;
  /** Paths relative to the repository root. */
  readonly module: string;
  readonly exportName: string;
  readonly eventsModule: string;
  /** Path families of its committed suite. */
  readonly strategy: PathStrategy;
};

/**
 * RSPP's machines (`rspp paths --machine NAME`), following the `<name>.path-events.ts`
 * convention: the four lifecycle machines in machines/, the worker's two in actors/worker/. The
 * invocation and session-lease machines use shortest paths: their retry/renew loops give
 * hundreds of simple paths that take no transition the shortest and transition-cover paths miss.
 */
export const RSPP_MACHINES: readonly RegisteredMachine[] = [
  ...(
    [
      ['turn', 'simple'],
      ['session', 'simple'],
      ['node', 'simple'],
      ['invocation', 'shortest'],
    ] as const
  ).map(([name, strategy]) => registered('machines', name, `${name}Machine`, strategy)),
  registered('actors/worker', 'session-lease', 'sessionLeaseMachine', 'shortest'),
  registered('actors/worker', 'worker', 'workerMachine', 'simple'),
];

function registered(
  folder: string,
  name: string,
  exportName: string,
  strategy: PathStrategy,
): RegisteredMachine {
  return {
    name,
    module: `${folder}/${name}.machine.ts`,
    exportName,
    eventsModule: `${folder}/${name}.path-events.ts`,
    strategy,
  };
}

/** The base name of a machine export: `turnMachine` -> `turn`. */
export function baseName(exportName: string): string {
  const base = exportName.replace(/Machine$/, '');
  return base === '' ? exportName : base;
}

/** Export names a user may override; each defaults to `<base>PathEvents`, `<base>PathInput`... */
export type SpecOverrides = {
  readonly eventsModule?: string;
  readonly events?: string;
  readonly input?: string;
  readonly inputs?: string;
  readonly serializer?: string;
  readonly filter?: string;
};

/**
 * The default spec for a machine export: events `<base>PathEvents`, input `<base>PathInput` or
 * inputs `<base>PathInputs`, serializer `<base>SerializeState`, filter `<base>PathFilterEvents`.
 */
export function defaultSpec(
  module: string,
  exportName: string,
  overrides: SpecOverrides = {},
): ModelSpec {
  const base = baseName(exportName);
  const named = (given: string | undefined, fallback: string): OptionalExport => ({
    name: given ?? fallback,
    required: given !== undefined,
  });
  return {
    module,
    exportName,
    eventsModule: overrides.eventsModule ?? module,
    eventsExport: overrides.events ?? `${base}PathEvents`,
    inputExport: named(overrides.input, `${base}PathInput`),
    inputsExport: named(overrides.inputs, `${base}PathInputs`),
    serializerExport: named(overrides.serializer, `${base}SerializeState`),
    filterExport: named(overrides.filter, `${base}PathFilterEvents`),
  };
}

/** The spec of a registered RSPP machine. */
export function registeredSpec(entry: RegisteredMachine): ModelSpec {
  return defaultSpec(resolve(REPO_ROOT, entry.module), entry.exportName, {
    eventsModule: resolve(REPO_ROOT, entry.eventsModule),
  });
}

/**
 * Imports a module by absolute path, mapping failures to {@link LoadError}. Only regular files
 * are imported: reading a FIFO blocks until something writes to it, which may be never.
 */
export async function importModule(
  file: string,
  flag: '--module' | '--events-module' = '--module',
): Promise<Record<string, unknown>> {
  if (!existsSync(file)) throw new LoadError(`module not found: ${file}`, true);
  const kind = fileKind(statSync(file));
  if (kind !== 'a regular file')
    throw new LoadError(`${flag} ${file}: expected a regular file, received ${kind}`, true);
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new LoadError(
      `cannot import ${file}: ${error instanceof Error ? error.message : String(error)}`,
      false,
    );
  }
}

function fileKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** True when `value` looks like an XState v5 machine. */
export function isMachine(value: unknown): value is AnyStateMachine {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['transition'] === 'function' &&
    typeof v['getInitialSnapshot'] === 'function' &&
    'root' in v
  );
}

/** Loads the machine named by `spec.exportName` from `spec.module`. */
export async function loadMachine(module: string, exportName: string): Promise<AnyStateMachine> {
  const mod = await importModule(module);
  const value = mod[exportName];
  if (value === undefined)
    throw new LoadError(
      `${module} does not export ${exportName} (exports: ${Object.keys(mod).sort().join(', ') || 'none'})`,
      false,
    );
  if (!isMachine(value))
    throw new LoadError(`${exportName} in ${module} is not an XState machine`, false);
  return value;
}

function checkEvents(value: unknown, where: string): EventSource {
  if (typeof value === 'function') return value as EventSource;
  if (!Array.isArray(value))
    throw new LoadError(
      `${where} must be an array of event objects (or a function of the snapshot returning one)`,
      false,
    );
  value.forEach((e: unknown, i) => {
    if (typeof e !== 'object' || e === null || typeof (e as { type?: unknown }).type !== 'string')
      throw new LoadError(`${where}[${i}] is not an event object with a string type`, false);
  });
  return value as readonly EventObject[];
}

/** Loads machine, events, input and serializer as described by `spec`. */
export async function loadModel(spec: ModelSpec): Promise<LoadedModel> {
  const machine = await loadMachine(spec.module, spec.exportName);
  const mod = await importModule(spec.eventsModule, '--events-module');
  const eventsValue = mod[spec.eventsExport];
  if (eventsValue === undefined)
    throw new LoadError(
      `${spec.eventsModule} does not export ${spec.eventsExport}: export the concrete events for path generation (an array of event objects with payloads, see tools/paths/README.md)`,
      false,
    );
  const events = checkEvents(eventsValue, `${spec.eventsExport} in ${spec.eventsModule}`);
  const found = (e: OptionalExport): unknown => {
    const value = mod[e.name];
    if (value === undefined && e.required)
      throw new LoadError(`${spec.eventsModule} does not export ${e.name}`, false);
    return value;
  };
  const fn = (e: OptionalExport, what: string): unknown => {
    const value = found(e);
    if (value !== undefined && typeof value !== 'function')
      throw new LoadError(`${e.name} in ${spec.eventsModule} must be ${what}`, false);
    return value;
  };
  const serializer = fn(spec.serializerExport, 'a function (snapshot) => string');
  const filter = fn(spec.filterExport, 'a function (snapshot, event) => boolean');
  const input = found(spec.inputExport);
  const inputs = spec.inputExport.required ? undefined : found(spec.inputsExport);
  if (inputs !== undefined && (!Array.isArray(inputs) || inputs.length === 0))
    throw new LoadError(
      `${spec.inputsExport.name} in ${spec.eventsModule} must be a non-empty array of inputs`,
      false,
    );
  const model: PathModel = {
    machine,
    events,
    ...(inputs !== undefined
      ? { inputs: inputs as unknown[] }
      : input === undefined
        ? {}
        : { input }),
    ...(serializer === undefined ? {} : { serializeState: serializer as SnapshotSerializer }),
    ...(filter === undefined ? {} : { filterEvents: filter as EventFilter }),
  };
  if (inputs !== undefined)
    return { model, machine, spec, input: { name: spec.inputsExport.name, multiple: true } };
  if (input !== undefined)
    return { model, machine, spec, input: { name: spec.inputExport.name, multiple: false } };
  return { model, machine, spec };
}
