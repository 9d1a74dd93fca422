/**
 * Path-generation inputs of `workerMachine` (tools/paths/README.md): a worker of concurrency 2
 * and concrete assignment, release and drain events. Admission order is kept in context, so the
 * default vertex identity (value + context) stays small: at most two of three session ids.
 */
import type { WorkerMachineEvent, WorkerMachineInput } from './worker.machine.ts';

/** The worker of the path suites. */
export const workerPathInput: WorkerMachineInput = { concurrency: 2 };

/** Concrete events reaching every state and transition of `workerMachine`. */
export const workerPathEvents: readonly WorkerMachineEvent[] = [
  { type: 'assignment.received', ticket: 1, session_id: 's1' },
  { type: 'assignment.received', ticket: 2, session_id: 's2' },
  { type: 'assignment.received', ticket: 3, session_id: 's3' },
  { type: 'assignment.malformed', ticket: 4, message: 'request: expected JSON' },
  { type: 'session.released', session_id: 's1' },
  { type: 'worker.disconnected' },
  { type: 'worker.reconnected' },
  { type: 'worker.drain' },
  { type: 'worker.drained' },
];
