import { afterEach, describe, expect, it } from 'vitest';
import type { GraphEdge } from '../../contracts/internal.ts';
import { EdgeConfigError, createManualClock, type BufferPolicy } from '../edges/index.ts';
import { IDS, plan, policy, signalLog, type SignalLog } from '../edges/test-kit.ts';
import type { GraphItem } from '../nodes/types.ts';
import { EdgeInputs, SIMPLE_EDGE_PLAN, createEdgeScope } from './edge-inputs.ts';

const A: GraphEdge = { edge_id: 'a-n', from: 'a', to: 'n' };
const B: GraphEdge = { edge_id: 'b-n', from: 'b', to: 'n' };
const text = (t: string): GraphItem => ({ kind: 'text', text: t });

const logs: SignalLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) expect(log.problems).toEqual([]);
});

function inputs(policies: Record<string, BufferPolicy>, edges: readonly GraphEdge[] = [A]) {
  const clock = createManualClock();
  const log = signalLog();
  logs.push(log);
  const frozen = plan(policies);
  const identity = {
    session_id: IDS.session_id,
    pipeline_version: 'pipeline-v1',
    turn_id: IDS.turn_id,
    authority_epoch: IDS.epoch,
  };
  const node = new EdgeInputs(createEdgeScope(frozen, clock, identity, log.emit), edges);
  return { clock, log, node };
}

const drain = (node: EdgeInputs) => {
  const out: string[] = [];
  for (let item = node.take(); item !== undefined; item = node.take()) {
    out.push(item.kind === 'text' ? item.text : 'audio');
  }
  return out;
};

describe('EdgeInputs (RK-12 on graph edges)', () => {
  it('builds an edge from its own plan entry, else from `default`', () => {
    const small = policy({ max_queue_items: 2, watermarks: { queue_items: { high: 2, low: 0 } } });
    const { log, node } = inputs({ default: policy(), 'a-n': small }, [A, B]);
    for (const t of ['a0', 'a1', 'a2']) node.push(A, text(t));
    for (const t of ['b0', 'b1', 'b2']) node.push(B, text(t));
    expect(log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 2-2',
    ]);
    expect(log.signals.map((s) => s.edge_id)).toEqual(['a-n', 'a-n', 'a-n']);
    expect(drain(node)).toEqual(['a0', 'a1', 'b0', 'b1', 'b2']);
  });

  it('takes the oldest item across edges (arrival order)', () => {
    const { node } = inputs({ default: policy() }, [A, B]);
    node.push(B, text('1'));
    node.push(A, text('2'));
    node.push(B, text('3'));
    node.push(A, text('4'));
    expect(drain(node)).toEqual(['1', '2', '3', '4']);
  });

  it('names dropped items by the node sequence in drop_notice seq_range', () => {
    const p = policy({ max_queue_items: 3, watermarks: { queue_items: { high: 2, low: 1 } } });
    const { log, node } = inputs({ default: p });
    for (let i = 0; i < 6; i += 1) node.push(A, text(`t${i}`));
    expect(log.trace()).toEqual([
      'watermark DataLane',
      'flow_xoff DataLane',
      'drop_notice DataLane 3-3',
      'drop_notice DataLane 4-4',
      'drop_notice DataLane 5-5',
    ]);
    expect(drain(node)).toEqual(['t0', 't1', 't2']);
    expect(log.trace().at(-1)).toBe('flow_xon DataLane');
  });

  it('folds text into the newest item on a `merge` edge instead of dropping', () => {
    const p = policy({ strategy: 'merge', max_queue_items: 2, watermarks: {} });
    const { log, node } = inputs({ default: p });
    for (const t of ['a', 'b', 'c', 'd']) node.push(A, text(t));
    expect(log.trace().filter((s) => s.startsWith('drop_notice'))).toEqual([]);
    expect(drain(node)).toEqual(['a', 'bcd']);
  });

  it('concatenates audio frames on merge', () => {
    const p = policy({ strategy: 'merge', max_queue_items: 1, watermarks: {} });
    const { node } = inputs({ default: p });
    const frame = (v: number): GraphItem => ({
      kind: 'audio',
      pcm: Int16Array.of(v, v),
      sample_rate_hz: 16_000,
      duration_ms: 20,
    });
    node.push(A, frame(1));
    node.push(A, frame(2));
    expect(node.take()).toEqual({
      kind: 'audio',
      pcm: Int16Array.of(1, 1, 2, 2),
      sample_rate_hz: 16_000,
      duration_ms: 40,
    });
  });

  it('refuses an edge the plan gives no policy', () => {
    const { node } = inputs({ other: policy() });
    expect(() => node.push(A, text('x'))).toThrow(EdgeConfigError);
  });

  it('flushes without notices and leaves no timer on close', () => {
    const { clock, log, node } = inputs({ default: policy() });
    node.push(A, text('x'));
    expect(clock.pendingTimers()).toBe(1);
    node.close();
    expect(clock.pendingTimers()).toBe(0);
    expect(node.take()).toBeUndefined();
    expect(log.signals).toEqual([]);
  });

  it('defaults to the simple-mode edge policy', () => {
    expect(SIMPLE_EDGE_PLAN.edge_buffer_policies['default']).toMatchObject({
      strategy: 'drop',
      max_queue_items: 64,
      watermarks: { queue_items: { high: 48, low: 24 } },
    });
  });
});
