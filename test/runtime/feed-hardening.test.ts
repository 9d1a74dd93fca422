/**
 * Issue 10, items 10-15: what a careless or hostile embedder feeds the Runtime. Every bad input
 * comes back as a rejection naming what was wrong, never as a thrown error, and is never
 * processed.
 */
import { describe, expect, it } from 'vitest';
import type { FeedResult, TransportEvent } from '../../actors/index.ts';
import { ingressRecord } from '../../tools/run/script.ts';
import { openEmbedder, turnSignals } from './embedder-kit.ts';

/** The rejection code of a feed result (`accepted` when it was taken). */
const codeOf = (result: FeedResult): string =>
  result.accepted ? 'accepted' : result.rejection.code;

/** A well-formed ingress record of `kind` for session `s1`, numbered `n`. */
const record = (kind: TransportEvent['kind'], n: number, text?: string) =>
  ingressRecord('s1', { at_ms: 0, kind, ...(text === undefined ? {} : { text }) }, n, 1);

describe('issue 10, item 10: feed never throws', () => {
  const throwing = new Proxy(
    {},
    {
      get() {
        throw new Error('hostile getter');
      },
    },
  );
  const withThrowingKind = Object.defineProperty({ record: record('speech_started', 1) }, 'kind', {
    get() {
      throw new Error('hostile kind');
    },
  });
  const cases: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['a string', 'speech_started'],
    ['a missing kind', { record: record('speech_started', 1) }],
    ['an unknown kind', { kind: 'shout', record: record('speech_started', 1) }],
    ['a non-string kind', { kind: 42, record: record('speech_started', 1) }],
    ['a Proxy whose getters throw', throwing],
    ['a throwing kind getter', withThrowingKind],
  ];
  for (const [name, event] of cases) {
    it(`returns a rejection for ${name}`, async () => {
      const e = await openEmbedder();
      let result: FeedResult | undefined;
      expect(() => {
        result = e.runtime.feed(e.session_id, event as TransportEvent);
      }).not.toThrow();
      expect(result).toMatchObject({ accepted: false, rejection: { code: 'invalid_event' } });
      expect(e.control()).toEqual([]);
      await e.finish();
    });
  }

  it('names the field, the expected and the received value', async () => {
    const e = await openEmbedder();
    const result = e.runtime.feed(e.session_id, { kind: 'shout', record: {} } as never);
    expect(result.accepted ? '' : result.rejection.message).toBe(
      'kind: expected one of speech_started, transcript_final, audio_frame, connection, cancel, received "shout"',
    );
    await e.finish();
  });
});

describe('issue 10, item 11: a record must match the kind it is fed as', () => {
  const mismatches: [string, TransportEvent][] = [
    [
      'a ControlLane disconnected fed as speech_started',
      { kind: 'speech_started', record: record('connection', 7, 'disconnected') },
    ],
    [
      'a cancel fed as a transcript',
      { kind: 'transcript_final', text: 'hi', record: record('cancel', 7) },
    ],
    [
      'an audio_raw record fed as speech',
      { kind: 'speech_started', record: record('audio_frame', 7) },
    ],
    [
      'a metadata record fed as a transcript',
      { kind: 'transcript_final', text: 'hi', record: record('speech_started', 7) },
    ],
  ];
  for (const [name, event] of mismatches) {
    it(`refuses ${name} and does not barge in`, async () => {
      const e = await openEmbedder();
      e.feed('transcript_final', 'hello there');
      await e.time.advanceTo(600);
      expect(codeOf(e.runtime.feed(e.session_id, event))).toBe('classification_mismatch');
      await e.untilClosed('turn-1');
      expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual(['commit', 'close']);
      await e.finish();
    });
  }
});

describe('issue 10, item 12: the same record, or an older one, is taken once', () => {
  it('refuses a record fed twice and one with an older sequence', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there'); // sequence 1
    await e.time.advanceTo(600);
    const speech = { kind: 'speech_started', record: record('speech_started', 5) } as const;
    expect(codeOf(e.runtime.feed(e.session_id, speech))).toBe('accepted');
    expect(codeOf(e.runtime.feed(e.session_id, speech))).toBe('duplicate');
    const older = { kind: 'speech_started', record: record('speech_started', 3) } as const;
    expect(codeOf(e.runtime.feed(e.session_id, older))).toBe('duplicate');
    await e.untilClosed('turn-1');
    // One barge-in, not one per copy.
    expect(turnSignals(e.control(), 'turn-1').filter((s) => s === 'barge_in')).toEqual([
      'barge_in',
    ]);
    await e.finish();
  });
});

