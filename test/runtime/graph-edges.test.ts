/**
 * RK-07 with RK-12/13/14 edges: graph runs on simulated time where a fast LLM feeds TTS nodes
 * through bounded edge buffers configured from the plan. Every edge signal is checked against
 * the contract; shedding never ends the turn unless the plan forces it.
 */
import { describe, expect, it } from 'vitest';
import {
  compileRuntimeGraph,
  createGraphExecution,
  createRuntime,
  SIMPLE_EDGE_PLAN,
  type BufferPolicy,
  type EdgePlan,
  type ExecutionReport,
  type GraphSpec,
  type RuntimeOutput,
} from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import {
  createSimLlm,
  createSimTts,
  type SimFaultPlan,
} from '../../adapters/providers/sim/index.ts';
import {
  createContractValidator,
  type AdaptiveAction,
  type ControlSignal,
  type LlmPort,
  type TtsPort,
} from '../../contracts/index.ts';
import { createStageAEvidence } from '../../tools/run/evidence.ts';
import { transportEvent } from '../../tools/run/script.ts';
import { createSimTime, type SimTime } from '../../tools/run/sim-time.ts';

const validator = createContractValidator();
const EDGE_EMITTERS = new Set(['RK-12', 'RK-13', 'RK-14', 'RK-15']);

/** The simple-mode `default` BufferSpec with overrides. */
function bufferPolicy(overrides: Partial<BufferPolicy>): BufferPolicy {
  const base = SIMPLE_EDGE_PLAN.edge_buffer_policies['default'];
  if (base === undefined) throw new Error('no default policy');
  return { ...base, ...overrides };
}

