import { describe, expect, it } from 'vitest';
import {
  busConnectionListener,
  createReconnectWatch,
  type ReconnectWatch,
  type WatchTimers,
} from './reconnect-watch.ts';

/** Timers that fire only when the test says so. */
function manualTimers() {
  const pending = new Map<number, () => void>();
  let next = 0;
  const timers: WatchTimers = {
    setTimeout: (run) => {
      next += 1;
      pending.set(next, run);
      return next;
    },
    clearTimeout: (handle) => void pending.delete(handle as number),
  };
  const fireAll = () => {
    for (const [handle, run] of [...pending]) {
      pending.delete(handle);
      run();
    }
  };
  return { timers, fireAll, pending: () => pending.size };
}

function watched() {
  const manual = manualTimers();
  const calls: string[] = [];
  const watch: ReconnectWatch = createReconnectWatch({
    reconnectForMs: 2000,
    onDown: (link) => calls.push(`down:${link}`),
    onUp: () => calls.push('up'),
    onGiveUp: (reason) => calls.push(`gave up: ${reason}`),
    timers: manual.timers,
  });
  return { watch, calls, ...manual };
}

describe('reconnect watch (issue 10 item 3)', () => {
  it('reports the first loss and the full recovery once, and clears the budget', () => {
    const { watch, calls, pending } = watched();
    expect(watch.reconnecting()).toBe(false);
    watch.down('assignments');
    watch.down('bus');
    watch.down('bus');
    expect(watch.reconnecting()).toBe(true);
    watch.up('assignments');
    expect(watch.reconnecting()).toBe(true);
    watch.up('bus');
    expect(watch.reconnecting()).toBe(false);
    expect(calls).toEqual(['down:assignments', 'up']);
    expect(pending()).toBe(0);
  });

  it('gives up once when a connection stays down for the whole budget', () => {
    const { watch, calls, fireAll } = watched();
    watch.down('bus');
    fireAll();
    watch.up('bus');
    watch.closed('assignments', 'x');
    expect(calls).toEqual(['down:bus', 'gave up: not reconnected within 2000 ms']);
    expect(watch.reconnecting()).toBe(false);
  });

  it('gives up at once when a connection closes by itself', () => {
    const { watch, calls, pending } = watched();
    watch.down('assignments');
    watch.closed('assignments', 'authorization violation');
    expect(calls).toEqual([
      'down:assignments',
      'gave up: assignments connection closed: authorization violation',
    ]);
    expect(pending()).toBe(0);
  });

  it('ignores closes the worker makes itself, but keeps the budget running', () => {
    const { watch, calls, fireAll } = watched();
    watch.expectClose();
    watch.closed('bus', 'closed');
    watch.down('assignments');
    fireAll();
    expect(calls).toEqual(['down:assignments', 'gave up: not reconnected within 2000 ms']);
  });

  it('does nothing after stop', () => {
    const { watch, calls, pending } = watched();
    watch.down('bus');
    watch.stop();
    watch.closed('bus', 'closed');
    watch.up('bus');
    expect(calls).toEqual(['down:bus']);
    expect(pending()).toBe(0);
  });

  it('maps the bus connection diagnostics', () => {
    const { watch, calls } = watched();
    const listen = busConnectionListener(watch);
    listen({
      kind: 'connection',
      severity: 'warning',
      state: 'disconnected',
      reason: 'connection_lost',
    });
    listen({
      kind: 'connection',
      severity: 'warning',
      state: 'reconnecting',
      reason: 'reconnect_attempt',
    });
    listen({ kind: 'connection', severity: 'info', state: 'connected', reason: 'reconnected' });
    listen({ kind: 'connection', severity: 'info', state: 'disconnected', reason: 'closed' });
    expect(calls).toEqual(['down:bus', 'up', 'gave up: bus connection closed: closed']);
  });
});
