/**
 * RK-07 with RK-12/13/14 edges, through the Runtime: a fast LLM feeds TTS nodes through bounded
 * edge buffers from the plan (an edge's declared buffer, else the profile's policy for its
 * kind). Text edges are lossless by default (the producer is read more slowly); a declared lossy
 * edge sheds with drop_notice, and what was shed is exactly what its consumer never read. Every
 * edge signal is checked against the contract.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, type GraphSpec, type RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import {
  createSimLlm,
  createSimTts,
  type SimFaultPlan,
} from '../../adapters/providers/sim/index.ts';
import {
  createContractValidator,
  type ControlSignal,
  type LlmPort,
  type TtsPort,
} from '../../contracts/index.ts';
import type { EdgeBufferSpec } from '../../contracts/internal.ts';
import { createStageAEvidence } from '../../tools/run/evidence.ts';
import { transportEvent } from '../../tools/run/script.ts';
import { createSimTime, type SimTime } from '../../tools/run/sim-time.ts';

const validator = createContractValidator();
const EDGE_EMITTERS = new Set(['RK-12', 'RK-13', 'RK-14', 'RK-15']);

/** A declared lossy (`drop`) text edge buffer. */
function dropBuffer(overrides: Partial<EdgeBufferSpec> = {}): EdgeBufferSpec {
  return { strategy: 'drop', max_queue_ms: 10_000, ...overrides };
}

/** An LLM that records each delta it produced and the runtime time it did. */
function recordingLlm(port: LlmPort, time: SimTime, produced: { text: string; at: number }[]) {
  const wrapped: LlmPort = {
    capabilities: port.capabilities,
    stream: (request) => ({
      async *[Symbol.asyncIterator]() {
        for await (const chunk of port.stream(request)) {
          produced.push({ text: chunk.text, at: time.clock.now() });
          yield chunk;
        }
      },
    }),
  };
  return wrapped;
}

/** A TTS that records, per attempt, the text it read. */
function recordingTts(port: TtsPort, attempts: string[][]) {
  const wrapped: TtsPort = {
    capabilities: port.capabilities,
    stream: (request) => {
      const read: string[] = [];
      attempts.push(read);
      const input = request.input;
      return port.stream({
        ...request,
        input: {
          async *[Symbol.asyncIterator]() {
            for await (const item of input) {
              read.push(item.text);
              yield item;
            }
          },
        },
      });
    },
  };
  return wrapped;
}

/** LLM -> (fast TTS, slow TTS): a fan-out DAG whose slow branch backs up. */
function fanOut(slowBuffer: EdgeBufferSpec | undefined): GraphSpec {
  return {
    nodes: [
      { node_id: 'llm', node_type: 'llm', provider_modality: 'llm' },
      { node_id: 'tts-fast', node_type: 'tts', provider_modality: 'tts', provider_id: 'tts-fast' },
      { node_id: 'tts-slow', node_type: 'tts', provider_modality: 'tts', provider_id: 'tts-slow' },
    ],
    edges: [
      { edge_id: 'llm-fast', from: 'llm', to: 'tts-fast' },
      {
        edge_id: 'llm-slow',
        from: 'llm',
        to: 'tts-slow',
        ...(slowBuffer === undefined ? {} : { buffer: slowBuffer }),
      },
    ],
  };
}

type RunSetup = {
  /** The slow edge's declared buffer (default: none, the lossless text policy). */
  readonly slowBuffer?: EdgeBufferSpec;
  readonly deltas: number;
  /** Runtime ms the slow TTS spends per input text. */
  readonly slow_ms: number;
  readonly slowFault?: SimFaultPlan;
  /** Items of accepted input kept for retries (default 64). */
  readonly replay?: number;
};

