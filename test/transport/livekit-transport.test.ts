// The LiveKit transport through the fake room (the room port the real Room satisfies) and a sim
// runtime on simulated time: every RK-23 signal, RK-22 classification of ingress, and the
// egress fence on a real AudioSource after a cancel and after an epoch change.
import { AudioSource, DisconnectReason, type AudioFrame } from '@livekit/rtc-node';
import { describe, expect, it } from 'vitest';
import {
  callerFrame,
  classifyData,
  createFakeBinding,
  createFakeRoom,
  liveKitConfigFrom,
  TOPICS,
  type AudioSourcePort,
} from '../../adapters/transport/livekit/index.ts';
import { startLiveKitSession } from '../../tools/run/livekit-session.ts';

/** A session on a fake room; the agent's source is real and its captures are counted. */
async function call(
  options: { silence_ms?: number; stall_ms?: number; env?: Record<string, string> } = {},
) {
  const room = createFakeRoom();
  const captures: number[] = [];
  let real: AudioSource | null = null;
  const binding = createFakeBinding(room, {
    source: (rate, _queue): AudioSourcePort => {
      const s = new AudioSource(rate, 1, 120_000);
      real = s;
      return {
        captureFrame: (frame: AudioFrame) => {
          captures.push(session.time.clock.now());
          return s.captureFrame(frame);
        },
        clearQueue: () => s.clearQueue(),
        get queuedDuration() {
          return s.queuedDuration;
        },
        close: () => s.close(),
      };
    },
  });
  const session = await startLiveKitSession({
    config: liveKitConfigFrom(options.env ?? {}),
    binding,
    url: 'ws://127.0.0.1:7880',
    token: 'token',
    output_queue_ms: 120_000,
    ...(options.silence_ms === undefined ? {} : { silence_ms: options.silence_ms }),
    ...(options.stall_ms === undefined ? {} : { stall_ms: options.stall_ms }),
  });
  let at = 0;
  const step = async (ms: number) => {
    at += ms;
    await session.time.advanceTo(at);
  };
  const caller = room.joinCaller('caller-identity');
  /** The caller speaks `loud_ms` of tone, then is quiet for `quiet_ms` (10 ms frames). */
  const speak = async (loud_ms: number, quiet_ms: number) => {
    for (let k = 0; k < (loud_ms + quiet_ms) / 10; k += 1) {
      caller.track.push(callerFrame(48_000, 10, k * 10 < loud_ms, k * 480));
      await step(10);
    }
  };
  /** The RK-23 signals the transport reported (the runtime may add its own, e.g. `stall`). */
  const rk23 = () =>
    session.fed.flatMap((f) =>
      f.event.kind === 'connection' && f.accepted ? [f.event.record.signal] : [],
    );
  const signals = () => session.control.map((s) => `${s.signal} ${s.turn_id ?? '-'}`);
  const source = () => real;
  return {
    room,
    binding,
    session,
    step,
    speak,
    caller,
    rk23,
    signals,
    captures,
    source,
    now: () => at,
  };
}

