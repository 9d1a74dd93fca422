/**
 * Issue 9, what an embedder hit, through the public Runtime API (createRuntime, openSession,
 * feed, subscribe, setAuthority) on the embedded bus: each item has its regression test here
 * (items 1, 4, 6 and 8 also over NATS in nats-embedder.test.ts; item 2 in graph-edges.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { RuntimeOutput } from '../../actors/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { openEmbedder, SIM_AUDIO_FRAME, turnSignals } from './embedder-kit.ts';
import { machineOutputs } from './kit.ts';

const FLUSH = 'playback_cancelled(cancel_fence_applied)';
/** How a turn ended by a barge-in ends, signal by signal (ADR 0027). */
const BARGED_IN = ['barge_in', 'cancel', FLUSH, 'abort(cancelled)', 'close'];

describe('issue 9, item 5: one order for every way a turn ends early', () => {
  it('an ingress cancel: cancel, playback_cancelled, abort(cancelled), close', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    e.feed('cancel');
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1').slice(-4)).toEqual([
      'cancel',
      FLUSH,
      'abort(cancelled)',
      'close',
    ]);
    await e.finish();
  });

  it('a barge-in: barge_in, cancel, playback_cancelled, abort(cancelled), close', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    e.feed('speech_started');
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1').slice(-5)).toEqual(BARGED_IN);
    await e.finish();
  });

  it('a revoke: deauthorized_drain, playback_cancelled, abort(authority_loss), close', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    expect(e.runtime.setAuthority('s1', { authorized: false })).toBe(true);
    await e.untilClosed('turn-1');
    expect(turnSignals(e.control(), 'turn-1').slice(-4)).toEqual([
      'deauthorized_drain(authority_revoked_in_turn)',
      FLUSH,
      'abort(authority_loss)',
      'close',
    ]);
    await e.finish();
  });

  it('a teardown: disconnected, stall, playback_cancelled, abort, close', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    await e.runtime.closeSession('s1');
    expect(turnSignals(e.control(), 'turn-1').slice(-5)).toEqual([
      'disconnected(transport_disconnect_or_stall)',
      'stall(transport_disconnect_or_stall)',
      FLUSH,
      'abort(transport_disconnect_or_stall)',
      'close',
    ]);
    await e.finish();
  });

  it('a provider that gives up: its errors, playback_cancelled, abort(provider_failure), close', async () => {
    const e = await openEmbedder({
      llm: [{ fault: { kind: 'rate_limit' }, first_chunk_ms: 5 }],
    });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    const signals = turnSignals(e.control(), 'turn-1');
    expect(signals.slice(-3)).toEqual([FLUSH, 'abort(provider_failure)', 'close']);
    expect(signals.some((s) => s.startsWith('provider_error'))).toBe(true);
    await e.finish();
  });

  it('flushes playback once even when a revoke replaces a cancel being finalized', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    e.feed('cancel');
    e.runtime.setAuthority('s1', { authorized: false });
    await e.untilClosed('turn-1');
    const signals = turnSignals(e.control(), 'turn-1');
    expect(signals.filter((s) => s === FLUSH)).toHaveLength(1);
    expect(signals.slice(-2)).toEqual(['abort(authority_loss)', 'close']);
    await e.finish();
  });
});

