/**
 * RK-12 edge buffer manager: one bounded buffer per edge of a turn, built from the plan's
 * `edge_buffer_policies` (an edge without its own entry uses the `default` policy).
 */
import type { ControlSignal, ResolvedTurnPlan } from '../../contracts/index.ts';
import type { RuntimeClock } from './clock.ts';
import { EdgeConfigError, type LaneTuning } from './config.ts';
import { EdgeBuffer } from './edge-buffer.ts';
import type { PayloadMerger } from './merge.ts';
import type { SignalStamper } from './stamp.ts';

/** Policy key used for edges without an explicit entry. */
export const DEFAULT_EDGE_POLICY = 'default';

/** Everything the manager needs for one turn. */
export interface EdgeManagerOptions<TPayload> {
  readonly plan: ResolvedTurnPlan;
  readonly clock: RuntimeClock;
  readonly stamp: SignalStamper;
  readonly emit: (signal: ControlSignal) => void;
  readonly merger?: PayloadMerger<TPayload>;
  readonly tuning?: Omit<LaneTuning, 'hasMerger'>;
  /** Bound on buffers per turn; asking for more throws. Default 64. */
  readonly maxEdges?: number;
}

/** The buffers of one turn. */
export interface EdgeManager<TPayload> {
  /** The buffer of `edgeId`, created on first use from its policy. */
  edge(edgeId: string): EdgeBuffer<TPayload>;
  /** Ids of the buffers created so far, in creation order. */
  edgeIds(): string[];
  /** Closes every buffer; returns the flushed records per edge. */
  close(): Map<string, ReturnType<EdgeBuffer<TPayload>['close']>>;
}

/** Creates the edge buffer manager of one turn. */
export function createEdgeManager<TPayload>(
  options: EdgeManagerOptions<TPayload>,
): EdgeManager<TPayload> {
  const { plan } = options;
  const maxEdges = options.maxEdges ?? 64;
  const buffers = new Map<string, EdgeBuffer<TPayload>>();
  return {
    edge(edgeId) {
      const existing = buffers.get(edgeId);
      if (existing !== undefined) return existing;
      const policy =
        plan.edge_buffer_policies[edgeId] ?? plan.edge_buffer_policies[DEFAULT_EDGE_POLICY];
      if (policy === undefined) {
        throw new EdgeConfigError(edgeId, 'edge_buffer_policies', 'an entry or `default`', edgeId);
      }
      if (buffers.size >= maxEdges) {
        throw new EdgeConfigError(
          edgeId,
          'maxEdges',
          `at most ${maxEdges} edges`,
          buffers.size + 1,
        );
      }
      const buffer = new EdgeBuffer<TPayload>({
        edge_id: edgeId,
        policy,
        flow: plan.flow_control,
        turn_id: plan.turn_id,
        authority_epoch: plan.authority_epoch,
        clock: options.clock,
        stamp: options.stamp,
        emit: options.emit,
        ...(options.merger ? { merger: options.merger } : {}),
        ...(options.tuning ? { tuning: options.tuning } : {}),
      });
      buffers.set(edgeId, buffer);
      return buffer;
    },
    edgeIds: () => [...buffers.keys()],
    close() {
      const out = new Map<string, ReturnType<EdgeBuffer<TPayload>['close']>>();
      for (const [id, buffer] of buffers) out.set(id, buffer.close());
      return out;
    },
  };
}