describe('LiveKit transport: RK-23 connection signals', () => {
  it('reports connected on joining, publishes the agent track once, and reads the caller', async () => {
    const c = await call();
    expect(c.room.joined).toEqual({ url: 'ws://127.0.0.1:7880', token: 'token' });
    expect(c.binding.published).toBe(1);
    expect(c.rk23()).toEqual(['connected']);
    expect(c.session.lifecycle.map((e) => e.event)).toEqual([
      'room_connected',
      'agent_track_published',
      'signal',
      'participant_connected',
      'track_subscribed',
    ]);
    await c.session.stop();
  });

  it('maps reconnecting and reconnected to reconnecting then connected', async () => {
    const c = await call();
    c.room.emit('reconnecting');
    c.room.emit('reconnected');
    expect(c.rk23()).toEqual(['connected', 'reconnecting', 'connected']);
    await c.session.stop();
  });

  it('reports silence once after silence_ms without the caller speaking, again only after speech', async () => {
    const c = await call({ silence_ms: 1000, stall_ms: 60_000 });
    for (let k = 0; k < 150; k += 1) {
      c.caller.track.push(callerFrame(48_000, 10, false));
      await c.step(10);
    }
    expect(c.rk23()).toEqual(['connected', 'silence']);
    await c.speak(300, 2000);
    expect(c.rk23()).toEqual(['connected', 'silence', 'silence']);
    await c.session.stop();
  });

  it('reports stall when the unmuted caller track delivers no frame for stall_ms, not while muted', async () => {
    const c = await call({ silence_ms: 60_000, stall_ms: 500 });
    c.room.emit(
      'trackMuted',
      { sid: c.caller.track.sid, kind: c.caller.track.kind },
      c.caller.participant,
    );
    await c.step(2000);
    expect(c.rk23()).toEqual(['connected']);
    c.room.emit(
      'trackUnmuted',
      { sid: c.caller.track.sid, kind: c.caller.track.kind },
      c.caller.participant,
    );
    await c.step(600);
    expect(c.rk23()).toEqual(['connected', 'stall']);
    await c.session.stop();
  });

  it('maps a broken link to disconnected and ends the live turn with abort(transport_disconnect_or_stall)', async () => {
    const c = await call();
    await c.speak(800, 600);
    expect(c.signals()).toContain('turn_open turn-1');
    c.room.emit('disconnected', DisconnectReason.SIGNAL_CLOSE);
    await c.step(100);
    expect(c.rk23()).toEqual(['connected', 'disconnected']);
    // The spec's transport_disconnect: disconnected, stall, abort(transport_disconnect_or_stall), close.
    expect(c.signals().slice(-5)).toEqual([
      'disconnected turn-1',
      'stall turn-1',
      'playback_cancelled turn-1',
      'abort turn-1',
      'close turn-1',
    ]);
    expect(c.session.control.find((s) => s.signal === 'abort')?.reason).toBe(
      'transport_disconnect_or_stall',
    );
    expect(await c.session.transport.done).toBe('disconnected');
    await c.session.stop();
  });

  it.each([
    ['the caller leaves', 'participant'],
    ['the room is deleted', DisconnectReason.ROOM_DELETED],
    ['the agent is removed', DisconnectReason.PARTICIPANT_REMOVED],
  ] as const)('maps "%s" to ended', async (_name, how) => {
    const c = await call();
    if (how === 'participant') c.room.emit('participantDisconnected', c.caller.participant);
    else c.room.emit('disconnected', how);
    expect(c.rk23()).toEqual(['connected', 'ended']);
    expect(await c.session.transport.done).toBe('ended');
    await c.session.stop();
    // Closing detaches every listener the transport added.
    expect(c.room.listenerCount('trackSubscribed')).toBe(0);
  });
});

