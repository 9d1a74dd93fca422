/**
 * The worker-thread side of isolate.ts: loads the model, generates the suite and posts back only
 * strings. It reports which module it is importing, so the parent can name the one that hangs,
 * and tells the parent when the thread ends early (process.exit, or nothing left to run).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AnyStateMachine } from 'xstate';
import { summarize } from './generate.ts';
import type { IsolatedOutcome, IsolatedRequest, WorkerMessage, WorkerPhase } from './isolate.ts';
import { LoadError, importModule, loadModel } from './load.ts';
import { buildSuiteFile, type SuiteFile } from './suite.ts';
import { PathBoundError, type PathBounds } from './traverse.ts';

/**
 * Microsteps one event may take before XState throws: an eventless transition that never stops
 * loops inside a single `transition` call, where no other bound can interrupt it.
 */
const MAX_MICROSTEPS = 10_000;

const port = parentPort;
if (port === null) throw new Error('isolate-worker.ts runs only as a worker thread');
const post = (message: WorkerMessage): void => port.postMessage(message);

let phase: WorkerPhase = { kind: 'starting' };
let finished = false;
const enter = (next: WorkerPhase): void => {
  phase = next;
  post({ kind: 'phase', phase });
};

// An empty event loop with no result means a promise nothing can settle (top-level await).
process.on('beforeExit', () => {
  if (finished) return;
  finished = true;
  post({ kind: 'unsettled', phase });
});
// In a worker, process.exit ends only this thread; say so before it goes.
process.on('exit', (code) => {
  if (!finished) post({ kind: 'exit', code, phase });
});

const outcome = await generate(workerData as IsolatedRequest).catch(describeFailure);
finished = true;
post({ kind: 'done', outcome });

async function generate({ spec, options }: IsolatedRequest): Promise<IsolatedOutcome> {
  enter({ kind: 'importing', file: spec.module });
  await importModule(spec.module);
  enter({ kind: 'importing', file: spec.eventsModule });
  await importModule(spec.eventsModule, '--events-module');
  enter({ kind: 'generating' });
  const loaded = await loadModel(spec);
  limitMicrosteps(loaded.machine);
  const suite = await buildSuiteFile(loaded, options);
  return {
    ok: true,
    name: suite.name,
    file: suite.file,
    text: suite.text,
    summary: summarize(suite.name, suite.report),
    warnings: warnings(suite),
  };
}

/** Sets XState's loop guard unless the machine sets its own; this thread is its only user. */
function limitMicrosteps(machine: AnyStateMachine): void {
  const current = machine.options.maxIterations;
  if (current === undefined || !Number.isFinite(current))
    machine.options = { ...machine.options, maxIterations: MAX_MICROSTEPS };
}

/** What will make the generated suite fail. */
function warnings({ report }: SuiteFile): string[] {
  const out: string[] = [];
  if (report.missingTransitions.length > 0)
    out.push(
      `warning: transitions no path takes (the suite's coverage check will fail): ${report.missingTransitions.join(', ')}`,
    );
  if (report.missingStates.length > 0)
    out.push(`warning: states never entered: ${report.missingStates.join(', ')}`);
  for (const p of report.paths.filter((path) => path.run.failures.length > 0))
    out.push(`warning: ${p.title} fails: ${p.run.failures[0]}`);
  return out;
}

function describeFailure(error: unknown): IsolatedOutcome {
  if (error instanceof LoadError) return { ok: false, usage: error.usage, lines: [error.message] };
  if (error instanceof PathBoundError)
    return {
      ok: false,
      usage: false,
      lines: [
        error.message,
        `bound: ${error.bound}=${error.limit} (raise it with --${kebabBound(error.bound)})`,
      ],
    };
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, usage: false, lines: [`generation failed: ${message}`] };
}

function kebabBound(bound: keyof PathBounds): string {
  return bound.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