/** Runs one turn of the fan-out graph through a Runtime on simulated time. */
async function runFanOut(setup: RunSetup) {
  const time = createSimTime();
  const bus = createEmbeddedBus();
  const produced: { text: string; at: number }[] = [];
  const fastReads: string[][] = [];
  const slowReads: string[][] = [];
  const scheduler = time.scheduler;
  const llm = recordingLlm(
    createSimLlm({
      seed: 7,
      scheduler,
      chunk_count: setup.deltas,
      first_chunk_ms: 10,
      chunk_interval_ms: 1,
    }),
    time,
    produced,
  );
  const tts = (provider_id: string, ms: number, fault?: SimFaultPlan) =>
    createSimTts({
      seed: 7,
      scheduler,
      provider_id,
      chunk_count: 1,
      first_chunk_ms: ms,
      chunk_interval_ms: ms,
      ...(fault === undefined ? {} : { fault }),
    });
  const runtime = createRuntime({
    bus,
    clock: time.clock,
    validator,
    providers: {
      llm: [llm],
      tts: [
        recordingTts(tts('tts-fast', 0), fastReads),
        recordingTts(tts('tts-slow', setup.slow_ms, setup.slowFault), slowReads),
      ],
    },
    evidence: createStageAEvidence({ validator }),
    graph: fanOut(setup.slowBuffer),
    limits: {
      node_budget_ms: 60_000,
      ...(setup.replay === undefined ? {} : { edge_capacity: setup.replay }),
    },
  });
  const outputs: RuntimeOutput[] = [];
  runtime.openSession({ session_id: 'fan', tenant_id: 'local', authority_epoch: 3 });
  runtime.subscribe('fan', (output) => outputs.push(output));
  runtime.feed(
    'fan',
    transportEvent('fan', { at_ms: 0, kind: 'transcript_final', text: 'tell me something' }, 1, 3),
  );
  const control = () => outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
  const ended = () => control().some((s) => s.signal === 'close');
  for (let at = 10; !ended() && at <= 20_000; at += 10) await time.advanceTo(at);
  await runtime.stop();
  await bus.close();
  const signals = control();
  const edgeSignals = signals.filter((s) => EDGE_EMITTERS.has(s.emitted_by));
  const egress = (node: string) =>
    outputs.filter((o) => o.kind === 'data' && o.record.node_id === node).length;
  const terminal = signals.find((s) => s.signal === 'commit' || s.signal === 'abort');
  return { time, outputs, signals, edgeSignals, produced, fastReads, slowReads, egress, terminal };
}

/** Every signal is contract-valid, with `seq_range` start <= end. */
function problems(signals: readonly ControlSignal[]): string[] {
  return signals.flatMap((s) => {
    const result = validator.validate('control_signal', s);
    const issues = result.valid
      ? []
      : result.issues.map((i) => `${s.signal}: ${JSON.stringify(i)}`);
    if (s.seq_range !== undefined && s.seq_range.start > s.seq_range.end) issues.push('seq_range');
    return issues;
  });
}

const trace = (signals: readonly ControlSignal[]) =>
  signals.map((s) =>
    s.signal === 'drop_notice'
      ? `${s.edge_id} drop_notice ${String(s.seq_range?.start)}-${String(s.seq_range?.end)}`
      : `${String(s.edge_id)} ${s.signal}`,
  );

/** Runtime sequences named by the drop_notices of `edge`, ascending. */
function droppedSeqs(signals: readonly ControlSignal[], edge: string): number[] {
  const seqs: number[] = [];
  for (const s of signals) {
    if (s.signal !== 'drop_notice' || s.edge_id !== edge || s.seq_range === undefined) continue;
    for (let q = s.seq_range.start; q <= s.seq_range.end; q += 1) seqs.push(q);
  }
  return seqs.sort((a, b) => a - b);
}