/** A plan edge section: the simple default plus `edges` by edge id. */
function edgePlan(
  edges: Record<string, BufferPolicy>,
  shedding: EdgePlan['flow_control']['shedding_strategy_by_lane']['DataLane'] = 'drop',
): EdgePlan {
  const flow = SIMPLE_EDGE_PLAN.flow_control;
  return {
    edge_buffer_policies: { ...SIMPLE_EDGE_PLAN.edge_buffer_policies, ...edges },
    flow_control: {
      ...flow,
      shedding_strategy_by_lane: { ...flow.shedding_strategy_by_lane, DataLane: shedding },
    },
  };
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
const FAN_OUT: GraphSpec = {
  nodes: [
    { node_id: 'llm', node_type: 'llm', provider_modality: 'llm' },
    { node_id: 'tts-fast', node_type: 'tts', provider_modality: 'tts', provider_id: 'tts-fast' },
    { node_id: 'tts-slow', node_type: 'tts', provider_modality: 'tts', provider_id: 'tts-slow' },
  ],
  edges: [
    { edge_id: 'llm-fast', from: 'llm', to: 'tts-fast' },
    { edge_id: 'llm-slow', from: 'llm', to: 'tts-slow' },
  ],
};

type RunSetup = {
  readonly plan: EdgePlan;
  readonly deltas: number;
  /** Runtime ms the slow TTS spends per input text. */
  readonly slow_ms: number;
  readonly slowFault?: SimFaultPlan;
  readonly actions?: readonly AdaptiveAction[];
  /** Items of accepted input kept for retries (default 64). */
  readonly replay?: number;
};

/** Runs FAN_OUT to its end on simulated time. */
async function runFanOut(setup: RunSetup) {
  const time = createSimTime();
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
  const fast = createSimTts({
    seed: 7,
    scheduler,
    provider_id: 'tts-fast',
    chunk_count: 1,
    first_chunk_ms: 0,
    chunk_interval_ms: 0,
  });
  const slow = createSimTts({
    seed: 7,
    scheduler,
    provider_id: 'tts-slow',
    chunk_count: 1,
    first_chunk_ms: setup.slow_ms,
    chunk_interval_ms: setup.slow_ms,
    ...(setup.slowFault === undefined ? {} : { fault: setup.slowFault }),
  });
  const compiled = compileRuntimeGraph(FAN_OUT);
  if (!compiled.ok) throw new Error(compiled.message);
  const reports: ExecutionReport[] = [];
  const execution = createGraphExecution({
    graph: compiled.graph,
    identity: {
      session_id: 'sess-1',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 3,
      turn_id: 'turn-1',
    },
    clock: time.clock,
    providers: {
      llm: [llm],
      tts: [recordingTts(fast, fastReads), recordingTts(slow, slowReads)],
    },
    bindings: {},
    allowed_adaptive_actions: setup.actions ?? ['retry'],
    input: [{ kind: 'text', text: 'tell me something' }],
    history: [],
    edge_capacity: setup.replay ?? 64,
    edge_plan: setup.plan,
    report: (report) => reports.push(report),
  });
  execution.start();
  const ended = () =>
    reports.some((r) => r.kind !== 'signal' && r.kind !== 'attempt' && r.kind !== 'egress');
  for (let at = 10; !ended() && at <= 10_000; at += 10) await time.advanceTo(at);
  const signals = reports.flatMap((r) => (r.kind === 'signal' ? [r.signal] : []));
  const edgeSignals = signals.filter((s) => EDGE_EMITTERS.has(s.emitted_by));
  const egress = (node: string) =>
    reports.filter((r) => r.kind === 'egress' && r.node_id === node).length;
  return { time, reports, signals, edgeSignals, produced, fastReads, slowReads, egress };
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

const kinds = (reports: readonly ExecutionReport[]) =>
  reports.filter((r) => r.kind === 'completed' || r.kind === 'failed' || r.kind === 'overflow');

describe('graph executor edges (RK-07 with RK-12/13/14)', () => {
  it('sheds on a `drop` edge behind a slow consumer with drop_notice, and the turn completes', async () => {
    const drop = bufferPolicy({
      max_queue_items: 4,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 3, low: 1 } },
    });
    const run = await runFanOut({ plan: edgePlan({ 'llm-slow': drop }), deltas: 12, slow_ms: 50 });
    expect(kinds(run.reports).map((r) => r.kind)).toEqual(['completed']);
    expect(problems(run.signals)).toEqual([]);
    const texts = run.produced.map((p) => p.text);
    // The fast branch never backs up: no signal, every delta read.
    expect(run.edgeSignals.filter((s) => s.edge_id === 'llm-fast')).toEqual([]);
    expect(run.fastReads).toEqual([texts]);
    // The slow branch: seq_range names exactly the deltas the slow TTS never read.
    const dropped = droppedSeqs(run.edgeSignals, 'llm-slow');
    expect(dropped.length).toBeGreaterThan(0);
    expect(run.slowReads).toEqual([texts.filter((_t, i) => !dropped.includes(i))]);
    expect(run.slowReads[0]).toHaveLength(12 - dropped.length);
    const lines = trace(run.edgeSignals);
    expect(lines.slice(0, 2)).toEqual(['llm-slow watermark', 'llm-slow flow_xoff']);
    expect(lines.at(-1)).toBe('llm-slow flow_xon');
    for (const s of run.edgeSignals) {
      expect(s).toMatchObject({ event_scope: 'turn', turn_id: 'turn-1', target_lane: 'DataLane' });
    }
    const notice = run.edgeSignals.find((s) => s.signal === 'drop_notice');
    expect(notice).toMatchObject({ emitted_by: 'RK-12', reason: 'queue_pressure_drop' });
    expect(run.egress('tts-slow')).toBe(12 - dropped.length);
    expect(run.time.clock.pendingTimers()).toBe(0);
  });

  it('asserts flow_xoff at the high watermark and flow_xon at the low one in `signal` mode', async () => {
    const roomy = bufferPolicy({
      max_queue_items: 8,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 3, low: 1 } },
    });
    const run = await runFanOut({ plan: edgePlan({ 'llm-slow': roomy }), deltas: 6, slow_ms: 40 });
    expect(kinds(run.reports).map((r) => r.kind)).toEqual(['completed']);
    expect(problems(run.signals)).toEqual([]);
    expect(trace(run.edgeSignals)).toEqual([
      'llm-slow watermark',
      'llm-slow flow_xoff',
      'llm-slow flow_xon',
    ]);
    expect(run.edgeSignals.map((s) => [s.emitted_by, s.reason])).toEqual([
      ['RK-13', 'edge_watermark_high'],
      ['RK-14', 'backpressure_asserted'],
      ['RK-14', undefined],
    ]);
    expect(run.slowReads).toEqual([run.produced.map((p) => p.text)]);
  });

  it('blocks a producer on a `block` edge for max_block_time_ms, then sheds it deterministically', async () => {
    const block = bufferPolicy({
      strategy: 'block',
      lane_handling: { ...bufferPolicy({}).lane_handling, DataLane: 'block' },
      max_block_time_ms: 30,
      max_queue_items: 2,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 2, low: 0 } },
    });
    const setup = { plan: edgePlan({ 'llm-slow': block }), deltas: 8, slow_ms: 100 };
    const run = await runFanOut(setup);
    expect(kinds(run.reports).map((r) => r.kind)).toEqual(['completed']);
    expect(problems(run.signals)).toEqual([]);
    const notices = run.edgeSignals.filter((s) => s.signal === 'drop_notice');
    const dropped = droppedSeqs(notices, 'llm-slow');
    expect(dropped.length).toBeGreaterThan(0);
    // Each parked delta is shed exactly max_block_time_ms after it was offered, never later.
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

  it('re-reads the same accepted input on a provider retry after shedding', async () => {
    const drop = bufferPolicy({
      max_queue_items: 3,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 2, low: 0 } },
    });
    const slowFault: SimFaultPlan = (attempt) =>
      attempt.attempt === 1 && attempt.provider_id === 'tts-slow'
        ? { kind: 'disconnect', after_chunks: 2 }
        : undefined;
    const run = await runFanOut({
      plan: edgePlan({ 'llm-slow': drop }),
      deltas: 12,
      slow_ms: 30,
      slowFault,
    });
    expect(kinds(run.reports).map((r) => r.kind)).toEqual(['completed']);
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
    const roomy = bufferPolicy({ max_queue_items: 16, max_queue_ms: 10_000 });
    const run = await runFanOut({
      plan: edgePlan({ 'llm-slow': roomy }),
      deltas: 6,
      slow_ms: 10,
      replay: 2,
      slowFault: (attempt) =>
        attempt.attempt === 1 && attempt.provider_id === 'tts-slow'
          ? { kind: 'disconnect', after_chunks: 4 }
          : undefined,
    });
    expect(kinds(run.reports)).toMatchObject([
      { kind: 'failed', request: { node_id: 'tts-slow', failure: 'provider' } },
    ]);
    expect(problems(run.signals)).toEqual([]);
    // Only the first attempt reached the provider: a partial re-read would not continue its output.
    expect(run.slowReads).toHaveLength(1);
    expect(run.slowReads[0]?.length).toBeGreaterThan(2);
  });

  it('ends the turn (overflow) after the drop_notice when the plan sheds DataLane by `degrade`', async () => {
    const drop = bufferPolicy({
      max_queue_items: 2,
      max_queue_ms: 10_000,
      watermarks: { queue_items: { high: 2, low: 0 } },
    });
    const run = await runFanOut({
      plan: edgePlan({ 'llm-slow': drop }, 'degrade'),
      deltas: 8,
      slow_ms: 50,
    });
    expect(kinds(run.reports)).toEqual([{ kind: 'overflow', node_id: 'tts-slow' }]);
    expect(problems(run.signals)).toEqual([]);
    expect(trace(run.edgeSignals)).toEqual([
      'llm-slow watermark',
      'llm-slow flow_xoff',
      'llm-slow drop_notice 3-3',
    ]);
    expect(run.time.clock.pendingTimers()).toBe(0);
  });
});

