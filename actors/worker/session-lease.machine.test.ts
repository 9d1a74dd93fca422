import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type EventObject } from 'xstate';
import type { LeaseGrant } from '../../contracts/internal.ts';
import { createManualClock } from '../edges/index.ts';
import {
  sessionLeaseMachine,
  type AcquireLeaseInput,
  type CloseSessionInput,
  type GrantInput,
} from './session-lease.machine.ts';
import type { SessionLeaseEmitted, SessionLeaseEvent } from './session-lease.types.ts';

const TTL = 900;
const EVERY = TTL / 3;

const grant = (revision: number, epoch = 7): LeaseGrant => ({
  tenant_id: 't',
  session_id: 's',
  holder: 'w1',
  epoch,
  revision,
});

/** One call of a fake actor: its input, a way to answer it, and whether it was stopped. */
type Call<TInput> = {
  readonly input: TInput;
  readonly reply: (event: SessionLeaseEvent) => void;
  stopped: boolean;
};

function fake<TInput>(calls: Call<TInput>[]) {
  return fromCallback<EventObject, TInput>(({ input, sendBack }) => {
    const call: Call<TInput> = { input, reply: sendBack, stopped: false };
    calls.push(call);
    return () => {
      call.stopped = true;
    };
  });
}

/** The machine on a manual clock with fake lease-store and runtime actors. */
function start() {
  const clock = createManualClock();
  const calls = {
    acquire: [] as Call<AcquireLeaseInput>[],
    renew: [] as Call<GrantInput>[],
    release: [] as Call<GrantInput>[],
    open: [] as Call<GrantInput>[],
    close: [] as Call<CloseSessionInput>[],
  };
  let revoked = 0;
  const machine = sessionLeaseMachine.provide({
    actors: {
      acquireLease: fake(calls.acquire),
      renewLease: fake(calls.renew),
      releaseLease: fake(calls.release),
      openSession: fake(calls.open),
      closeSession: fake(calls.close),
    },
    actions: { revokeAuthority: () => void (revoked += 1) },
  });
  const actor = createActor(machine, {
    input: { tenant_id: 't', session_id: 's', holder: 'w1', ttl_ms: TTL },
    clock,
  });
  const emitted: SessionLeaseEmitted[] = [];
  actor.on('*', (event) => void emitted.push(event));
  actor.start();
  const last = <T>(list: readonly T[]): T => {
    const item = list.at(-1);
    if (item === undefined) throw new Error('no call yet');
    return item;
  };
  /** Acquires (revision 7), opens the session, and returns once it is accepted. */
  const hold = () => {
    last(calls.acquire).reply({ type: 'lease.acquired', grant: grant(7) });
    last(calls.open).reply({ type: 'session.opened' });
  };
  /** Advances to the next renew and answers it with the next revision. */
  const renewOnce = () => {
    clock.advance(EVERY);
    const call = last(calls.renew);
    call.reply({ type: 'lease.renewed', grant: grant(call.input.grant.revision + 1) });
  };
  return {
    actor,
    clock,
    calls,
    emitted,
    hold,
    renewOnce,
    last,
    revoked: () => revoked,
    output: () => actor.getSnapshot().output,
  };
}

