/** Runs the bus conformance suite against the embedded bus, plus its determinism hooks. */
import { describe, expect, it } from 'vitest';
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import type { BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import { defineBusConformance } from './bus-conformance.ts';
import { controlSignal, dataRecord, envelopeOf, ids, telemetryRecord } from './fixtures.ts';

defineBusConformance({
  name: 'embedded',
  createPair: () => {
    const bus = createEmbeddedBus();
    return Promise.resolve({ publisher: bus, subscriber: bus, dispose: () => bus.close() });
  },
});

describe('embedded bus determinism', () => {
  const ref = { tenant: 'acme', session: 's-1' };

  it('delivers only when the injected scheduler runs, control before data queued ahead of it', async () => {
    const tasks: (() => void)[] = [];
    const bus = createEmbeddedBus({ schedule: (task) => void tasks.push(task) });
    const seen: BusEnvelope[] = [];
    await bus.subscribe(ref.tenant, ref.session, (e) => void seen.push(e));
    for (let seq = 1; seq <= 4; seq += 1) void bus.publish(envelopeOf(ref, dataRecord(ref, seq)));
    void bus.publish(envelopeOf(ref, telemetryRecord(ref, 5)));
    void bus.publish(envelopeOf(ref, controlSignal(ref, 6)));
    await Promise.resolve();
    expect(seen).toEqual([]);
    expect(tasks).toHaveLength(1);
    tasks.shift()?.();
    expect(ids(seen)).toEqual(['c6', 'd1', 'd2', 'd3', 'd4', 't5']);
    await bus.close();
  });

  it('flush() settles deliveries, including envelopes published by handlers meanwhile', async () => {
    const bus = createEmbeddedBus();
    const other = { tenant: 'acme', session: 's-2' };
    const seen: string[] = [];
    await bus.subscribe(ref.tenant, ref.session, async (e) => {
      seen.push(`s1:${e.record.event_id}`);
      await bus.publish(
        envelopeOf(other, dataRecord(other, (e.record.runtime_sequence ?? 0) + 100)),
      );
    });
    await bus.subscribe(
      other.tenant,
      other.session,
      (e) => void seen.push(`s2:${e.record.event_id}`),
    );
    void bus.publish(envelopeOf(ref, dataRecord(ref, 1)));
    void bus.publish(envelopeOf(ref, controlSignal(ref, 2)));
    await bus.flush();
    expect(seen.filter((s) => s.startsWith('s1:'))).toEqual(['s1:c2', 's1:d1']);
    expect(seen.filter((s) => s.startsWith('s2:'))).toEqual(['s2:d102', 's2:d101']);
    await bus.close();
  });

  it('gives every subscriber its own copy, so a handler cannot change what others see', async () => {
    const bus = createEmbeddedBus();
    const copies: BusEnvelope[] = [];
    await bus.subscribe(ref.tenant, ref.session, (e) => {
      copies.push(e);
      (e.payload as { text: string }).text = 'mutated';
    });
    await bus.subscribe(ref.tenant, ref.session, (e) => void copies.push(e));
    const published = {
      tenant_id: ref.tenant,
      record: dataRecord(ref, 1),
      payload: { text: 'hi' },
    };
    await bus.publish(published);
    await bus.flush();
    expect(copies.map((e) => e.payload)).toEqual([{ text: 'mutated' }, { text: 'hi' }]);
    expect(published.payload).toEqual({ text: 'hi' });
    await bus.close();
  });
});