describe('graph edges through the Runtime (RK-07 with RK-12/13/14)', () => {
  it('sheds on a declared `drop` edge behind a slow consumer with drop_notice, and commits', async () => {
    const run = await runFanOut({
      slowBuffer: dropBuffer({
        max_queue_items: 4,
        watermarks: { queue_items: { high: 3, low: 1 } },
      }),
      deltas: 12,
      slow_ms: 50,
    });
    expect(run.terminal?.signal).toBe('commit');
    expect(problems(run.signals)).toEqual([]);
    const texts = run.produced.map((p) => p.text);
    // The fast branch never backs up: no signal, every delta read.
    expect(run.edgeSignals.filter((s) => s.edge_id === 'llm-fast')).toEqual([]);
    expect(run.fastReads).toEqual([texts]);
    // The slow branch: seq_range names exactly the deltas the slow TTS never read.
    const dropped = droppedSeqs(run.edgeSignals, 'llm-slow');
    expect(dropped.length).toBeGreaterThan(0);
    expect(run.slowReads).toEqual([texts.filter((_t, i) => !dropped.includes(i))]);
    const lines = trace(run.edgeSignals);
    expect(lines.slice(0, 2)).toEqual(['llm-slow watermark', 'llm-slow flow_xoff']);
    expect(lines.at(-1)).toBe('llm-slow flow_xon');
    for (const s of run.edgeSignals) {
      expect(s).toMatchObject({ event_scope: 'turn', turn_id: 'turn-1', target_lane: 'DataLane' });
    }
    const notice = run.edgeSignals.find((s) => s.signal === 'drop_notice');
    expect(notice).toMatchObject({ emitted_by: 'RK-12', reason: 'queue_pressure_drop' });
    expect(run.egress('tts-slow')).toBe(12 - dropped.length);
    // The committed reply is what the transport received: spoken by both TTS nodes.
    expect(run.time.clock.pendingTimers()).toBe(0);
  });

  it('holds a lossless text edge by backpressure: flow_xoff, the LLM read more slowly, flow_xon, no shed', async () => {
    const run = await runFanOut({ deltas: 60, slow_ms: 40 });
    expect(run.terminal?.signal).toBe('commit');
    expect(problems(run.signals)).toEqual([]);
    const slow = run.edgeSignals.filter((s) => s.edge_id === 'llm-slow');
    expect(slow.map((s) => s.signal)).toContain('flow_xoff');
    expect(slow.some((s) => s.signal === 'drop_notice')).toBe(false);
    expect(slow.at(-1)?.signal).toBe('flow_xon');
    // Every delta was read by both consumers, in order.
    const texts = run.produced.map((p) => p.text);
    expect(texts).toHaveLength(60);
    expect(run.slowReads).toEqual([texts]);
    expect(run.fastReads).toEqual([texts]);
    // The LLM waited: its last delta came well after the 60 ms an unthrottled run takes.
    expect(run.produced.at(-1)?.at ?? 0).toBeGreaterThan(40 * 10);
  });

  it('bounds a producer wait by max_block_time_ms, then a parked `block` offer is shed deterministically', async () => {
    const block: EdgeBufferSpec = {
      strategy: 'block',
      max_block_time_ms: 30,
      max_queue_items: 2,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 2, low: 0 } },
    };
    const setup = { slowBuffer: block, deltas: 8, slow_ms: 100 };
    const run = await runFanOut(setup);
    expect(run.terminal?.signal).toBe('commit');
    expect(problems(run.signals)).toEqual([]);
    const notices = run.edgeSignals.filter((s) => s.signal === 'drop_notice');
    const dropped = droppedSeqs(notices, 'llm-slow');
    expect(dropped.length).toBeGreaterThan(0);
    // A parked delta is shed exactly max_block_time_ms after it was offered, never later.
    for (const notice of notices) {
      const seq = notice.seq_range?.start ?? -1;
      expect(notice.runtime_timestamp_ms).toBe((run.produced[seq]?.at ?? NaN) + 30);
    }
    const texts = run.produced.map((p) => p.text);
    expect(run.slowReads).toEqual([texts.filter((_t, i) => !dropped.includes(i))]);
    // The same run again gives the same ControlLane sequence (manual clock, no wall time).
    const again = await runFanOut(setup);
    expect(trace(again.edgeSignals)).toEqual(trace(run.edgeSignals));
    expect(again.edgeSignals.map((s) => s.runtime_timestamp_ms)).toEqual(
      run.edgeSignals.map((s) => s.runtime_timestamp_ms),
    );
  });

  it('resumes a provider that declares a safe resume: the retry re-reads what was accepted', async () => {
    const slowFault: SimFaultPlan = (attempt) =>
      attempt.attempt === 1 && attempt.provider_id === 'tts-slow'
        ? { kind: 'disconnect', after_chunks: 2 }
        : undefined;
    const run = await runFanOut({
      slowBuffer: dropBuffer({
        max_queue_items: 3,
        watermarks: { queue_items: { high: 2, low: 0 } },
      }),
      deltas: 12,
      slow_ms: 30,
      slowFault,
    });
    expect(run.terminal?.signal).toBe('commit');
    expect(problems(run.signals)).toEqual([]);
    expect(run.signals.some((s) => s.signal === 'provider_error')).toBe(true);
    const [first, retry, ...rest] = run.slowReads;
    expect(rest).toEqual([]);
    const dropped = droppedSeqs(run.edgeSignals, 'llm-slow');
    expect(dropped.length).toBeGreaterThan(0);
    const accepted = run.produced.map((p) => p.text).filter((_t, i) => !dropped.includes(i));
    // The retry reads what the first attempt read, then continues: never a shed item.
    expect(retry).toEqual(accepted);
    expect(retry?.slice(0, first?.length)).toEqual(first);
    // Output the first attempt already forwarded is not forwarded twice.
    expect(run.egress('tts-slow')).toBe(accepted.length);
  });

  it('fails a retry without calling the provider once the input log forgot accepted items', async () => {
    const run = await runFanOut({
      slowBuffer: dropBuffer({ max_queue_items: 16 }),
      deltas: 6,
      slow_ms: 10,
      replay: 2,
      slowFault: (attempt) =>
        attempt.attempt === 1 && attempt.provider_id === 'tts-slow'
          ? { kind: 'disconnect', after_chunks: 4 }
          : undefined,
    });
    expect(run.terminal).toMatchObject({ signal: 'abort', reason: 'provider_failure' });
    expect(problems(run.signals)).toEqual([]);
    // Only the first attempt reached the provider: a partial re-read would not continue its output.
    expect(run.slowReads).toHaveLength(1);
    expect(run.slowReads[0]?.length).toBeGreaterThan(2);
  });
});