describe('issue 9, item 7: feed() fences at once and leaves the rest for after it returns', () => {
  for (const [kind, ends] of [
    ['cancel', ['cancel', FLUSH]],
    ['speech_started', ['barge_in', 'cancel', FLUSH]],
  ] as const) {
    it(`a ${kind}: fenced when feed returns; its signals, abort and close follow, nothing of the turn after`, async () => {
      const e = await openEmbedder();
      e.feed('transcript_final', 'hello there');
      await e.time.advanceTo(600);
      expect(e.outputs.some((o) => o.kind === 'data')).toBe(true); // the turn is speaking
      const before = turnSignals(e.control(), 'turn-1');
      expect(e.feed(kind)).toEqual({ accepted: true });
      const returned = e.outputs.length;
      // On return only the fence is applied: the machines take the event after feed returns.
      expect(turnSignals(e.control(), 'turn-1')).toEqual(before);
      await e.untilClosed('turn-1');
      const after = e.outputs.slice(returned);
      expect(after.filter((o) => o.kind === 'data')).toEqual([]);
      const later = after.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
      expect(turnSignals(later, 'turn-1')).toEqual([...ends, 'abort(cancelled)', 'close']);
      await e.finish();
    });
  }

  it('keeps the order of what is fed after a fencing feed in the same tick', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.time.advanceTo(600);
    expect(e.feed('speech_started')).toEqual({ accepted: true });
    expect(e.feed('transcript_final', 'stop, I meant something else')).toEqual({ accepted: true });
    // Still turn-1's (it has not closed): the machines see it after the barge-in, as if in sync.
    expect(e.feed('cancel')).toEqual({ accepted: true });
    await e.untilClosed('turn-2');
    await e.finish();
    expect(turnSignals(e.control(), 'turn-1').slice(-5)).toEqual(BARGED_IN);
    const proposals = e.control().filter((s) => s.signal === 'turn_open_proposed');
    expect(proposals.map((s) => [s.turn_id, s.causal_parent_id])).toEqual([
      ['turn-1', e.ingressIds[0]],
      ['turn-2', e.ingressIds[2]],
    ]);
    expect(turnSignals(e.control(), 'turn-2').slice(-2)).toEqual(['commit', 'close']);
  });
});

describe('issue 9, item 6: every turn-scoped output names its turn, and which input it took', () => {
  it('carries turn_id on proposals, transitions and every turn-scoped record', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    const proposal = e.control().find((s) => s.signal === 'turn_open_proposed');
    expect(proposal).toMatchObject({
      event_scope: 'session',
      turn_id: 'turn-1',
      causal_parent_id: e.ingressIds[0],
    });
    const transitions = e.outputs.filter((o) => o.kind === 'transition');
    expect(transitions.length).toBeGreaterThan(0);
    for (const t of transitions) expect(t).toMatchObject({ turn_id: 'turn-1' });
    for (const o of e.outputs) {
      if (o.kind === 'control' && o.record.event_scope === 'turn')
        expect(o.record.turn_id).toBe('turn-1');
      if (o.kind === 'data') expect(o.record.turn_id).toBe('turn-1');
      if (o.kind === 'outcome' && o.outcome.scope === 'turn')
        expect(o.outcome.turn_id).toBe('turn-1');
    }
  });

  it('reports which input each turn took and which inputs no turn will answer, and why', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'first'); // in/s1/000001 -> turn-1
    await e.time.advanceTo(600);
    e.feed('transcript_final', 'second'); // barge-in; waits for turn-1 to close
    e.feed('transcript_final', 'third'); // replaces "second"
    await e.untilClosed('turn-2');
    await e.finish();
    const proposals = e.control().filter((s) => s.signal === 'turn_open_proposed');
    expect(proposals.map((s) => [s.turn_id, s.causal_parent_id])).toEqual([
      ['turn-1', e.ingressIds[0]],
      ['turn-2', e.ingressIds[2]],
    ]);
    const superseded = e.outputs.filter((o) => o.kind === 'input_superseded');
    expect(superseded).toEqual([
      { kind: 'input_superseded', input_id: e.ingressIds[1], reason: 'replaced_by_newer_input' },
    ]);
    // turn-2 answered "third": its LLM read those words last.
    expect(e.llmReads[1]?.at(-1)).toMatchObject({ role: 'user', text: 'third' });
  });
});