describe('issue 10, item 13: openSession refuses ids the bus cannot carry', () => {
  for (const id of ['', 'a.b', '*', '>', 'a b', 'a\nb', 'x'.repeat(300)]) {
    it(`refuses ${JSON.stringify(id).slice(0, 20)}`, async () => {
      const e = await openEmbedder();
      expect(() => e.runtime.openSession({ session_id: id, tenant_id: 't1' })).toThrow(
        expect.objectContaining({
          code: 'invalid_session',
          message: expect.stringMatching(/^invalid session_id: must .*, received "/),
        }),
      );
      await e.finish();
    });
  }

  it('refuses a tenant id the bus cannot carry', async () => {
    const e = await openEmbedder();
    expect(() => e.runtime.openSession({ session_id: 's9', tenant_id: 'a.b' })).toThrow(
      'invalid tenant_id: must not contain \'.\', received "a.b"',
    );
    await e.finish();
  });
});

describe('issue 10, item 14: authority epochs never go back', () => {
  it('refuses an epoch lower than the current one, and keeps refusing its ingress', async () => {
    const e = await openEmbedder();
    expect(e.runtime.setAuthority(e.session_id, { authority_epoch: 5 })).toBe(false);
    expect(() => e.runtime.setAuthority(e.session_id, { authority_epoch: 2 })).toThrow(
      'authority_epoch: expected an integer >= 5 (epochs never go back), received 2',
    );
    const stale = ingressRecord('s1', { at_ms: 0, kind: 'speech_started' }, 9, 2);
    expect(codeOf(e.runtime.feed(e.session_id, { kind: 'speech_started', record: stale }))).toBe(
      'stale_epoch',
    );
    await e.finish();
  });
});

describe('issue 10, item 15: edges of feed and sessions', () => {
  it('ends a speaking turn when the transport says the connection ended', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    expect(e.outputs.some((o) => o.kind === 'data')).toBe(true);
    expect(e.feed('connection', 'ended')).toEqual({ accepted: true });
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1').slice(-3)).toEqual([
      'playback_cancelled(cancel_fence_applied)',
      'abort(transport_disconnect_or_stall)',
      'close',
    ]);
    await e.finish();
  });

  const badAudio: [string, unknown][] = [
    ['an empty object', {}],
    ['a string', 'pcm'],
    [
      'a NaN sample rate',
      { kind: 'audio', pcm: new Int16Array(320), sample_rate_hz: NaN, duration_ms: 20 },
    ],
    [
      'samples that are not PCM16',
      { kind: 'audio', pcm: [1, 2, 3], sample_rate_hz: 16000, duration_ms: 20 },
    ],
  ];
  for (const [name, audio] of badAudio) {
    it(`refuses audio that is ${name}`, async () => {
      const e = await openEmbedder();
      const result = e.runtime.feed(e.session_id, {
        kind: 'audio_frame',
        record: record('audio_frame', 3),
        audio: audio as never,
      });
      expect(codeOf(result)).toBe('classification_mismatch');
      await e.finish();
    });
  }

  it('says NaN, not null, when it refuses NaN', async () => {
    const e = await openEmbedder();
    expect(() => e.runtime.setAuthority(e.session_id, { authority_epoch: NaN })).toThrow(
      'authority_epoch: expected an integer >= 0, received NaN',
    );
    const result = e.runtime.feed(e.session_id, {
      kind: 'audio_frame',
      record: record('audio_frame', 3),
      audio: { kind: 'audio', pcm: new Int16Array(320), sample_rate_hz: NaN, duration_ms: 20 },
    });
    expect(result.accepted ? '' : result.rejection.message).toContain('received NaN');
    await e.finish();
  });

  it('refuses feeds after stop() as stopped', async () => {
    const e = await openEmbedder();
    await e.runtime.stop();
    expect(codeOf(e.feed('speech_started'))).toBe('stopped');
    await e.finish();
  });
});