describe('the simple-mode plan (issue 9, item 2): reply text is never shed', () => {
  async function chattyTurn(buffer?: EdgeBufferSpec) {
    const time = createSimTime();
    const bus = createEmbeddedBus();
    const scheduler = time.scheduler;
    const produced: { text: string; at: number }[] = [];
    const reads: string[][] = [];
    const runtime = createRuntime({
      bus,
      clock: time.clock,
      validator,
      providers: {
        llm: [
          recordingLlm(
            createSimLlm({ seed: 3, scheduler, chunk_count: 90, chunk_interval_ms: 1 }),
            time,
            produced,
          ),
        ],
        // A TTS that reads one chunk at a time and speaks it in real time (3 x 20 ms frames).
        tts: [recordingTts(createSimTts({ seed: 3, scheduler, chunk_count: 3 }), reads)],
      },
      evidence: createStageAEvidence({ validator }),
      graph: {
        nodes: [
          { node_id: 'llm', node_type: 'llm', provider_modality: 'llm' },
          { node_id: 'tts', node_type: 'tts', provider_modality: 'tts' },
        ],
        edges: [
          {
            edge_id: 'llm-tts',
            from: 'llm',
            to: 'tts',
            ...(buffer === undefined ? {} : { buffer }),
          },
        ],
      },
    });
    const outputs: RuntimeOutput[] = [];
    runtime.openSession({ session_id: 'edges', tenant_id: 'local', authority_epoch: 1 });
    runtime.subscribe('edges', (output) => outputs.push(output));
    await time.advanceTo(100);
    runtime.feed(
      'edges',
      transportEvent('edges', { at_ms: 100, kind: 'transcript_final', text: 'go on' }, 1, 1),
    );
    await time.advanceTo(12_000);
    await runtime.stop();
    await bus.close();
    const control = outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
    const frames = outputs.filter((o) => o.kind === 'data').length;
    const reply = outputs.find((o) => o.kind === 'reply');
    return { control, frames, produced, reads, reply, outputs };
  }

  it('speaks every word of a chatty LLM through a slow TTS, then commits', async () => {
    const run = await chattyTurn();
    expect(problems(run.control)).toEqual([]);
    const lines = run.control.map((s) => `${s.emitted_by} ${s.signal}`);
    expect(lines).toContain('RK-03 commit');
    expect(lines).not.toContain('RK-12 drop_notice');
    const edge = run.control.filter((s) => s.edge_id === 'llm-tts');
    expect(edge.slice(0, 2).map((s) => s.signal)).toEqual(['watermark', 'flow_xoff']);
    expect(edge.at(-1)?.signal).toBe('flow_xon');
    // 90 deltas, 3 frames each: every frame reached the transport.
    expect(run.produced).toHaveLength(90);
    expect(run.frames).toBe(270);
    const said = run.produced.map((p) => p.text).join('');
    expect(run.reads).toEqual([run.produced.map((p) => p.text)]);
    expect(run.reply).toMatchObject({ kind: 'reply', text: said, interrupted: false });
    expect(run.outputs.filter((o) => o.kind === 'diagnostic')).toEqual([]);
  });

  it('records exactly what a user-declared lossy text edge delivered', async () => {
    const run = await chattyTurn(
      dropBuffer({ max_queue_items: 4, watermarks: { queue_items: { high: 3, low: 1 } } }),
    );
    expect(run.control.map((s) => s.signal)).toContain('commit');
    const dropped = droppedSeqs(run.control, 'llm-tts');
    expect(dropped.length).toBeGreaterThan(0);
    const kept = run.produced.map((p) => p.text).filter((_t, i) => !dropped.includes(i));
    // The TTS read exactly what was not shed; the reply record says exactly that.
    expect(run.reads).toEqual([kept]);
    expect(run.frames).toBe(kept.length * 3);
    expect(run.reply).toMatchObject({ text: kept.join(''), interrupted: false });
  });
});