describe('issue 9, item 3: the agent replies enter the conversation history', () => {
  it('shows the LLM both roles: a committed reply whole, an interrupted one as heard', async () => {
    const e = await openEmbedder({ llm: [{ chunk_count: 12, chunk_interval_ms: 20 }] });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    const first = e.outputs.find(
      (o): o is Extract<RuntimeOutput, { kind: 'reply' }> => o.kind === 'reply',
    );
    expect(first).toMatchObject({ turn_id: 'turn-1', interrupted: false });
    expect(first?.text.split(' ')).toHaveLength(12);

    e.feed('transcript_final', 'tell me more');
    // Let a few frames of turn-2 reach the transport, then barge in.
    const data = () => e.outputs.filter((o) => o.kind === 'data' && o.record.turn_id === 'turn-2');
    while (data().length < 3) await e.time.advanceTo(e.time.clock.now() + 5);
    const heard = data().length;
    e.feed('speech_started');
    await e.untilClosed('turn-2');
    const second = e.outputs.filter((o) => o.kind === 'reply')[1];
    expect(second).toMatchObject({ turn_id: 'turn-2', interrupted: true });

    e.feed('transcript_final', 'what did you just say?');
    await e.untilClosed('turn-3');
    await e.finish();
    // The LLM of turn-3 read: turn-1 both ways, turn-2's words and what was heard of its reply.
    const history = e.llmReads[2] ?? [];
    expect(history.map((m) => [m.role, m.text, m.interrupted ?? false])).toEqual([
      ['user', 'hello there', false],
      ['assistant', first?.text, false],
      ['user', 'tell me more', false],
      ['assistant', second?.text, true],
      ['user', 'what did you just say?', false],
    ]);
    // Each frame speaks one delta (one frame per text item): what was heard is the first deltas.
    const spoken = (second?.text ?? '').trim().split(' ');
    expect(spoken.length).toBeGreaterThanOrEqual(heard);
    expect(spoken.length).toBeLessThan(12);
  });
});

describe('issue 9, item 4: audio outputs carry their PCM', () => {
  it('delivers each frame with its samples to subscribe() and as raw bytes on the bus', async () => {
    const e = await openEmbedder();
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    const frames = e.outputs.filter((o) => o.kind === 'data');
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      if (frame.kind !== 'data') continue;
      expect(frame.payload).toEqual(SIM_AUDIO_FRAME);
      expect(frame.pcm).toBeInstanceOf(Int16Array);
      expect(frame.pcm?.some((s) => s !== 0)).toBe(true);
      const onBus = e.delivered.find((d) => d.record.event_id === frame.record.event_id);
      const bytes = onBus?.binary;
      expect(bytes).toBeInstanceOf(Uint8Array);
      const pcm = frame.pcm ?? new Int16Array(0);
      expect(Buffer.from(bytes ?? new Uint8Array(0))).toEqual(
        Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
      );
    }
  });
});

describe('issue 9, item 9: no silent re-generation after output reached the transport', () => {
  const partial = { kind: 'disconnect', after_chunks: 3 } as const;
  const failFirst = (attempt: { attempt: number }) => (attempt.attempt === 1 ? partial : undefined);

  it('ends with what was delivered when the provider cannot resume: one attempt, abort(provider_failure)', async () => {
    // The LLM is slower than speech here, so words reach the transport before the failure.
    const e = await openEmbedder({
      llm: [{ resumable: false, chunk_count: 8, chunk_interval_ms: 100, fault: failFirst }],
    });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    expect(e.llmReads).toHaveLength(1); // never called again
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual([
      'abort(provider_failure)',
      'close',
    ]);
    const reply = e.outputs.find((o) => o.kind === 'reply');
    expect(reply).toMatchObject({ interrupted: true });
    // One audio frame per word (the TTS speaks each text chunk as one frame): what was heard.
    const frames = e.outputs.filter((o) => o.kind === 'data' && o.pcm !== undefined);
    expect(frames.length).toBeGreaterThan(0);
    expect(reply?.kind === 'reply' && reply.text.split(' ')).toHaveLength(frames.length);
  });

  it('resumes a provider that declares a safe resume, without repeating what was delivered', async () => {
    const e = await openEmbedder({ llm: [{ resumable: true, chunk_count: 8, fault: failFirst }] });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    expect(e.llmReads).toHaveLength(2);
    expect(turnSignals(e.control(), 'turn-1').slice(-2)).toEqual(['commit', 'close']);
    const reply = e.outputs.find((o) => o.kind === 'reply');
    const words = reply?.kind === 'reply' ? reply.text.split(' ') : [];
    expect(words).toHaveLength(8);
    expect(new Set(words.map((w, i) => `${i}:${w}`)).size).toBe(8);
  });
});