describe('runtime with the simple-mode plan (RK-12 default edge)', () => {
  it('sheds a chatty LLM into a slow TTS with drop_notice and still commits the turn', async () => {
    const time = createSimTime();
    const bus = createEmbeddedBus();
    const scheduler = time.scheduler;
    const validatorForRuntime = createContractValidator();
    const runtime = createRuntime({
      bus,
      clock: time.clock,
      validator: validatorForRuntime,
      providers: {
        llm: [createSimLlm({ seed: 3, scheduler, chunk_count: 100, chunk_interval_ms: 1 })],
        tts: [createSimTts({ seed: 3, scheduler, chunk_count: 1, chunk_interval_ms: 40 })],
      },
      evidence: createStageAEvidence({ validator: validatorForRuntime }),
      graph: {
        nodes: [
          { node_id: 'llm', node_type: 'llm', provider_modality: 'llm' },
          { node_id: 'tts', node_type: 'tts', provider_modality: 'tts' },
        ],
        edges: [{ edge_id: 'llm-tts', from: 'llm', to: 'tts' }],
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
    await time.advanceTo(3000);
    await runtime.stop();
    await bus.close();
    const control = outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : []));
    expect(problems(control)).toEqual([]);
    const lines = control.map((s) => `${s.emitted_by} ${s.signal}`);
    expect(lines).toContain('RK-03 commit');
    expect(lines).not.toContain('RK-03 abort');
    const edge = control.filter((s) => s.edge_id === 'llm-tts');
    expect(edge.slice(0, 2).map((s) => s.signal)).toEqual(['watermark', 'flow_xoff']);
    expect(edge.some((s) => s.signal === 'drop_notice')).toBe(true);
    expect(edge.at(-1)?.signal).toBe('flow_xon');
    // Signal precedes action; every edge signal comes before the terminal.
    expect(lines.indexOf('RK-03 commit')).toBeGreaterThan(
      control.indexOf(edge.at(-1) as ControlSignal),
    );
    expect(outputs.filter((o) => o.kind === 'diagnostic')).toEqual([]);
  });
});
