/**
 * Issue 10, item 1 through the Runtime API: a session opened as a named placement
 * (`incarnation`) gives its turns and session-scoped records ids no other placement repeats.
 */
import { describe, expect, it } from 'vitest';
import { openEmbedder } from './embedder-kit.ts';

describe('SessionOptions.incarnation', () => {
  it('names turns and session-scoped event ids after the placement', async () => {
    const e = await openEmbedder({ session_id: 's1' });
    e.runtime.openSession({ session_id: 's2', tenant_id: 't1', incarnation: 'e9' });
    const seen: string[] = [];
    e.runtime.subscribe('s2', (o) => {
      if (o.kind === 'control')
        seen.push(`${o.record.signal} ${String(o.record.turn_id)} ${o.record.event_id}`);
    });
    const { ingressRecord } = await import('../../tools/run/script.ts');
    const connected = ingressRecord(
      's2',
      { at_ms: 0, kind: 'connection', text: 'connected' },
      1,
      1,
    );
    e.runtime.feed('s2', { kind: 'connection', record: connected });
    const record = ingressRecord('s2', { at_ms: 0, kind: 'transcript_final', text: 'hi' }, 2, 1);
    e.runtime.feed('s2', { kind: 'transcript_final', text: 'hi', record });
    await e.time.advanceTo(20_000);
    expect(seen.slice(0, 2)).toEqual([
      'connected undefined evt/s2/s2-e9/000001',
      'turn_open_proposed turn-1-e9 evt/s2/turn-1-e9/000001',
    ]);
    const opened = seen.filter((s) => s.startsWith('turn_open '));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/^turn_open turn-1-e9 evt\/s2\/turn-1-e9\/\d{6}$/);
    await e.finish();
  });

  it('refuses an incarnation that would not fit in an id', async () => {
    const e = await openEmbedder();
    for (const incarnation of ['', 'a.b', 'x'.repeat(33), 'e 1'])
      expect(() =>
        e.runtime.openSession({ session_id: 's3', tenant_id: 't1', incarnation }),
      ).toThrow(/^incarnation: expected 1-32 of A-Z a-z 0-9 _ -, received /);
    await e.finish();
  });
});
