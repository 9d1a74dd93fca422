/**
 * Public surface of actors/worker: the statecharts of a runtime worker (ADR 0025): one session
 * held under its KV lease (`createSessionLeaseActor` supplies the session-lease machine's effects),
 * and the worker's admission and lifecycle (`workerMachine`).
 */
export type { SessionLeaseOutput } from './session-lease.types.ts';
export { createSessionLeaseActor, leaseStoreCalls } from './session-lease.actor.ts';
export { workerMachine } from './worker.machine.ts';
export { findOrphanTurns, recoverySignals, type OrphanTurn } from './orphan-turns.ts';
