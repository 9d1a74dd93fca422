/**
 * The bus conformance suite: one definition of the observable bus behaviour, run against every
 * implementation (embedded.test.ts, nats.test.ts). Bounds, close and drain cases live in
 * bus-conformance-bounds.ts, binary attachment cases in bus-conformance-binary.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContractValidator } from '../../../contracts/index.ts';
import type { BusEnvelope, BusPort } from '../../../contracts/ports/bus.port.ts';
import { SubjectTokenError } from '../../../contracts/subjects.ts';
import { defineBinaryCases } from './bus-conformance-binary.ts';
import { defineBoundsCases } from './bus-conformance-bounds.ts';
import {
  collect,
  controlSignal,
  createGate,
  dataRecord,
  envelopeOf,
  ids,
  telemetryRecord,
  waitFor,
  type SessionRef,
} from './fixtures.ts';

/** A publisher and a subscriber bus: one instance (embedded) or two connections (nats). */
export interface BusPair {
  readonly publisher: BusPort;
  readonly subscriber: BusPort;
  /** Closes both (idempotent). */
  dispose(): Promise<void>;
}

/** What the suite needs from an implementation. */
export interface BusConformanceTarget {
  /** Name shown in the describe block. */
  readonly name: string;
  /** Creates a fresh pair for one test. */
  createPair(): Promise<BusPair>;
}

/** Shared state of one test: the pair and a fresh tenant/session. */
export interface CaseContext {
  pair: BusPair;
  ref: SessionRef;
}

