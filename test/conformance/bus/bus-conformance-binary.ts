/**
 * Conformance cases about the envelope's `binary` attachment: raw bytes beside the payload (an
 * audio frame) arrive byte-exact, each subscriber holds its own copy independent of the
 * publisher's buffer, and a wrong attachment is refused naming the field.
 */
import { expect, it } from 'vitest';
import { BusError, type BusEnvelope } from '../../../contracts/ports/bus.port.ts';
import type { CaseContext } from './bus-conformance.ts';
import {
  controlSignal,
  dataRecord,
  envelopeOf,
  ids,
  telemetryRecord,
  waitFor,
} from './fixtures.ts';

/** 64 KiB: the declared bound of an attachment. */
const MAX_BYTES = 64 * 1024;

/** What the runtime puts in the payload of a 20 ms PCM16 mono frame at 16 kHz (640 bytes). */
const AUDIO_PAYLOAD = {
  kind: 'audio',
  encoding: 'pcm16le',
  sample_rate_hz: 16000,
  channels: 1,
  duration_ms: 20,
} as const;

/** A deterministic frame using every byte value, including ones that are not valid UTF-8. */
export function audioFrame(length = 640): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

/** Adds the binary attachment cases to the enclosing describe block. */
export function defineBinaryCases(ctx: CaseContext): void {
  it('carries a binary attachment byte-exact beside its payload, as each subscriber’s own copy', async () => {
    const { publisher, subscriber } = ctx.pair;
    const mutator: BusEnvelope[] = [];
    const witness: BusEnvelope[] = [];
    await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => {
      mutator.push(e);
      e.binary?.fill(0xee); // a handler scribbling on its copy must not reach anyone else
    });
    await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => void witness.push(e));
    const buffer = audioFrame();
    const audio: BusEnvelope = {
      tenant_id: ctx.ref.tenant,
      record: dataRecord(ctx.ref, 1),
      payload: AUDIO_PAYLOAD,
      binary: buffer,
    };
    const sent = publisher.publish(audio);
    buffer.fill(0x11); // the publisher reuses its buffer as soon as publish() returned
    await sent;
    await publisher.publish({
      ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 2)),
      binary: new Uint8Array(0),
    });
    await publisher.publish({
      ...envelopeOf(ctx.ref, telemetryRecord(ctx.ref, 3)),
      binary: audioFrame(MAX_BYTES),
    });
    await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 4)));
    await waitFor(
      'both subscribers saw all four',
      () => mutator.length === 4 && witness.length === 4,
    );

    const byId = (seen: BusEnvelope[], id: string) => seen.find((e) => e.record.event_id === id);
    const first = byId(witness, 'd1');
    expect(first?.payload).toEqual(AUDIO_PAYLOAD);
    expect(first?.binary).toBeInstanceOf(Uint8Array);
    expect(first?.binary).toEqual(audioFrame());
    expect(first?.binary).not.toBe(buffer);
    expect(byId(mutator, 'd1')?.binary).not.toBe(first?.binary);
    expect(byId(mutator, 'd1')?.binary?.every((byte) => byte === 0xee)).toBe(true);
    expect(buffer.every((byte) => byte === 0x11)).toBe(true);
    expect(byId(witness, 'd2')?.binary).toEqual(new Uint8Array(0));
    expect(byId(witness, 't3')?.binary).toEqual(audioFrame(MAX_BYTES));
    expect('binary' in (byId(witness, 'd4') ?? {})).toBe(false);
  });

  it('refuses an attachment on ControlLane, of another type or above 64 KiB, naming the field', async () => {
    const { publisher, subscriber } = ctx.pair;
    const seen: BusEnvelope[] = [];
    await subscriber.subscribe(ctx.ref.tenant, ctx.ref.session, (e) => void seen.push(e));
    const refusals: [BusEnvelope, RegExp][] = [
      [
        { ...envelopeOf(ctx.ref, controlSignal(ctx.ref, 1)), binary: audioFrame(4) },
        /^invalid binary: expected none on ControlLane, received 4 bytes$/,
      ],
      [
        {
          ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 2)),
          binary: [1, 2, 3] as unknown as Uint8Array,
        },
        /^invalid binary: expected a Uint8Array of at most 65536 bytes, received Array$/,
      ],
      [
        {
          ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 3)),
          binary: 'AAEC' as unknown as Uint8Array,
        },
        /^invalid binary: expected a Uint8Array of at most 65536 bytes, received string$/,
      ],
      [
        { ...envelopeOf(ctx.ref, dataRecord(ctx.ref, 4)), binary: audioFrame(MAX_BYTES + 1) },
        /^invalid binary: expected at most 65536 bytes, received 65537 bytes$/,
      ],
    ];
    for (const [envelope, message] of refusals) {
      const refused = await publisher.publish(envelope).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(BusError);
      expect(refused).toMatchObject({ code: 'invalid_envelope', retryable: false });
      expect((refused as BusError).message).toMatch(message);
    }
    await publisher.publish(envelopeOf(ctx.ref, dataRecord(ctx.ref, 5)));
    await publisher.publish(envelopeOf(ctx.ref, controlSignal(ctx.ref, 6)));
    await waitFor('the valid envelopes delivered', () => seen.length === 2);
    expect(ids(seen).sort()).toEqual(['c6', 'd5']);
  });
}
