/**
 * Runs suite generation in a worker thread, because the module being loaded is untrusted code: a
 * top-level await that never settles left the CLI to exit 13, a `process.exit` in it ended the
 * CLI with a false success, and a statechart that loops without an event blocked it forever. In
 * a worker each of these ends with a message naming the module, and a time bound always holds.
 */
import { Worker } from 'node:worker_threads';
import type { ModelSpec } from './load.ts';
import type { SuiteOptions } from './suite.ts';

/** What to generate: the worker loads `spec` and builds the suite with `options`. */
export type IsolatedRequest = { readonly spec: ModelSpec; readonly options: SuiteOptions };

/**
 * A generated suite, with the lines to print, or the failure; `usage` is true when the arguments
 * point at nothing usable (exit code 2). Only strings cross the thread boundary.
 */
export type IsolatedOutcome =
  | {
      readonly ok: true;
      readonly name: string;
      readonly file: string;
      readonly text: string;
      readonly summary: string;
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly usage: boolean; readonly lines: readonly string[] };

/** What the worker was doing, so a failure can say where it happened. */
export type WorkerPhase =
  | { readonly kind: 'starting' }
  | { readonly kind: 'importing'; readonly file: string }
  | { readonly kind: 'generating' };

/** Messages from isolate-worker.ts. */
export type WorkerMessage =
  | { readonly kind: 'phase'; readonly phase: WorkerPhase }
  | { readonly kind: 'done'; readonly outcome: IsolatedOutcome }
  | { readonly kind: 'unsettled'; readonly phase: WorkerPhase }
  | { readonly kind: 'exit'; readonly code: number; readonly phase: WorkerPhase };

/** Default bound on one generation; RSPP's largest machine takes a few seconds. */
export const DEFAULT_TIMEOUT_MS = 120_000;

const ENTRY = new URL('./isolate-worker.ts', import.meta.url).href;

// The worker starts without the parent's TypeScript loader: register tsx there first, for
// import and for require (a .ts file outside a `"type": "module"` package loads as CommonJS).
// Resolved here, against this file, so it works from any working directory.
const BOOT = `Promise.all([
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}),
    import(${JSON.stringify(import.meta.resolve('tsx/cjs/api'))}),
  ])
  .then(([esm, cjs]) => { esm.register(); cjs.register(); return import(${JSON.stringify(ENTRY)}); });`;

const failure = (...lines: string[]): IsolatedOutcome => ({ ok: false, usage: false, lines });

/** Generates a suite in a worker thread, giving up (and stopping the thread) after `timeoutMs`. */
export function generateIsolated(
  request: IsolatedRequest,
  timeoutMs: number = DEFAULT_TIMEOUT_MS,
): Promise<IsolatedOutcome> {
  return new Promise((resolve) => {
    let phase: WorkerPhase = { kind: 'starting' };
    let settled = false;
    let worker: Worker | undefined;
    const finish = (outcome: IsolatedOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker?.terminate();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      finish(
        failure(
          `generation did not finish within --timeout-ms ${timeoutMs} (${describePhase(phase)}); a module that never finishes loading or a machine that never settles is stopped here, raise the bound if it is only slow`,
        ),
      );
    }, timeoutMs);
    try {
      worker = new Worker(BOOT, { eval: true, workerData: request });
    } catch (error) {
      finish(failure(`cannot start the generator thread: ${messageOf(error)}`));
      return;
    }
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'phase') phase = message.phase;
      else if (message.kind === 'done') finish(message.outcome);
      else if (message.kind === 'unsettled') finish(failure(unsettled(message.phase)));
      else finish(failure(exited(message.code, message.phase)));
    });
    worker.on('error', (error) => finish(failure(`generation failed: ${messageOf(error)}`)));
    // Reached only when the thread ends without a word, e.g. killed by the system.
    worker.on('exit', (code) => finish(failure(exited(code, phase))));
  });
}

function describePhase(phase: WorkerPhase): string {
  if (phase.kind === 'importing') return `still importing ${phase.file}`;
  if (phase.kind === 'generating') return 'still generating paths';
  return 'still starting';
}

function unsettled(phase: WorkerPhase): string {
  if (phase.kind === 'importing')
    return `cannot import ${phase.file}: its top-level await never settles (it waits on a promise nothing is left to resolve)`;
  return `generation stopped with work pending but nothing left to run it (${describePhase(phase)}): a promise that never settles`;
}

function exited(code: number, phase: WorkerPhase): string {
  if (phase.kind === 'importing')
    return `cannot import ${phase.file}: it called process.exit(${code}) while being imported`;
  return `generation stopped: the machine or its path inputs called process.exit(${code}) (${describePhase(phase)})`;
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);
