/**
 * Conformance cases about bounds and shutdown: DataLane and TelemetryLane shed by policy with
 * counters and diagnostics, ControlLane is never shed, and close/drain stop delivery cleanly.
 */
import { expect, it } from 'vitest';
import { BusError, type BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import type { CaseContext } from './bus-conformance.ts';
import {
  collect,
  controlSignal,
  createGate,
  dataRecord,
  envelopeOf,
  ids,
  nextTurn,
  telemetryRecord,
  waitFor,
} from './fixtures.ts';

/** Adds the bounds, close and drain cases to the enclosing describe block. */
export function defineBoundsCases(ctx: CaseContext): void {
  /** Subscribes with a handler held on its first envelope; returns what it saw and the gate. */
  async function heldSubscriber(
    limits: Parameters<CaseContext['pair']['subscriber']['subscribe']>[3] = {},
  ) {
    const seen: BusEnvelope[] = [];
    const gate = createGate();
    const sub = await ctx.pair.subscriber.subscribe(
      ctx.ref.tenant,
      ctx.ref.session,
      async (envelope) => {
        seen.push(envelope);
        if (seen.length === 1) await gate.promise;
      },
      limits,
    );
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 0)));
    await waitFor('handler busy with d0', () => seen.length === 1);
    return { seen, gate, sub };
  }

  for (const overflow of ['drop_oldest', 'drop_newest'] as const) {
    it(`sheds DataLane by ${overflow} with a counter and diagnostics, never delaying control`, async () => {
      const diagnostics = collect((l) => ctx.pair.subscriber.onDiagnostic(l));
      const { seen, gate, sub } = await heldSubscriber({
        limits: { DataLane: { capacity: 3, overflow } },
      });
      for (let seq = 1; seq <= 8; seq += 1)
        await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, seq)));
      await ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 9)));
      await waitFor('5 dropped and control queued', () => {
        const stats = sub.stats();
        return stats.DataLane.dropped === 5 && stats.ControlLane.queued === 1;
      });
      expect(sub.stats().DataLane.queued).toBe(3);
      gate.open();
      await waitFor('delivered', () => seen.length === 5);
      const kept = overflow === 'drop_oldest' ? ['d6', 'd7', 'd8'] : ['d1', 'd2', 'd3'];
      const shed = overflow === 'drop_oldest' ? [1, 2, 3, 4, 5] : [4, 5, 6, 7, 8];
      expect(ids(seen)).toEqual(['d0', 'c9', ...kept]);
      const drops = diagnostics.filter((d) => d.kind === 'dropped');
      expect(
        drops.map((d) => [
          d.side,
          d.reason,
          d.envelope.lane,
          d.envelope.runtime_sequence,
          d.dropped_total,
        ]),
      ).toEqual(shed.map((seq, i) => ['deliver', 'queue_full', 'DataLane', seq, i + 1]));
      expect(sub.stats().ControlLane.dropped).toBe(0);
    });
  }

  it('never sheds ControlLane: a signal beyond the bound is delivered later or refused loudly', async () => {
    const diagnostics = collect((l) => ctx.pair.subscriber.onDiagnostic(l));
    const { seen, gate, sub } = await heldSubscriber({ limits: { ControlLane: { capacity: 2 } } });
    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((seq) =>
        ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, seq))),
      ),
    );
    const accepted = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`c${i + 1}`] : []));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(BusError);
      expect((reason as BusError).code).toBe('control_queue_full');
    }
    await waitFor('control queue filled', () => sub.stats().ControlLane.queued === 2);
    gate.open();
    await waitFor('every accepted signal delivered', () => seen.length === 1 + accepted.length);
    expect(ids(seen)).toEqual(['d0', ...accepted]);
    const stats = sub.stats().ControlLane;
    expect(stats.dropped).toBe(0);
    expect(stats.rejected).toBe(refused.length);
    expect(diagnostics.filter((d) => d.kind === 'control_queue_full')).toHaveLength(refused.length);
    expect(diagnostics.filter((d) => d.kind === 'dropped')).toHaveLength(0);
  });

  it('delivers TelemetryLane last and sheds it when its bound is reached', async () => {
    const { seen, gate, sub } = await heldSubscriber({
      limits: { TelemetryLane: { capacity: 2 } },
    });
    for (let seq = 1; seq <= 5; seq += 1)
      await ctx.pair.publisher.publish(envelopeOf(ctx.ref, telemetryRecord(ctx.ref, seq)));
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 6)));
    await waitFor('telemetry shed and data queued', () => {
      const stats = sub.stats();
      return stats.TelemetryLane.dropped === 3 && stats.DataLane.queued === 1;
    });
    gate.open();
    await waitFor('delivered', () => seen.length === 4);
    expect(ids(seen)).toEqual(['d0', 'd6', 't1', 't2']);
  });

  it('delivers nothing to a closed subscription, not even what was already queued', async () => {
    const witness: BusEnvelope[] = [];
    await ctx.pair.subscriber.subscribe(
      ctx.ref.tenant,
      ctx.ref.session,
      (e) => void witness.push(e),
    );
    const { seen, gate, sub } = await heldSubscriber();
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 1)));
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 2)));
    await waitFor(
      'queued behind the held handler',
      () => sub.stats().DataLane.queued + sub.stats().ControlLane.queued === 2,
    );
    await sub.close();
    gate.open();
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 3)));
    await waitFor('witness saw d3', () => ids(witness).includes('d3'));
    await nextTurn();
    expect(ids(seen)).toEqual(['d0']);
  });

  it('drains a subscription: queued envelopes are delivered in priority order, then it stops', async () => {
    const witness: BusEnvelope[] = [];
    await ctx.pair.subscriber.subscribe(
      ctx.ref.tenant,
      ctx.ref.session,
      (e) => void witness.push(e),
    );
    const { seen, gate, sub } = await heldSubscriber();
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 1)));
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 2)));
    await waitFor(
      'queued',
      () => sub.stats().DataLane.queued + sub.stats().ControlLane.queued === 2,
    );
    const drained = sub.drain();
    gate.open();
    await drained;
    expect(ids(seen)).toEqual(['d0', 'c2', 'd1']);
    await ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 3)));
    await waitFor('witness saw d3', () => ids(witness).includes('d3'));
    await nextTurn();
    expect(ids(seen)).toEqual(['d0', 'c2', 'd1']);
  });

  it('drains the bus: an accepted ControlLane publish completes, later publishes are refused', async () => {
    const seen: BusEnvelope[] = [];
    await ctx.pair.subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => void seen.push(e));
    const pending = ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 1)));
    await ctx.pair.publisher.drain();
    await expect(pending).resolves.toBeUndefined();
    await waitFor('c1 delivered', () => ids(seen).includes('c1'));
    const late = ctx.pair.publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 2)));
    await expect(late).rejects.toMatchObject({ name: 'BusError', code: 'closed' });
    expect(ctx.pair.publisher.connectionState()).toBe('disconnected');
  });

  it('closes the bus: publish and subscribe are refused and the state becomes disconnected', async () => {
    const diagnostics = collect((l) => ctx.pair.subscriber.onDiagnostic(l));
    await ctx.pair.publisher.close();
    await ctx.pair.subscriber.close();
    await expect(
      ctx.pair.publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 1))),
    ).rejects.toMatchObject({
      code: 'closed',
    });
    await expect(
      ctx.pair.subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, () => {}),
    ).rejects.toMatchObject({
      code: 'closed',
    });
    expect(ctx.pair.subscriber.connectionState()).toBe('disconnected');
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ kind: 'connection', state: 'disconnected', reason: 'closed' }),
    );
  });
}