/** Defines the shared describe block for one implementation. */
export function defineBusConformance(target: BusConformanceTarget): void {
  describe(`bus conformance: ${target.name}`, () => {
    const ctx = {} as CaseContext;
    beforeEach(async () => {
      ctx.pair = await target.createPair();
      // A fresh tenant per test keeps cases apart even on a shared nats-server.
      ctx.ref = { tenant: `t-${randomUUID().slice(0, 8)}`, session: 's-1' };
    });
    afterEach(async () => ctx.pair.dispose());

    it('builds only contract-valid records in this suite', () => {
      const validator = createContractValidator();
      expect(validator.validate('event_record', dataRecord(ctx.ref, 1))).toEqual({ valid: true });
      expect(validator.validate('event_record', telemetryRecord(ctx.ref, 1))).toEqual({
        valid: true,
      });
      expect(validator.validate('control_signal', controlSignal(ctx.ref, 1))).toEqual({
        valid: true,
      });
    });

    it('reports the connection as connected once created', () => {
      expect(ctx.pair.publisher.connectionState()).toBe('connected');
      expect(ctx.pair.subscriber.connectionState()).toBe('connected');
    });

    it('delivers each session only its own envelopes (tenant and session isolation)', async () => {
      const { publisher, subscriber } = ctx.pair;
      const refs: SessionRef[] = [
        ctx.ref,
        { tenant: ctx.ref.tenant, session: 's-2' },
        { tenant: `${ctx.ref.tenant}-other`, session: ctx.ref.session },
      ];
      const seen = refs.map(() => [] as BusEnvelope[]);
      for (const [i, ref] of refs.entries()) {
        await subscriber.subscribe(
          ref.tenant,
          ref.session,
          (envelope) => void seen[i]?.push(envelope),
        );
      }
      for (const [i, ref] of refs.entries()) {
        await publisher.publish(envelopeOf(ref, dataRecord(ref, i)));
        await publisher.publish(envelopeOf(ref, controlSignal(ref, i)));
      }
      // A last data envelope per session: per-connection order means any stray delivery came first.
      for (const ref of refs) await publisher.publish(envelopeOf(ref, dataRecord(ref, 99)));
      await waitFor('every session saw its own envelopes', () =>
        seen.every((list) => list.length === 3),
      );
      for (const [i, ref] of refs.entries()) {
        expect(seen[i]?.map((e) => [e.tenant_id, e.record.session_id])).toEqual([
          [ref.tenant, ref.session],
          [ref.tenant, ref.session],
          [ref.tenant, ref.session],
        ]);
        expect(ids(seen[i] ?? []).sort()).toEqual([`c${i}`, `d${i}`, 'd99']);
      }
    });

    it('keeps lanes apart: each envelope arrives on its own lane with its payload intact', async () => {
      const { publisher, subscriber } = ctx.pair;
      const seen: BusEnvelope[] = [];
      const sub = await subscriber.subscribe(
        ctx.ref.tenant,
        ctx.ref.session,
        (e) => void seen.push(e),
      );
      const payload = { text: 'hello', tokens: [1, 2, 3], nested: { ok: true, none: null } };
      const data: BusEnvelope = {
        tenant_id: ctx.ref.tenant,
        record: dataRecord(ctx.ref, 1),
        payload,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      };
      await publisher.publish(data);
      await publisher.publish(envelopeOf(ctx.ref, telemetryRecord(ctx.ref, 1)));
      await publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 1)));
      await waitFor('three lanes delivered', () => seen.length === 3);
      const byId = new Map(seen.map((e) => [e.record.event_id, e]));
      expect(byId.get('d1')?.record.lane).toBe('DataLane');
      expect(byId.get('t1')?.record.lane).toBe('TelemetryLane');
      expect(byId.get('c1')?.record).toEqual(controlSignal(ctx.ref, 1));
      expect(byId.get('d1')).toEqual(data);
      expect(byId.get('d1')).not.toBe(data);
      const stats = sub.stats();
      expect([
        stats.ControlLane.delivered,
        stats.DataLane.delivered,
        stats.TelemetryLane.delivered,
      ]).toEqual([1, 1, 1]);
    });

    it('hands a ControlLane signal to the handler before DataLane frames queued ahead of it', async () => {
      const { publisher, subscriber } = ctx.pair;
      const seen: BusEnvelope[] = [];
      const gate = createGate();
      const sub = await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, async (envelope) => {
        seen.push(envelope);
        if (seen.length === 1) await gate.promise;
      });
      await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 0)));
      await waitFor('handler busy with d0', () => seen.length === 1);
      for (let seq = 1; seq <= 5; seq += 1)
        await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, seq)));
      await publisher.publish(envelopeOf(ctx.ref, telemetryRecord(ctx.ref, 6)));
      await publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 7)));
      await waitFor('5 data, 1 telemetry and 1 control queued', () => {
        const stats = sub.stats();
        return (
          stats.DataLane.queued === 5 &&
          stats.TelemetryLane.queued === 1 &&
          stats.ControlLane.queued === 1
        );
      });
      gate.open();
      await waitFor('all delivered', () => seen.length === 8);
      expect(ids(seen)).toEqual(['d0', 'c7', 'd1', 'd2', 'd3', 'd4', 'd5', 't6']);
    });

    it('keeps the two directions apart: each side takes only what travels its way', async () => {
      const { publisher, subscriber } = ctx.pair;
      const runtimeSide: BusEnvelope[] = [];
      const transportSide: BusEnvelope[] = [];
      const both: BusEnvelope[] = [];
      const { tenant, session } = ctx.ref;
      await subscriber.subscribe(tenant, session, (e) => void runtimeSide.push(e), {
        direction: 'ingress',
      });
      await subscriber.subscribe(tenant, session, (e) => void transportSide.push(e), {
        direction: 'egress',
      });
      await subscriber.subscribe(tenant, session, (e) => void both.push(e));
      const ingress = (record: BusEnvelope['record']): BusEnvelope => ({
        ...envelopeOf(ctx.ref, record),
        direction: 'ingress',
      });
      await publisher.publish(ingress(dataRecord(ctx.ref, 1)));
      await publisher.publish(ingress(controlSignal(ctx.ref, 2)));
      await publisher.publish({
        ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 3)),
        direction: 'egress',
      });
      // No direction: runtime output, the default.
      await publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 4)));
      await publisher.publish(envelopeOf(ctx.ref, telemetryRecord(ctx.ref, 5)));
      await waitFor('all delivered', () => both.length === 5 && transportSide.length === 3);
      await waitFor('ingress delivered', () => runtimeSide.length === 2);
      const sequences = (seen: BusEnvelope[]) =>
        seen.map((e) => e.record.runtime_sequence).sort((a, b) => (a ?? 0) - (b ?? 0));
      expect(sequences(runtimeSide)).toEqual([1, 2]);
      expect(sequences(transportSide)).toEqual([3, 4, 5]);
      expect(sequences(both)).toEqual([1, 2, 3, 4, 5]);
    });

    it('refuses a direction that is neither ingress nor egress, naming the field', async () => {
      const { publisher, subscriber } = ctx.pair;
      const bad = 'sideways' as unknown as 'ingress';
      await expect(
        publisher.publish({ ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 1)), direction: bad }),
      ).rejects.toThrow(/invalid direction: expected ingress or egress, received "sideways"/);
      await expect(
        subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, () => {}, { direction: bad }),
      ).rejects.toThrow(/invalid direction: expected ingress or egress, received "sideways"/);
    });

    it('preserves publish order within each lane', async () => {
      const { publisher, subscriber } = ctx.pair;
      const seen: BusEnvelope[] = [];
      await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => void seen.push(e));
      for (let seq = 0; seq < 60; seq += 1) {
        const record =
          seq % 3 === 0
            ? controlSignal(ctx.ref, seq)
            : seq % 5 === 0
              ? telemetryRecord(ctx.ref, seq)
              : dataRecord(ctx.ref, seq);
        await publisher.publish(envelopeOf(ctx.ref, record));
      }
      await waitFor('60 delivered', () => seen.length === 60);
      for (const lane of ['ControlLane', 'DataLane', 'TelemetryLane'] as const) {
        const sequences = seen
          .filter((e) => e.record.lane === lane)
          .map((e) => e.record.runtime_sequence);
        expect(sequences.length).toBeGreaterThan(5);
        expect(sequences).toEqual([...sequences].sort((a, b) => (a ?? 0) - (b ?? 0)));
      }
    });

    it('applies a redelivered envelope (same idempotency key) once', async () => {
      const { publisher, subscriber } = ctx.pair;
      const seen: BusEnvelope[] = [];
      await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => void seen.push(e));
      const control = envelopeOf(ctx.ref, controlSignal(ctx.ref, 1));
      const data = envelopeOf(ctx.ref, dataRecord(ctx.ref, 1));
      const withoutKey = dataRecord(ctx.ref, 2);
      delete withoutKey.idempotency_key; // deduped by event_id instead
      const keyless = envelopeOf(ctx.ref, withoutKey);
      const sameKeyOtherId = envelopeOf(
        ctx.ref,
        dataRecord(ctx.ref, 3, { event_id: 'd3-retry', idempotency_key: `${ctx.ref.session}/d1` }),
      );
      for (const envelope of [control, data, control, data, keyless, keyless, sameKeyOtherId])
        await publisher.publish(envelope);
      // Distinct keys after the duplicates: their arrival proves the duplicates had their chance.
      await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 4)));
      await publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 5)));
      await waitFor(
        'last data and control delivered',
        () => ids(seen).includes('d4') && ids(seen).includes('c5'),
      );
      expect(ids(seen).sort()).toEqual(['c1', 'c5', 'd1', 'd2', 'd4']);
    });

    it('rejects invalid tenant and session tokens with an error naming the field', async () => {
      const { publisher, subscriber } = ctx.pair;
      for (const bad of ['', 'a.b', 'a*', '>', 'a b', 'tab\there']) {
        const envelope = { tenant_id: bad, record: dataRecord(ctx.ref, 1) };
        await expect(publisher.publish(envelope)).rejects.toThrow(SubjectTokenError);
        await expect(publisher.publish(envelope)).rejects.toThrow(/invalid tenant_id/);
        const badSession = envelopeOf(
          ctx.ref,
          dataRecord({ tenant: ctx.ref.tenant, session: bad }, 1),
        );
        await expect(publisher.publish(badSession)).rejects.toThrow(/invalid session_id/);
        await expect(subscriber.subscribe(ctx.ref.tenant, bad, () => {})).rejects.toThrow(
          /invalid session_id/,
        );
        await expect(subscriber.subscribe(bad, ctx.ref.session, () => {})).rejects.toThrow(
          /invalid tenant_id/,
        );
      }
    });

    it('reports a throwing handler as a diagnostic and keeps delivering', async () => {
      const { publisher, subscriber } = ctx.pair;
      const diagnostics = collect((l) => subscriber.onDiagnostic(l));
      const seen: string[] = [];
      await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => {
        seen.push(e.record.event_id ?? '');
        if (e.record.event_id === 'd1') throw new Error('handler bug');
      });
      await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 1)));
      await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 2)));
      await waitFor('both delivered', () => seen.length === 2);
      const failures = diagnostics.filter((d) => d.kind === 'handler_failed');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        severity: 'error',
        envelope: { event_id: 'd1', lane: 'DataLane' },
      });
    });

    defineBinaryCases(ctx);
    defineBoundsCases(ctx);
  });
}
