/**
 * Public surface of actors/worker: the statecharts of a runtime worker (ADR 0025): one session
 * held under its KV lease (`sessionLeaseMachine`, with its effects supplied by
 * `provideSessionLease`), and the worker's admission and lifecycle (`workerMachine`).
 */
export {
  sessionLeaseMachine,
  type AcquireLeaseInput,
  type CloseSessionInput,
  type GrantInput,
} from './session-lease.machine.ts';
export type {
  LeaseLoss,
  LeaseLossReason,
  LeaseOutcome,
  SessionLeaseContext,
  SessionLeaseEmitted,
  SessionLeaseEvent,
  SessionLeaseInput,
  SessionLeaseOutput,
  SessionLeaseRefusal,
} from './session-lease.types.ts';
export {
  leaseStoreCalls,
  provideSessionLease,
  type LeaseStoreCalls,
  type SessionLeaseEffects,
  type SessionRuntimeCalls,
} from './session-lease.actor.ts';
export {
  workerMachine,
  type WorkerMachineContext,
  type WorkerMachineEmitted,
  type WorkerMachineEvent,
  type WorkerMachineInput,
  type WorkerRefusal,
} from './worker.machine.ts';
