/**
 * A ControlLane stream created by an older subject layout (five-token subjects, no direction)
 * is brought to today's subjects when a bus connects, so signals of both directions are captured
 * and delivered; its bounds are kept.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import { CONTROL_STREAM_NAME, CONTROL_STREAM_SUBJECTS } from '../../../contracts/subjects.ts';
import type { BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import { startNatsServer } from '../../harness/nats-server.ts';
import { controlSignal, envelopeOf, waitFor } from './fixtures.ts';

describe('nats bus: ControlLane stream of an older layout', () => {
  it('adds the current subjects to an existing stream and keeps its bounds', async () => {
    const server = await startNatsServer();
    const raw = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(raw);
      await jsm.streams.add({
        name: CONTROL_STREAM_NAME,
        subjects: ['rspp.v1.*.*.control'],
        max_msgs: 1234,
      });
      const bus = await createNatsBus({ servers: server.url });
      try {
        const { config } = await jsm.streams.info(CONTROL_STREAM_NAME);
        expect(config.subjects).toEqual([...CONTROL_STREAM_SUBJECTS]);
        expect(config.max_msgs).toBe(1234);
        const ref = { tenant: 'acme', session: 'call-1' };
        const seen: BusEnvelope[] = [];
        await bus.subscribe(ref.tenant, ref.session, (e) => void seen.push(e), {
          direction: 'ingress',
        });
        await bus.publish({ ...envelopeOf(ref, controlSignal(ref, 1)), direction: 'ingress' });
        await waitFor('the ingress signal delivered', () => seen.length === 1);
        expect(seen[0]?.record.runtime_sequence).toBe(1);
      } finally {
        await bus.close();
      }
    } finally {
      await raw.close();
      await server.dispose();
    }
  });
});