describe('sessionLeaseMachine', () => {
  it.each([
    ['lease_held', 'held by w2 (epoch 3)'],
    ['lease_unavailable', 'store unreachable'],
    ['invalid_request', 'session_id: expected a subject token'],
  ] as const)('answers a %s refusal of the acquire with that refusal', (reason, message) => {
    const { actor, calls, last, clock, output } = start();
    expect(last(calls.acquire).input).toEqual({ tenant_id: 't', session_id: 's', holder: 'w1' });
    last(calls.acquire).reply({ type: 'lease.refused', reason, message });
    expect(actor.getSnapshot().status).toBe('done');
    expect(output()).toEqual({ status: 'refused', reason, message, lease: 'none' });
    expect(calls.open).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('refuses with lease_unavailable when the acquire is not answered within the TTL', () => {
    const { actor, calls, clock, output } = start();
    clock.advance(TTL - 1);
    expect(actor.getSnapshot().status).toBe('active');
    clock.advance(1);
    expect(output()).toMatchObject({ status: 'refused', reason: 'lease_unavailable' });
    expect(calls.acquire[0]?.stopped).toBe(true);
    expect(calls.open).toEqual([]);
  });

  it('opens the session with the acquired grant and accepts it with the lease epoch', () => {
    const { actor, calls, emitted, last } = start();
    last(calls.acquire).reply({ type: 'lease.acquired', grant: grant(7) });
    expect(last(calls.open).input).toEqual({ grant: grant(7) });
    expect(emitted).toEqual([]);
    last(calls.open).reply({ type: 'session.opened' });
    expect(emitted).toEqual([{ type: 'session.accepted', epoch: 7 }]);
    expect(actor.getSnapshot().hasTag('ingress')).toBe(true);
  });

  it('renews every third of the TTL with the latest grant, keeping the lease for as long as it runs', () => {
    const { actor, calls, emitted, hold, renewOnce, revoked } = start();
    hold();
    for (let i = 0; i < 12; i++) renewOnce();
    expect(calls.renew.map((c) => c.input.grant.revision)).toEqual([
      7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
    ]);
    expect(actor.getSnapshot().context.grant).toEqual(grant(19));
    expect(actor.getSnapshot().hasTag('ingress')).toBe(true);
    expect(emitted.map((e) => e.type)).toEqual(['session.accepted']);
    expect(revoked()).toBe(0);
  });

  it('keeps one renew in flight: a renew that hangs is not repeated', () => {
    const { calls, clock, hold } = start();
    hold();
    clock.advance(EVERY);
    expect(calls.renew).toHaveLength(1);
    clock.advance(TTL - EVERY - 1);
    expect(calls.renew).toHaveLength(1);
  });

  it('loses the lease when the store refuses a renew: revokes authority once, closes the session, releases nothing', () => {
    const { actor, calls, clock, emitted, hold, renewOnce, last, revoked, output } = start();
    hold();
    renewOnce();
    clock.advance(EVERY);
    last(calls.renew).reply({ type: 'lease.renew_refused', message: 'lease of w1 is stale' });
    expect(emitted.at(-1)).toEqual({
      type: 'lease.lost',
      reason: 'lease_stale_epoch',
      epoch: 7,
      message: 'lease of w1 is stale',
    });
    expect(revoked()).toBe(1);
    expect(actor.getSnapshot().hasTag('ingress')).toBe(false);
    expect(calls.close).toHaveLength(1);
    actor.send({ type: 'session.end' });
    expect(calls.close).toHaveLength(1);
    clock.advance(TTL * 3);
    expect(calls.renew).toHaveLength(2);
    last(calls.close).reply({ type: 'session.closed' });
    expect(output()).toEqual({ status: 'ended', lease: 'lost' });
    expect(calls.release).toEqual([]);
    expect(revoked()).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('loses the lease at the deadline when renews hang: acquire sent + TTL', () => {
    const { actor, clock, emitted, hold, revoked } = start();
    hold();
    clock.advance(TTL - 1);
    expect(revoked()).toBe(0);
    clock.advance(1);
    expect(revoked()).toBe(1);
    expect(emitted.at(-1)).toEqual({
      type: 'lease.lost',
      reason: 'lease_deauthorized',
      epoch: 7,
      message: `lease of w1 (epoch 7) not renewed within ${String(TTL)} ms`,
    });
    expect(actor.getSnapshot().hasTag('ingress')).toBe(false);
  });

  it('moves the deadline to the send time of the latest successful renew, not its answer', () => {
    const { calls, clock, hold, last, revoked } = start();
    hold();
    clock.advance(EVERY); // t = 300: renew sent
    clock.advance(100); // t = 400: answered; the deadline is now 300 + TTL = 1200
    last(calls.renew).reply({ type: 'lease.renewed', grant: grant(8) });
    clock.advance(EVERY); // t = 700: the next renew hangs
    expect(calls.renew).toHaveLength(2);
    clock.advance(1200 - 700 - 1);
    expect(revoked()).toBe(0);
    clock.advance(1);
    expect(revoked()).toBe(1);
  });

  it('retries a failed renew sooner, reports it, and still gives up at the deadline', () => {
    const { calls, clock, emitted, hold, last, revoked } = start();
    hold();
    clock.advance(EVERY);
    last(calls.renew).reply({ type: 'lease.renew_failed', message: 'store unreachable' });
    expect(emitted.at(-1)).toEqual({ type: 'lease.renew_failed', message: 'store unreachable' });
    clock.advance(EVERY / 3);
    expect(calls.renew).toHaveLength(2);
    expect(last(calls.renew).input.grant).toEqual(grant(7));
    last(calls.renew).reply({ type: 'lease.renew_failed', message: 'store unreachable' });
    clock.advance(TTL - EVERY - EVERY / 3 - 1);
    expect(revoked()).toBe(0);
    clock.advance(1);
    expect(revoked()).toBe(1);
  });

  it('ends on request: closes the session (still renewing), then releases the lease with the latest grant', () => {
    const { actor, calls, clock, hold, renewOnce, last, output } = start();
    hold();
    renewOnce();
    actor.send({ type: 'session.end' });
    expect(calls.close).toHaveLength(1);
    expect(calls.release).toEqual([]);
    // The lease covers the session's last output: it is renewed while the session closes.
    renewOnce();
    expect(actor.getSnapshot().hasTag('ingress')).toBe(true);
    last(calls.close).reply({ type: 'session.closed' });
    expect(last(calls.release).input).toEqual({ grant: grant(9) });
    expect(actor.getSnapshot().hasTag('ingress')).toBe(false);
    last(calls.release).reply({ type: 'lease.released' });
    expect(output()).toEqual({ status: 'ended', lease: 'released' });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports release_failed when the release fails, and lost when the store refuses it', () => {
    for (const [reply, lease] of [
      [{ type: 'lease.release_failed', message: 'store unreachable' }, 'release_failed'],
      [{ type: 'lease.release_refused' }, 'lost'],
    ] as const) {
      const { actor, calls, emitted, hold, last, output } = start();
      hold();
      actor.send({ type: 'session.end' });
      last(calls.close).reply({ type: 'session.closed' });
      last(calls.release).reply(reply);
      expect(output()).toEqual({ status: 'ended', lease });
      expect(emitted.some((e) => e.type === 'lease.release_failed')).toBe(
        lease === 'release_failed',
      );
    }
  });

  it('ignores a renew result that arrives after the end', () => {
    const { actor, calls, clock, hold, last, output } = start();
    hold();
    clock.advance(EVERY);
    const late = last(calls.renew);
    actor.send({ type: 'session.end' });
    last(calls.close).reply({ type: 'session.closed' });
    expect(late.stopped).toBe(true);
    late.reply({ type: 'lease.renewed', grant: grant(8) });
    actor.send({ type: 'lease.renewed', grant: grant(9) });
    actor.send({ type: 'lease.renew_refused', message: 'stale' });
    expect(last(calls.release).input).toEqual({ grant: grant(7) });
    last(calls.release).reply({ type: 'lease.released' });
    expect(output()).toEqual({ status: 'ended', lease: 'released' });
  });

  it('releases the lease and refuses with invalid_request when the session does not open', () => {
    const { calls, last, output } = start();
    last(calls.acquire).reply({ type: 'lease.acquired', grant: grant(7) });
    last(calls.open).reply({ type: 'session.open_failed', message: 'runtime stopped' });
    expect(last(calls.release).input).toEqual({ grant: grant(7) });
    last(calls.release).reply({ type: 'lease.released' });
    expect(output()).toEqual({
      status: 'refused',
      reason: 'invalid_request',
      message: 'runtime stopped',
      lease: 'released',
    });
  });

  it('closes a session whose lease was lost while it opened, and refuses it', () => {
    const { calls, clock, emitted, last, output, revoked } = start();
    last(calls.acquire).reply({ type: 'lease.acquired', grant: grant(7) });
    clock.advance(TTL);
    expect(revoked()).toBe(1);
    last(calls.open).reply({ type: 'session.opened' });
    expect(emitted.map((e) => e.type)).toEqual(['lease.lost']);
    last(calls.close).reply({ type: 'session.closed' });
    expect(output()).toMatchObject({
      status: 'refused',
      reason: 'lease_unavailable',
      lease: 'lost',
    });
  });

  it('still releases the lease when closing the session fails, and reports the failure', () => {
    const { actor, calls, emitted, hold, last, output } = start();
    hold();
    actor.send({ type: 'session.end' });
    last(calls.close).reply({ type: 'session.close_failed', message: 'unknown session s' });
    expect(emitted.at(-1)).toEqual({ type: 'session.close_failed', message: 'unknown session s' });
    last(calls.release).reply({ type: 'lease.released' });
    expect(output()).toEqual({
      status: 'ended',
      lease: 'released',
      close_error: 'unknown session s',
    });
  });
});
