import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { workerMachine, type WorkerMachineEmitted } from './worker.machine.ts';

function start(concurrency = 2) {
  const actor = createActor(workerMachine, { input: { concurrency } });
  const emitted: WorkerMachineEmitted[] = [];
  actor.on('*', (event) => void emitted.push(event));
  actor.start();
  let ticket = 0;
  const assign = (session_id: string) => {
    ticket += 1;
    actor.send({ type: 'assignment.received', ticket, session_id });
    return emitted.at(-1);
  };
  return { actor, emitted, assign };
}

describe('workerMachine', () => {
  it('admits sessions up to its concurrency, reserving each slot in the same step', () => {
    const { actor, assign } = start(2);
    expect(assign('s1')).toEqual({ type: 'assignment.admitted', ticket: 1, session_id: 's1' });
    expect(assign('s2')).toEqual({ type: 'assignment.admitted', ticket: 2, session_id: 's2' });
    expect(assign('s3')).toEqual({
      type: 'assignment.refused',
      ticket: 3,
      reason: 'at_capacity',
      message: 'at most 2 sessions',
    });
    expect(actor.getSnapshot().context.sessions).toEqual(['s1', 's2']);
  });

  it('refuses a session that already runs here', () => {
    const { assign } = start(4);
    assign('s1');
    expect(assign('s1')).toEqual({
      type: 'assignment.refused',
      ticket: 2,
      reason: 'duplicate_session',
      message: 'session s1 runs here',
    });
  });

  it('refuses a malformed request with its parse error', () => {
    const { actor, emitted } = start();
    actor.send({ type: 'assignment.malformed', ticket: 9, message: 'request: expected JSON' });
    expect(emitted).toEqual([
      {
        type: 'assignment.refused',
        ticket: 9,
        reason: 'invalid_request',
        message: 'request: expected JSON',
      },
    ]);
  });

  it('frees the slot of a released session', () => {
    const { actor, assign } = start(1);
    assign('s1');
    actor.send({ type: 'session.released', session_id: 's1' });
    expect(assign('s2')).toMatchObject({ type: 'assignment.admitted', session_id: 's2' });
    expect(actor.getSnapshot().context.sessions).toEqual(['s2']);
  });

  it('refuses every assignment while draining, still releases sessions, and closes once drained', () => {
    const { actor, emitted, assign } = start(2);
    assign('s1');
    expect(actor.getSnapshot().hasTag('accepting')).toBe(true);
    actor.send({ type: 'worker.drain' });
    expect(actor.getSnapshot().hasTag('accepting')).toBe(false);
    expect(assign('s2')).toEqual({
      type: 'assignment.refused',
      ticket: 2,
      reason: 'draining',
      message: 'worker is draining',
    });
    actor.send({ type: 'assignment.malformed', ticket: 3, message: 'request: expected JSON' });
    expect(emitted.at(-1)).toMatchObject({ ticket: 3, reason: 'draining' });
    actor.send({ type: 'session.released', session_id: 's1' });
    expect(actor.getSnapshot().context.sessions).toEqual([]);
    actor.send({ type: 'worker.drained' });
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('refuses every assignment while reconnecting, keeps its sessions, and serves again after', () => {
    const { actor, emitted, assign } = start(2);
    assign('s1');
    actor.send({ type: 'worker.disconnected' });
    expect(actor.getSnapshot().value).toBe('reconnecting');
    expect(actor.getSnapshot().hasTag('serving')).toBe(true);
    expect(assign('s2')).toEqual({
      type: 'assignment.refused',
      ticket: 2,
      reason: 'reconnecting',
      message: 'worker is reconnecting to NATS',
    });
    actor.send({ type: 'assignment.malformed', ticket: 3, message: 'request: expected JSON' });
    expect(emitted.at(-1)).toMatchObject({ ticket: 3, reason: 'reconnecting' });
    expect(actor.getSnapshot().context.sessions).toEqual(['s1']);
    actor.send({ type: 'worker.reconnected' });
    expect(assign('s2')).toMatchObject({ type: 'assignment.admitted', session_id: 's2' });
  });

  it('drains from reconnecting', () => {
    const { actor } = start(1);
    actor.send({ type: 'worker.disconnected' });
    actor.send({ type: 'worker.drain' });
    expect(actor.getSnapshot().value).toBe('draining');
    expect(actor.getSnapshot().hasTag('serving')).toBe(false);
  });
});
