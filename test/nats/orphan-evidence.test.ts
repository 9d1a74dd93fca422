/**
 * The durable pieces of closing orphaned turns (ADR 0035) on the harness's nats-server: the
 * JetStream evidence sink appending through the NATS bus's ControlLane outbox, the reader, and
 * the once-only orphan claims in a lease bucket.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildSignal } from '../../actors/identity/stamp.ts';
import { createNatsBus, type NatsBus } from '../../adapters/bus/nats/index.ts';
import {
  createJetStreamEvidenceSink,
  openEvidenceReader,
  type EvidenceReader,
} from '../../adapters/evidence/jetstream/index.ts';
import { createNatsKvLeases, openNatsKvClaims } from '../../adapters/lease/nats-kv/index.ts';
import type { BusEnvelope, ControlSignal } from '../../contracts/index.ts';
import { waitFor } from '../conformance/bus/fixtures.ts';

const RUN = randomUUID().slice(0, 8);
const TENANT = `ev-${RUN}`;
const CLAIM_BUCKET = `T_CLAIMS_${RUN}`;

const sig = (session_id: string, ordinal: number, signal: 'turn_open' | 'close'): ControlSignal =>
  buildSignal(
    {
      session_id,
      turn_id: 'turn-1-e1',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 1,
      ordinal,
      runtime_ms: ordinal,
      wall_ms: ordinal,
    },
    { signal, emitted_by: 'RK-03' },
  );

let nc: NatsConnection;
let bus: NatsBus;
let reader: EvidenceReader;
beforeAll(async () => {
  nc = await connect({ servers: inject('natsUrl'), name: 'orphan-evidence' });
  bus = await createNatsBus({ servers: inject('natsUrl'), name: 'orphan-evidence-bus' });
  reader = await openEvidenceReader({ nc });
});
afterAll(async () => {
  await bus.close();
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(`KV_${CLAIM_BUCKET}`).catch(() => false);
  await nc.close();
});

describe('JetStream evidence sink and reader', () => {
  it('stores each offered document once, in offer order, readable per session and latest per session', async () => {
    const sink = createJetStreamEvidenceSink({
      tenant_id: TENANT,
      append: (record) => bus.appendInOrder(record),
    });
    const a = [sig('sa', 1, 'turn_open'), sig('sa', 2, 'close')];
    const b = [sig('sb', 1, 'turn_open')];
    for (const doc of [...a, ...b, a[0] as ControlSignal]) {
      expect(sink.offer(doc)).toEqual({ accepted: true });
    }
    const stats = await sink.flush();
    expect(stats).toMatchObject({ written: 4, lost: 0, queued: 0 });
    const stored = await reader.session(TENANT, 'sa');
    // The repeated offer has the same message id: JetStream keeps one copy.
    expect(stored.map((r) => r.document)).toEqual(a);
    const latest = await reader.latest(TENANT);
    expect(latest.map((r) => [r.session_id, r.document.event_id])).toEqual([
      ['sa', a[1]?.event_id],
      ['sb', b[0]?.event_id],
    ]);
    expect(await reader.session(TENANT, 'none')).toEqual([]);
  });

  it('refuses documents without a session or event id', () => {
    const sink = createJetStreamEvidenceSink({
      tenant_id: TENANT,
      append: () => Promise.resolve(),
    });
    const bad = Object.assign(sig('sc', 1, 'turn_open'), { event_id: '' });
    expect(sink.offer(bad)).toEqual({ accepted: false, reason: 'invalid_document' });
    expect(sink.stats().refused.invalid_document).toBe(1);
  });

  it('keeps the evidence of every signal ahead of it: both stored in the same order', async () => {
    const session_id = `order-${RUN}`;
    const sink = createJetStreamEvidenceSink({
      tenant_id: TENANT,
      append: (record) => bus.appendInOrder(record),
    });
    const delivered: string[] = [];
    const subscription = await bus.subscribe(
      TENANT,
      session_id,
      (envelope: BusEnvelope) => {
        delivered.push(String(envelope.record.event_id));
      },
      { direction: 'egress' },
    );
    try {
      const signals = Array.from({ length: 200 }, (_, i) =>
        sig(session_id, i + 1, i % 2 === 0 ? 'turn_open' : 'close'),
      );
      // Offered and published back to back without waiting, as the worker's tap does.
      const published = signals.map((signal) => {
        sink.offer(signal);
        return bus.publish({ tenant_id: TENANT, record: signal });
      });
      await Promise.all(published);
      await sink.flush();
      await waitFor('every signal delivered', () => delivered.length === signals.length);
      const stored = await reader.session(TENANT, session_id);
      expect(stored.map((r) => r.document.event_id)).toEqual(delivered);
    } finally {
      await subscription.close();
    }
  });
});

describe('orphan claims', () => {
  it('lets exactly one of several racing parties claim a turn', async () => {
    await createNatsKvLeases({ nc, ttlMs: 60_000, bucket: CLAIM_BUCKET });
    const others = await Promise.all(
      [1, 2, 3].map((i) => connect({ servers: inject('natsUrl'), name: `claim-${String(i)}` })),
    );
    try {
      const claims = await Promise.all(
        others.map((c) => openNatsKvClaims({ nc: c, bucket: CLAIM_BUCKET })),
      );
      const won = await Promise.all(
        claims.map((c, i) => c.claimOrphan(TENANT, 's1', 'turn-1-e1', `w${String(i)}`)),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
      expect(await claims[0]?.claimOrphan(TENANT, 's1', 'turn-2-e1', 'w0')).toBe(true);
    } finally {
      await Promise.all(others.map((c) => c.close()));
    }
  });
});
