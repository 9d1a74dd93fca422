/**
 * Follows the v3 client's status stream and turns it into the bus connection state and
 * `connection` diagnostics (named like the RK-23 signals), reporting each state change once.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  BusError,
  type BusConnectionReason,
  type BusConnectionState,
  type DiagnosticsHub,
} from '../core/index.ts';

/** Connection state of one NATS bus, with waiters for the next `connected`. */
export class ConnectionTracker {
  private current: BusConnectionState = 'connected';
  private closed = false;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private readonly diagnostics: DiagnosticsHub;

  /** Starts following `nc.status()`; the connection is up when this is constructed. */
  constructor(nc: NatsConnection, diagnostics: DiagnosticsHub) {
    this.diagnostics = diagnostics;
    const server = nc.getServer();
    diagnostics.emit({
      kind: 'connection',
      severity: 'info',
      state: 'connected',
      reason: 'connected',
      server,
    });
    this.follow(nc).catch((error: unknown) => {
      diagnostics.emit({
        kind: 'transport_error',
        severity: 'error',
        reason: `status stream failed: ${String(error)}`,
      });
    });
  }

  /** Current state. */
  state(): BusConnectionState {
    return this.current;
  }

  /** Resolves now if connected, else at the next reconnect; rejects once the bus is closed. */
  whenConnected(): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    if (this.current === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Records that the bus closed the connection on purpose; waiters are rejected. */
  markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.transition('disconnected', 'closed', 'info');
    for (const waiter of this.waiters.splice(0)) waiter.reject(closedError());
  }

  private async follow(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (this.closed) return;
      switch (status.type) {
        case 'disconnect':
          this.transition('disconnected', 'connection_lost', 'warning', status.server);
          break;
        case 'staleConnection':
          this.transition('disconnected', 'stale_connection', 'warning');
          break;
        case 'reconnecting':
          this.transition('reconnecting', 'reconnect_attempt', 'warning');
          break;
        case 'reconnect':
          this.transition('connected', 'reconnected', 'info', status.server);
          for (const waiter of this.waiters.splice(0)) waiter.resolve();
          break;
        case 'error':
          this.diagnostics.emit({
            kind: 'transport_error',
            severity: 'error',
            reason: status.error.message,
          });
          break;
        case 'close':
          this.markClosed();
          return;
        case 'update':
        case 'ldm':
        case 'ping':
        case 'forceReconnect':
        case 'slowConsumer':
          // Not connection-state changes; slow consumers cannot occur with callback subscriptions.
          break;
      }
    }
  }

  private transition(
    state: BusConnectionState,
    reason: BusConnectionReason,
    severity: 'info' | 'warning',
    server?: string,
  ): void {
    // The client reports every reconnect attempt; the runtime needs only the change of state.
    if (state === this.current && reason !== 'closed') return;
    this.current = state;
    this.diagnostics.emit({
      kind: 'connection',
      severity,
      state,
      reason,
      ...(server === undefined ? {} : { server }),
    });
  }
}

function closedError(): BusError {
  return new BusError('closed', 'the NATS bus is closed', { provider: 'nats' });
}