describe('issue 9, item 10: node degrade and fallback run', () => {
  it('degrades: a reply cut by its provider ends with what was delivered and commits', async () => {
    const e = await openEmbedder({
      llm: [{ resumable: false, chunk_count: 8, fault: { kind: 'disconnect', after_chunks: 3 } }],
      snapshot: {
        policy: { status: 'ok', value: { allowed_adaptive_actions: ['retry', 'degrade'] } },
      },
    });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    const signals = turnSignals(e.control(), 'turn-1');
    expect(signals).toContain('degrade(provider_failure)');
    expect(signals.slice(-2)).toEqual(['commit', 'close']);
    const reply = e.outputs.find((o) => o.kind === 'reply');
    expect(reply?.kind === 'reply' && reply.text.split(' ')).toHaveLength(3);
  });

  it('falls back: a primary LLM with no first output in its budget hands over to its branch', async () => {
    const e = await openEmbedder({
      llm: [{ fault: { kind: 'timeout' } }, { provider_id: 'llm-b', chunk_count: 4 }],
      limits: { node_budget_ms: 500 },
      graph: {
        nodes: [
          { node_id: 'llm', node_type: 'llm', provider_id: 'llm-sim' },
          { node_id: 'llm-backup', node_type: 'llm', provider_id: 'llm-b' },
          { node_id: 'tts', node_type: 'tts' },
        ],
        edges: [{ edge_id: 'llm-tts', from: 'llm', to: 'tts' }],
        fallback_branches: [{ node_id: 'llm', fallback_node_id: 'llm-backup' }],
      },
    });
    e.feed('transcript_final', 'hello there');
    await e.untilClosed('turn-1');
    await e.finish();
    const signals = turnSignals(e.control(), 'turn-1');
    expect(signals).toContain('budget_exhausted(node_timeout_or_failure)');
    expect(signals).toContain('fallback(node_timeout_or_failure)');
    expect(signals.slice(-2)).toEqual(['commit', 'close']);
    const reply = e.outputs.find((o) => o.kind === 'reply');
    expect(reply?.kind === 'reply' && reply.text.split(' ')).toHaveLength(4);
    const fallback = e.control().find((s) => s.signal === 'fallback');
    expect(fallback).toMatchObject({ emitted_by: 'RK-17', node_id: 'llm' });
  });
});

describe('issue 9, item 1: ControlLane is never dropped', () => {
  it('1,000 turn-changing feeds in one tick: every opened turn opens, ends and closes on subscribe() and the bus, gapless', async () => {
    const e = await openEmbedder({ limits: { outbox_capacity: 16 } });
    const results = [];
    for (let i = 0; i < 1000; i += 1)
      results.push(e.feed(i % 2 === 0 ? 'transcript_final' : 'cancel', `words ${String(i)}`));
    expect(results.every((r) => r.accepted || r.rejection.code === 'saturated')).toBe(true);
    await e.time.advanceTo(e.time.clock.now() + 20_000);
    await e.finish();
    const control = e.control();
    const opened = control.filter((s) => s.signal === 'turn_open').map((s) => s.turn_id);
    expect(opened.length).toBeGreaterThan(0);
    for (const turn of opened) {
      const signals = turnSignals(control, String(turn));
      expect(signals.filter((s) => s === 'commit' || s.startsWith('abort('))).toHaveLength(1);
      expect(signals.at(-1)).toBe('close');
    }
    expect(checkTurnInvariants(machineOutputs(e.outputs), { complete: true })).toEqual([]);
    const onBus = e.delivered.filter((d) => d.record.lane === 'ControlLane').map((d) => d.record);
    expect(onBus.map((r) => r.event_id)).toEqual(control.map((r) => r.event_id));
    expect(onBus.map((r) => r.runtime_sequence)).toEqual(onBus.map((_, i) => i + 1));
    expect(e.outputs.filter((o) => o.kind === 'diagnostic')).toEqual([]);
  });
});
