import type { AnyActorRef, InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import { openEmbedder } from './embedder-kit.ts';

/** The ids from an actor up to its root, through the parents XState's inspection reports. */
function lineage(actor: AnyActorRef): string[] {
  const ids: string[] = [];
  for (let a: AnyActorRef | undefined = actor; a !== undefined; a = a._parent) ids.push(a.id);
  return ids;
}

describe('the live actor tree through RuntimeOptions.inspect (issue 9)', () => {
  it('shows session -> turn -> generation -> node -> invocation -> attempt while a turn speaks', async () => {
    const actors: AnyActorRef[] = [];
    const e = await openEmbedder({
      llm: [{ chunk_count: 6, chunk_interval_ms: 100 }],
      inspect: (event: InspectionEvent) => {
        if (event.type === '@xstate.actor') actors.push(event.actorRef as AnyActorRef);
      },
    });
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(e.time.clock.now() + 400);
    const live = actors.filter((a) => a.getSnapshot().status === 'active');
    const attempts = live.filter((a) => a.id === 'attempt').map(lineage);
    // The LLM's provider attempt is live, six actors deep, each with its parent.
    expect(attempts).toContainEqual([
      'attempt',
      'invocation',
      'llm',
      'generation',
      expect.stringMatching(/^turn/),
      expect.any(String),
    ]);
    const root = attempts[0]?.at(-1);
    expect(actors.find((a) => a.id === root)?._parent).toBeUndefined();
    await e.untilClosed('turn-1');
    // Once the turn closed, its work is gone: the session keeps only the closed turn (it
    // answers late events of that turn until the next one opens).
    const running = actors.filter((a) => a.getSnapshot().status === 'active');
    expect(running.map(lineage)).toEqual([[root], ['turn-1', root]]);
    expect(running[1]?.getSnapshot()).toMatchObject({ value: 'Closed' });
    await e.finish();
    expect(actors.filter((a) => a.getSnapshot().status === 'active')).toEqual([]);
  });
});
