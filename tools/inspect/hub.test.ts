import { createActor, setup } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { RuntimeOutput } from '../../actors/index.ts';
import { BUILT_IN_SCRIPT } from '../run/script.ts';
import { FAST } from '../run/wall-pacer.ts';
import { createInspectorHub, type HubClient } from './hub.ts';
import type { InspectorMessage } from './projection.ts';
import { runInspectedScript } from './script-session.ts';

/** A client that records every frame; `buffered` is what its socket reports as unsent. */
function recordingClient(buffered = 0) {
  const frames: string[] = [];
  const client: HubClient & { frames: string[]; messages(): InspectorMessage[] } = {
    frames,
    send: (frame) => frames.push(frame),
    bufferedAmount: () => buffered,
    messages: () => frames.flatMap((f) => JSON.parse(f) as InspectorMessage[]),
  };
  return client;
}

const toggle = setup({}).createMachine({
  id: 'toggle',
  initial: 'off',
  states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } },
});

describe('createInspectorHub', () => {
  it('sends a scripted session tree and timeline with none of its words (issue 15)', async () => {
    // Room for the whole run, flushed once at its end: the client sees every message.
    const hub = createInspectorHub({ flush_every_ms: 0, limits: { queue: 100_000 } });
    const client = recordingClient();
    hub.connect(client);
    hub.flush();
    const run = runInspectedScript({ hub, pace: FAST });
    const outputs: RuntimeOutput[] = [];
    run.runtime.subscribe('demo', (o) => outputs.push(o));
    await run.done;
    hub.flush();
    const wire = client.frames.join('\n');
    const replies = outputs.flatMap((o) => (o.kind === 'reply' ? [o.text] : []));
    expect(replies.length).toBeGreaterThan(0);
    const words = [
      ...BUILT_IN_SCRIPT.steps.flatMap((s) => (s.kind === 'transcript_final' ? [s.text!] : [])),
      ...replies,
    ];
    for (const text of words) expect(wire).not.toContain(text);
    const messages = client.messages();
    const turnValues = messages.flatMap((m) =>
      m.t === 'state' && m.actor.id === 'turn-1' ? [m.actor.value] : [],
    );
    expect(turnValues).toEqual(
      expect.arrayContaining(['Opening.arbitrating', 'Active.running', 'Closed']),
    );
    expect(
      messages.flatMap((m) => (m.t === 'timeline' ? [`${m.entry.turn} ${m.entry.name}`] : [])),
    ).toEqual(expect.arrayContaining(['turn-1 turn_open', 'turn-1 commit', 'turn-3 close']));
    await run.stop();
    hub.close();
  });

  it('sends a client whose queue overflowed one reset with the current tree, and counts the drop', () => {
    const hub = createInspectorHub({ flush_every_ms: 0, limits: { queue: 4 } });
    const client = recordingClient();
    hub.connect(client);
    hub.flush(); // the first frame of a client is always a reset
    const actor = createActor(toggle, { inspect: hub.inspect }).start();
    for (let i = 0; i < 9; i++) actor.send({ type: 'flip' });
    hub.flush();
    const last = JSON.parse(client.frames.at(-1)!) as InspectorMessage[];
    expect(last).toHaveLength(1);
    const reset = last[0];
    expect(reset?.t).toBe('reset');
    if (reset?.t !== 'reset') return;
    expect(reset.actors).toEqual([expect.objectContaining({ id: actor.id, value: 'on' })]);
    // 11 messages (created, initial state, 9 flips) for 4 places: 7 dropped.
    expect(reset.stats).toMatchObject({ dropped: 7, limits: { queue: 4 } });
    actor.send({ type: 'flip' });
    hub.flush();
    expect(JSON.parse(client.frames.at(-1)!)).toEqual([
      { t: 'state', actor: expect.objectContaining({ value: 'off' }) },
      { t: 'stats', stats: expect.objectContaining({ dropped: 7 }) },
    ]);
    hub.close();
  });

  it('tracks at most its actor limit, forgets stopped actors, and keeps a bounded timeline', () => {
    const hub = createInspectorHub({ flush_every_ms: 0, limits: { actors: 2, timeline: 3 } });
    const actors = [1, 2, 3].map(() => createActor(toggle, { inspect: hub.inspect }).start());
    expect(hub.snapshot()).toMatchObject({ untracked: 1 });
    expect(hub.snapshot().actors).toHaveLength(2);
    actors[0]?.stop();
    expect(hub.snapshot().actors.map((a) => a.id)).toEqual([actors[1]?.id]);
    for (let i = 0; i < 5; i++)
      hub.observe({
        kind: 'control',
        record: {
          session_id: 's',
          turn_id: `turn-${i}`,
          signal: 'close',
          emitted_by: 'RK-03',
          runtime_timestamp_ms: i,
          event_id: `e${i}`,
        } as never,
      });
    hub.observe({ kind: 'reply', turn_id: 'turn-9', text: 'secret', interrupted: false });
    expect(hub.snapshot().timeline.map((t) => t.turn)).toEqual(['turn-2', 'turn-3', 'turn-4']);
    hub.close();
  });

  it('skips a client whose socket backs up and resynchronises it once it drains', () => {
    const hub = createInspectorHub({ flush_every_ms: 0, limits: { buffered_bytes: 100 } });
    let buffered = 1_000;
    const client = { ...recordingClient(), bufferedAmount: () => buffered };
    hub.connect(client);
    const actor = createActor(toggle, { inspect: hub.inspect }).start();
    hub.flush();
    expect(client.frames).toEqual([]);
    buffered = 0;
    actor.send({ type: 'flip' });
    hub.flush();
    expect(client.messages().map((m) => m.t)).toEqual(['reset']);
    hub.close();
  });
});
