/**
 * The transport side of one session over the bus (RK-22 at the transport gateway, ADR 0014). It
 * publishes the transport's ingress on the session's lanes and hands the runtime's output to the
 * transport through a second egress fence: the worker's fence stops output decided after a
 * cancel, this one stops output already on the bus when the transport cancelled. Cancels and
 * barge-ins fence here synchronously, inside `send` and before the publish. DataLane output of
 * an authority epoch older than the gateway's view is dropped, so an old worker is never heard.
 */
import type { BusEnvelope, ControlSignal, EventRecord } from '../../contracts/index.ts';
import type { BusSubscription } from '../../contracts/internal.ts';
import { ingressEnvelope, isIngressEnvelope } from './ingress.ts';
import { BridgeTurns, DEFAULT_BRIDGE_TURNS } from './turn-table.ts';
import type {
  BridgeDiagnostic,
  BridgeIngress,
  BridgeStats,
  TransportBridge,
  TransportBridgeOptions,
} from './types.ts';

type Counters = { accepted: number; fenced_late: number; stale_epoch: number; refused: number };

/** Creates the bridge of one session; nothing is received before `open`. */
export function createTransportBridge(options: TransportBridgeOptions): TransportBridge {
  const { bus, tenant_id, session_id, clock } = options;
  const turns = new BridgeTurns({
    session_id,
    pipeline_version: options.pipeline_version ?? 'pipeline-v1',
    clock,
    maxTurns: options.maxTurns ?? DEFAULT_BRIDGE_TURNS,
  });
  const counters: Counters = { accepted: 0, fenced_late: 0, stale_epoch: 0, refused: 0 };
  let opening: Promise<BusSubscription> | undefined;

  const report = (
    record: EventRecord,
    event_id: string,
    diagnostic: Omit<BridgeDiagnostic, 'session_id' | 'event_id' | 'at_ms' | 'turn_id'>,
  ): void => {
    const turn_id = record.turn_id;
    options.onDiagnostic({
      ...diagnostic,
      session_id,
      ...(typeof turn_id === 'string' ? { turn_id } : {}),
      event_id,
      at_ms: clock.now(),
    });
  };

  /** Whether a DataLane record may reach the transport; a drop is counted and reported. */
  const admit = (record: EventRecord): boolean => {
    // The bus guarantees a non-empty string event id (checkEnvelope).
    const event_id = String(record.event_id);
    const current = options.authority?.();
    const epoch = record.authority_epoch;
    // Only an older epoch is stale: the gateway's view of the lease may lag a new placement,
    // and output without an epoch cannot prove it is current (RK-24 never enriches egress).
    if (current !== undefined && (epoch === undefined || epoch < current)) {
      counters.stale_epoch += 1;
      report(record, event_id, {
        code: 'stale_epoch_reject',
        received_epoch: epoch ?? null,
        expected_epoch: current,
      });
      return false;
    }
    const turn_id = record.turn_id;
    if (typeof turn_id !== 'string') {
      counters.accepted += 1;
      return true;
    }
    const verdict = turns.decide(record, turn_id, event_id);
    switch (verdict.kind) {
      case 'accepted':
        counters.accepted += 1;
        return true;
      case 'late':
        counters.fenced_late += 1;
        report(record, event_id, {
          code: 'late_after_cancel',
          ...(verdict.cause === undefined ? {} : { fence_cause: verdict.cause }),
        });
        return false;
      case 'refused':
        counters.refused += 1;
        report(record, event_id, { code: verdict.code });
        return false;
    }
  };

  /** Learns turns from the runtime's signals: `turn_open` / `output_accepted` and `close`. */
  const observe = (signal: ControlSignal): void => {
    const turn_id = signal.turn_id;
    if (typeof turn_id !== 'string') return;
    if (signal.signal === 'turn_open' || signal.signal === 'output_accepted') {
      turns.see(turn_id, signal.authority_epoch);
    } else if (signal.signal === 'close') {
      turns.close(turn_id, signal.authority_epoch);
    }
  };

  const receive = (envelope: BusEnvelope): void => {
    if (isIngressEnvelope(envelope)) return;
    const record = envelope.record;
    if (record.lane === 'DataLane' && !admit(record)) return;
    if (record.lane === 'ControlLane' && typeof record.signal === 'string') {
      observe(record as ControlSignal);
    }
    options.onOutput(envelope);
  };

  /** RK-16 at the transport: which turns an ingress event fences, before it is published. */
  const fenceFor = (ingress: BridgeIngress): void => {
    switch (ingress.kind) {
      case 'cancel': {
        const turn_id = ingress.record.turn_id;
        if (typeof turn_id === 'string') {
          turns.fenceTurn(
            turn_id,
            ingress.record.authority_epoch ?? options.authority?.(),
            'cancel',
          );
        } else {
          // A closed turn is included: its `close` may have overtaken its last chunks.
          turns.fenceAll('cancel', false);
        }
        return;
      }
      // The worker treats both as a barge-in while a turn runs (RK-16); here "runs" is
      // "has been heard", so a turn that has not played anything is left to the worker.
      case 'speech_started':
      case 'transcript_final':
        turns.fenceAll('barge_in', true);
        return;
      case 'audio_frame':
      case 'connection':
        return;
    }
  };

  return {
    async open() {
      opening ??= bus.subscribe(tenant_id, session_id, receive, {
        direction: 'egress',
        ...(options.limits === undefined ? {} : { limits: options.limits }),
      });
      await opening;
    },
    async send(ingress) {
      // Runs before the first await: the fence holds once `send` was called.
      fenceFor(ingress);
      await bus.publish(ingressEnvelope(tenant_id, ingress));
    },
    isFenced(turn_id) {
      return turns.isFenced(turn_id);
    },
    stats(): BridgeStats {
      return { ...counters, turns: turns.size };
    },
    async close() {
      const subscription = await opening;
      await subscription?.close();
    },
  };
}