describe('LiveKit transport: RK-22 ingress classification', () => {
  it('feeds the caller as 16 kHz 20 ms DataLane audio_raw frames with pts, speech onset as metadata, and an utterance as a turn', async () => {
    const c = await call();
    await c.speak(800, 600);
    const fed = c.session.fed.map((f) => f.event);
    const audio = fed.filter((e) => e.kind === 'audio_frame');
    expect(audio.length).toBeGreaterThan(30);
    for (const e of audio) {
      expect(e.record).toMatchObject({ lane: 'DataLane', payload_class: 'audio_raw' });
      if (e.kind === 'audio_frame')
        expect([e.audio.sample_rate_hz, e.audio.pcm.length]).toEqual([16_000, 320]);
    }
    const pts = audio.map((e) => (e.kind === 'audio_frame' ? e.record.media_time?.pts_ms : -1));
    expect(pts).toEqual([...pts].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(fed.find((e) => e.kind === 'speech_started')?.record).toMatchObject({
      lane: 'DataLane',
      payload_class: 'metadata',
    });
    expect(fed.find((e) => e.kind === 'transcript_final')?.record).toMatchObject({
      payload_class: 'text_raw',
    });
    expect(fed[1]?.record.event_id).toBe('evt-livekit-002-speech_started');
    expect(c.session.fed.every((f) => f.accepted)).toBe(true);
    expect(c.signals()).toEqual(
      expect.arrayContaining(['turn_open_proposed turn-1', 'turn_open turn-1']),
    );
    await c.session.stop();
  });

  it('classifies data packets: text as a turn, telemetry and summaries not fed, ControlLane refused', async () => {
    const c = await call();
    const p = c.caller.participant;
    c.room.sendData(p, 'what time is it');
    c.room.sendData(p, '{"payload_class":"derived_summary","text":"gist"}');
    c.room.sendData(p, '{"cpu":3}', TOPICS.telemetry);
    c.room.sendData(p, '{"signal":"commit"}', TOPICS.control);
    c.room.sendData(p, '{"lane":"ControlLane","signal":"abort"}');
    await c.step(10);
    const data = c.session.lifecycle.filter((e) => e.event.startsWith('data_'));
    expect(data.map((e) => `${e.event} ${e.detail}`)).toEqual([
      'data_classified DataLane/text_raw',
      'data_classified DataLane/derived_summary',
      'data_classified TelemetryLane/metadata',
      'data_rejected control_lane_ingress_rejected',
      'data_rejected control_lane_ingress_rejected',
    ]);
    const transcripts = c.session.fed.filter((f) => f.event.kind === 'transcript_final');
    expect(
      transcripts.map((f) => (f.event.kind === 'transcript_final' ? f.event.text : '')),
    ).toEqual(['what time is it']);
    await c.session.stop();
  });

  it('keeps a valid explicit class, defaults by configuration, and falls back to text_raw for audio_raw', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(classifyData(bytes('hi'), undefined, 'audio_raw')).toMatchObject({
      lane: 'DataLane',
      payload_class: 'text_raw',
    });
    expect(classifyData(bytes('hi'), undefined, 'derived_summary')).toMatchObject({
      payload_class: 'derived_summary',
    });
    expect(
      classifyData(bytes('{"payload_class":"PII","text":"x"}'), undefined, 'text_raw'),
    ).toMatchObject({ payload_class: 'PII', text: 'x' });
    expect(classifyData(bytes('{"payload_class":"bogus"}'), undefined, 'text_raw')).toMatchObject({
      payload_class: 'text_raw',
    });
    expect(classifyData(bytes('{}'), TOPICS.telemetry, 'text_raw')).toMatchObject({
      lane: 'TelemetryLane',
      payload_class: 'metadata',
    });
    expect(classifyData(Uint8Array.of(0xff, 0xfe), undefined, 'text_raw')).toEqual({
      accepted: false,
      reason: 'invalid_payload',
    });
    expect(classifyData(bytes(''), TOPICS.cancel, 'text_raw')).toEqual({
      accepted: true,
      lane: 'cancel',
    });
  });
});

describe('LiveKit transport: egress fence', () => {
  /** Speaks, then runs until the reply's audio is being captured. */
  async function replying(c: Awaited<ReturnType<typeof call>>) {
    await c.speak(800, 600);
    while (c.captures.length < 5 && c.now() < 10_000) await c.step(10);
    expect(c.captures.length).toBeGreaterThanOrEqual(5);
  }

  it('captures 0 frames of a turn after a cancel, clears the source, and fences late output', async () => {
    const c = await call();
    await replying(c);
    c.room.sendData(c.caller.participant, '', TOPICS.cancel);
    const fencedAt = c.captures.length;
    expect(c.source()?.queuedDuration).toBe(0);
    c.session.deliver({
      kind: 'audio',
      event_id: 'late-1',
      turn_id: 'turn-1',
      authority_epoch: 1,
      pcm: new Int16Array(320),
      sample_rate_hz: 16_000,
    });
    await c.step(3000);
    await c.session.transport.egress?.idle();
    expect(c.captures.length - fencedAt).toBe(0);
    expect(c.session.capturedAfterFence).toBe(0);
    expect(c.session.decisions.at(-1)).toMatchObject({
      event_id: 'late-1',
      accepted: false,
      signal: 'playback_cancelled',
    });
    expect(c.signals()).toEqual(
      expect.arrayContaining([
        'cancel turn-1',
        'playback_cancelled turn-1',
        'abort turn-1',
        'close turn-1',
      ]),
    );
    await c.session.stop();
  });

  it('captures 0 frames of a turn after an authority epoch change', async () => {
    const c = await call();
    await replying(c);
    c.session.setEpoch(2);
    const fencedAt = c.captures.length;
    expect(c.source()?.queuedDuration).toBe(0);
    await c.step(3000);
    await c.session.transport.egress?.idle();
    expect(c.captures.length - fencedAt).toBe(0);
    expect(c.session.capturedAfterFence).toBe(0);
    expect(c.signals()).toEqual(
      expect.arrayContaining(['deauthorized_drain turn-1', 'abort turn-1']),
    );
    // Later ingress carries the new epoch and is taken.
    await c.speak(300, 600);
    expect(c.session.fed.at(-1)?.event.record.authority_epoch).toBe(2);
    expect(c.session.fed.at(-1)?.accepted).toBe(true);
    await c.session.stop();
  });
});
