import { describe, expect, it } from 'vitest';
import { CancelToken, type CancelReason } from './cancel-token.ts';

function tree() {
  const session = new CancelToken('session', 'sess-1');
  const turn = session.child('turn-1');
  const stt = turn.child('stt');
  const tts = turn.child('tts');
  const inv = tts.child('inv-1');
  return { session, turn, stt, tts, inv };
}

describe('CancelToken', () => {
  it('builds scoped keys and creates each child once', () => {
    const { turn, tts, inv } = tree();
    expect([turn.scope, tts.scope, inv.scope]).toEqual(['turn', 'node', 'provider_invocation']);
    expect(inv.key).toBe('sess-1/turn-1/tts/inv-1');
    expect(turn.child('tts')).toBe(tts);
    expect(() => inv.child('x')).toThrow(RangeError);
  });

  it('cancelling a turn aborts its nodes and invocations synchronously, parent first', () => {
    const { session, turn, stt, tts, inv } = tree();
    const order: string[] = [];
    for (const t of [turn, stt, tts, inv]) {
      t.signal.addEventListener('abort', () => order.push(t.id));
    }
    expect(turn.cancel('barge_in', 42)).toBe(true);
    expect(order).toEqual(['turn-1', 'stt', 'tts', 'inv-1']);
    expect(session.cancelled).toBe(false);
    const reason = inv.signal.reason as CancelReason;
    expect(reason).toEqual({
      cause: 'barge_in',
      origin_scope: 'turn',
      origin_key: 'sess-1/turn-1',
      at_ms: 42,
    });
    expect(turn.cancel('cancel', 50)).toBe(false);
    expect(turn.reason?.cause).toBe('barge_in');
  });

  it('cancelling a node leaves its siblings and parent running', () => {
    const { turn, stt, tts, inv } = tree();
    tts.cancel('cancel', 1);
    expect([turn.cancelled, stt.cancelled, tts.cancelled, inv.cancelled]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('creates children of a cancelled scope already cancelled', () => {
    const { turn } = tree();
    turn.cancel('cancel', 5);
    const late = turn.child('llm').child('inv-9');
    expect(late.cancelled).toBe(true);
    expect(late.reason?.origin_key).toBe('sess-1/turn-1');
  });

  it('bounds live children and frees a slot on release', () => {
    const session = new CancelToken('session', 's', undefined, 2);
    session.child('a');
    session.child('b');
    expect(() => session.child('c')).toThrow(/more than 2/);
    session.release('a');
    expect(session.child('c').key).toBe('s/c');
    expect(session.list().map((t) => t.id)).toEqual(['b', 'c']);
  });
});
