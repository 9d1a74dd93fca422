/**
 * Public surface of tools/worker: the `rspp worker` process core (wiring around the worker
 * statecharts of actors/worker), its protocol, and the session driver that plays a transport
 * gateway against a worker group.
 */
export { startWorker, type Worker, type WorkerOptions } from './worker.ts';
export { DEFAULT_RECONNECT_FOR_MS } from './reconnect-watch.ts';
export {
  ingressOf,
  parseAssignmentRequest,
  type AssignedSessionOptions,
  type AssignmentReply,
  type AssignmentRequest,
  type EndReply,
  type EndRequest,
  type IngressPayload,
  type RefusalReason,
} from './protocol.ts';
export { createRealClock, type RealClock } from './real-clock.ts';
export {
  buildClockedSimRuntime,
  clockedSimProviders,
  type ClockedSimRuntimeOptions,
} from './sim-runtime.ts';
export { DEFAULT_ASSIGN_RETRY_MS } from './assign-retry.ts';
export {
  assignSession,
  driveSession,
  type AssignOptions,
  type DriverLink,
  type DriveOptions,
  type DriveResult,
  type DrivenSession,
} from './driver.ts';
