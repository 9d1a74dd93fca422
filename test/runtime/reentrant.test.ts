/**
 * Issue 10, items 5-9: subscribers that call back into the Runtime from inside a delivery (a
 * transport that hangs up on `abort`, barges in from an output listener). Each call has the
 * outcome it would have just after the delivery returned.
 */
import { describe, expect, it } from 'vitest';
import type { RuntimeOutput } from '../../actors/index.ts';
import { ingressRecord } from '../../tools/run/script.ts';
import { openEmbedder, turnSignals, type EmbedderSession } from './embedder-kit.ts';

/** Calls `act` once, from inside the first delivery `when` matches. */
function onceInside(
  e: EmbedderSession,
  when: (o: RuntimeOutput) => boolean,
  act: (o: RuntimeOutput) => void,
): { fired: () => boolean } {
  let fired = false;
  e.runtime.subscribe(e.session_id, (o) => {
    if (fired || !when(o)) return;
    fired = true;
    act(o);
  });
  return { fired: () => fired };
}

const signal = (name: string) => (o: RuntimeOutput) =>
  o.kind === 'control' && o.record.signal === name;

/** Moves simulated time on until `done` or `limit_ms`. */
async function until(e: EmbedderSession, done: () => boolean, limit_ms = 20_000) {
  const end = e.time.clock.now() + limit_ms;
  while (!done() && e.time.clock.now() < end) await e.time.advanceTo(e.time.clock.now() + 10);
}

describe('issue 10, item 5: closeSession inside a commit or abort listener', () => {
  for (const terminal of ['commit', 'abort'] as const) {
    it(`keeps the close and gives the RK-25 slot back (${terminal})`, async () => {
      const e = await openEmbedder({ limits: { max_active_turns: 1 } });
      let closing: Promise<void> | undefined;
      onceInside(e, signal(terminal), () => {
        closing = e.runtime.closeSession(e.session_id);
      });
      e.feed('transcript_final', 'hello there');
      if (terminal === 'abort') {
        await e.time.advanceTo(600);
        e.feed('cancel');
      }
      await until(e, () => closing !== undefined);
      await closing;
      expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual([
        terminal === 'commit' ? 'commit' : 'abort(cancelled)',
        'close',
      ]);
      // The slot is free: another session opens a turn.
      e.runtime.openSession({ session_id: 's2', tenant_id: 't1' });
      const outputs: RuntimeOutput[] = [];
      e.runtime.subscribe('s2', (o) => outputs.push(o));
      const record = ingressRecord(
        's2',
        { at_ms: e.time.clock.now(), kind: 'transcript_final', text: 'hi' },
        1,
        1,
      );
      e.runtime.feed('s2', { kind: 'transcript_final', text: 'hi', record });
      await until(e, () => outputs.some(signal('turn_open')), 2000);
      expect(outputs.some(signal('turn_open'))).toBe(true);
      await e.finish();
    });
  }
});

describe('issue 10, item 6: closeSession inside the turn_open listener', () => {
  it('ends the turn (one terminal, then close)', async () => {
    const e = await openEmbedder();
    let closing: Promise<void> | undefined;
    onceInside(e, signal('turn_open'), () => {
      closing = e.runtime.closeSession(e.session_id);
    });
    e.feed('transcript_final', 'hello there');
    await until(e, () => closing !== undefined);
    await closing;
    const ends = turnSignals(e.control(), 'turn-1').filter((s) => /^(commit|abort|close)/.test(s));
    expect(ends).toEqual(['abort(transport_disconnect_or_stall)', 'close']);
    await e.finish();
  });
});

describe('issue 10, item 7: a barge-in or an epoch change inside output_accepted', () => {
  it('a barge-in: no chunk of the turn is delivered after output_accepted', async () => {
    const e = await openEmbedder();
    onceInside(e, signal('output_accepted'), () => e.feed('speech_started'));
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    const accepted = e.outputs.findIndex(signal('output_accepted'));
    expect(e.outputs.slice(accepted).filter((o) => o.kind === 'data')).toEqual([]);
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual(['abort(cancelled)', 'close']);
    await e.finish();
  });

  it('an epoch change: nothing after it at the old epoch, nothing after close', async () => {
    const e = await openEmbedder();
    onceInside(e, signal('output_accepted'), () =>
      e.runtime.setAuthority(e.session_id, { authority_epoch: 2 }),
    );
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    const accepted = e.outputs.findIndex(signal('output_accepted'));
    expect(e.outputs.slice(accepted).filter((o) => o.kind === 'data')).toEqual([]);
    const close = e.outputs.findIndex(signal('close'));
    expect(e.outputs.slice(close).filter((o) => o.kind === 'data')).toEqual([]);
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual([
      'abort(authority_loss)',
      'close',
    ]);
    await e.finish();
  });
});

describe('issue 10, item 8: a barge-in inside the evidence listener', () => {
  it('the evidence and the ControlLane agree on the terminal', async () => {
    const e = await openEmbedder();
    onceInside(
      e,
      (o) => o.kind === 'evidence',
      () => e.feed('speech_started'),
    );
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    const evidence = e.outputs.flatMap((o) => (o.kind === 'evidence' ? [o] : []));
    const terminal = turnSignals(e.control(), 'turn-1').find((s) => /^(commit|abort)/.test(s));
    const last = evidence.at(-1);
    expect(last?.appended).toBe(true);
    const recorded =
      last?.terminal.signal === 'abort'
        ? `abort(${String(last.terminal.reason)})`
        : last?.terminal.signal;
    expect(recorded).toBe(terminal);
    await e.finish();
  });
});

describe('issue 10, item 9: a cancel while the turn opens; setAuthority from an abort listener', () => {
  it('a cancel inside the turn_open listener ends abort(cancelled) with its baseline', async () => {
    const e = await openEmbedder();
    onceInside(e, signal('turn_open'), () => e.feed('cancel'));
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual(['abort(cancelled)', 'close']);
    expect(e.outputs.some((o) => o.kind === 'evidence' && o.appended)).toBe(true);
    await e.finish();
  });

  it('setAuthority inside an abort listener revokes nothing and says so', async () => {
    const e = await openEmbedder();
    let revoked: boolean | undefined;
    onceInside(e, signal('abort'), () => {
      revoked = e.runtime.setAuthority(e.session_id, { authorized: false });
    });
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    e.feed('cancel');
    await e.untilClosed('turn-1');
    expect(revoked).toBe(false);
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual(['abort(cancelled)', 'close']);
    await e.finish();
  });
});
