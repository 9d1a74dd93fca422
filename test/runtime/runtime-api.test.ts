import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { transportEvent, type ScriptStep } from '../../tools/run/script.ts';
import { buildSimRuntime } from '../../tools/run/session-run.ts';
import { machineOutputs, summarize } from './kit.ts';

const bus = createEmbeddedBus();
afterEach(async () => {
  await bus.drain().catch(() => undefined);
});

/** A runtime with one open session `s1` whose outputs are collected. */
function open() {
  const { runtime, time } = buildSimRuntime({ bus: createEmbeddedBus() });
  runtime.openSession({ session_id: 's1', tenant_id: 't1' });
  const outputs: RuntimeOutput[] = [];
  runtime.subscribe('s1', (o) => outputs.push(o));
  let n = 0;
  const feed = (step: Omit<ScriptStep, 'at_ms'>) =>
    runtime.feed('s1', transportEvent('s1', { ...step, at_ms: time.clock.now() }, (n += 1), 1));
  const control = () => summarize(outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : [])));
  return { runtime, time, outputs, feed, control };
}

describe('Runtime', () => {
  it('rejects invalid ingress with a diagnostic and never processes it (RK-05)', () => {
    const { runtime, outputs, control } = open();
    const result = runtime.feed('s1', {
      kind: 'transcript_final',
      text: 'hello',
      record: { session_id: 's1', lane: 'DataLane', event_scope: 'turn' },
    });
    expect(result.accepted).toBe(false);
    if (!result.accepted) expect(result.rejection).toMatchObject({ code: expect.any(String) });
    expect(outputs.map((o) => o.kind)).toEqual(['rejected']);
    expect(control()).toEqual([]);
  });

  it('refuses a record of another session and an unknown session', () => {
    const { runtime } = open();
    const other = transportEvent('s2', { at_ms: 0, kind: 'speech_started' }, 1, 1);
    expect(runtime.feed('s1', other)).toMatchObject({
      accepted: false,
      rejection: { code: 'session_mismatch' },
    });
    expect(runtime.feed('nope', other)).toMatchObject({
      accepted: false,
      rejection: { code: 'unknown_session' },
    });
  });

  it('applies the fence on an ingress cancel: abort(cancelled), close, no output after it (RK-16)', async () => {
    const { time, outputs, feed, control } = open();
    feed({ kind: 'transcript_final', text: 'hello there' });
    await time.advanceTo(620);
    feed({ kind: 'cancel' });
    const cancelIndex = outputs.length;
    await time.advanceTo(3000);
    expect(control()).toContain('RK-03 abort(cancelled) turn-1');
    expect(outputs.slice(cancelIndex).filter((o) => o.kind === 'data')).toEqual([]);
    expect(outputs.some((o) => o.kind === 'data')).toBe(true);
    expect(checkTurnInvariants(machineOutputs(outputs), { complete: true })).toEqual([]);
  });

  it('stop() drains: the active turn ends with one terminal then close', async () => {
    const { runtime, time, outputs, feed, control } = open();
    feed({ kind: 'transcript_final', text: 'hello there' });
    await time.advanceTo(400);
    await runtime.stop();
    const lines = control();
    expect(lines.slice(-5)).toEqual([
      'RK-23 disconnected(transport_disconnect_or_stall) turn-1',
      'RK-23 stall(transport_disconnect_or_stall) turn-1',
      'RK-22 playback_cancelled(cancel_fence_applied) turn-1',
      'RK-03 abort(transport_disconnect_or_stall) turn-1',
      'RK-03 close turn-1',
    ]);
    expect(checkTurnInvariants(machineOutputs(outputs), { complete: true })).toEqual([]);
    const before = outputs.length;
    await time.advanceTo(3000);
    expect(outputs.length).toBe(before);
    expect(() => runtime.openSession({ session_id: 's3' })).toThrow(/stopped/);
  });

  it('fails at startup on a graph with a cycle (RK-07)', () => {
    expect(() =>
      buildSimRuntime({
        bus,
        graph: {
          nodes: [
            { node_id: 'a', node_type: 'llm' },
            { node_id: 'b', node_type: 'tts' },
          ],
          edges: [
            { edge_id: 'ab', from: 'a', to: 'b' },
            { edge_id: 'ba', from: 'b', to: 'a' },
          ],
        },
      }),
    ).toThrow(/cycle/);
  });

  it('runs any DAG: an LLM-only graph answers with text on the DataLane', async () => {
    const { runtime, time } = buildSimRuntime({
      bus: createEmbeddedBus(),
      graph: { nodes: [{ node_id: 'brain', node_type: 'llm' }], edges: [] },
    });
    runtime.openSession({ session_id: 's1' });
    const outputs: RuntimeOutput[] = [];
    runtime.subscribe('s1', (o) => outputs.push(o));
    runtime.feed(
      's1',
      transportEvent('s1', { at_ms: 0, kind: 'transcript_final', text: 'hi' }, 1, 1),
    );
    await time.advanceTo(2000);
    const data = outputs.flatMap((o) => (o.kind === 'data' ? [o] : []));
    expect(data.length).toBe(6);
    expect(data.every((d) => d.record.payload_class === 'text_raw')).toBe(true);
    expect(summarize(outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []))).at(-2)).toBe(
      'RK-03 commit turn-1',
    );
  });

  it('keeps sessions apart: a barge-in in one session does not touch the other', async () => {
    const { runtime, time } = buildSimRuntime({ bus: createEmbeddedBus() });
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (const id of ['a', 'b']) {
      runtime.openSession({ session_id: id });
      runtime.subscribe(id, (o) => {
        if (o.kind === 'control') seen[id]?.push(summarize([o.record])[0] ?? '');
      });
      runtime.feed(
        id,
        transportEvent(id, { at_ms: 0, kind: 'transcript_final', text: 'hi' }, 1, 1),
      );
    }
    await time.advanceTo(620);
    runtime.feed('a', transportEvent('a', { at_ms: 620, kind: 'speech_started' }, 2, 1));
    await time.advanceTo(3000);
    await runtime.stop();
    expect(seen['a']).toContain('RK-03 abort(cancelled) turn-1');
    expect(seen['b']).toContain('RK-03 commit turn-1');
    expect(seen['b']?.some((l) => l.includes('barge_in'))).toBe(false);
  });

  it('accepts audio frames (RK-05 checked, bounded) and hands them to STT with the next turn', async () => {
    const { runtime, time } = buildSimRuntime({ bus: createEmbeddedBus() });
    runtime.openSession({ session_id: 's1' });
    const outputs: RuntimeOutput[] = [];
    runtime.subscribe('s1', (o) => outputs.push(o));
    const audio = {
      kind: 'audio' as const,
      pcm: new Int16Array(320),
      sample_rate_hz: 16_000,
      duration_ms: 20,
    };
    for (let n = 1; n <= 40; n += 1) {
      const event = transportEvent('s1', { at_ms: 0, kind: 'audio_frame' }, n, 1);
      expect(runtime.feed('s1', { ...event, audio })).toEqual({ accepted: true });
    }
    // A proposal from the session: a final transcript event, here with the words the STT must find.
    runtime.feed(
      's1',
      transportEvent('s1', { at_ms: 0, kind: 'transcript_final', text: 'x' }, 41, 1),
    );
    await time.advanceTo(3000);
    const lines = summarize(outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : [])));
    expect(lines.at(-2)).toBe('RK-03 commit turn-1');
  });

  it('rejects a proposal pre-turn when local capacity is exhausted (RK-25, T2)', async () => {
    const { runtime, time } = buildSimRuntime({
      bus: createEmbeddedBus(),
      limits: { max_active_turns: 1 },
    });
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (const id of ['a', 'b']) {
      runtime.openSession({ session_id: id });
      runtime.subscribe(id, (o) => {
        if (o.kind === 'control') seen[id]?.push(summarize([o.record])[0] ?? '');
      });
      runtime.feed(
        id,
        transportEvent(id, { at_ms: 0, kind: 'transcript_final', text: 'hi' }, 1, 1),
      );
    }
    await time.advanceTo(3000);
    expect(seen['a']?.at(-2)).toBe('RK-03 commit turn-1');
    expect(seen['b']).toEqual([
      'RK-02 turn_open_proposed(session_turn_intent) turn-1',
      'RK-25 reject(admission_capacity_reject) turn-1',
    ]);
    // Capacity is free again once turn-1 of `a` closed.
    runtime.feed(
      'b',
      transportEvent('b', { at_ms: 3000, kind: 'transcript_final', text: 'hi' }, 2, 1),
    );
    await time.advanceTo(6000);
    expect(seen['b']?.at(-2)).toBe('RK-03 commit turn-2');
    await runtime.stop();
  });
});
