import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../contracts/index.ts';
import { BINARY_MAX_BYTES, checkEnvelope, type BusEnvelope } from '../core/index.ts';
import { BINARY_LENGTH_HEADER, decodeNatsMessage, encodeNatsMessage } from './wire.ts';

const record = {
  schema_version: 'v1.0',
  session_id: 'call-1',
  event_id: 'd1',
  runtime_sequence: 1,
  lane: 'DataLane',
} as unknown as EventRecord;

const audio = {
  kind: 'audio',
  encoding: 'pcm16le',
  sample_rate_hz: 16000,
  channels: 1,
  duration_ms: 20,
  note: 'héllo 🎧', // multi-byte UTF-8 in the JSON part
};

/** Every byte value, including ones that are not valid UTF-8 on their own. */
function frame(length = 640): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff);
}

function encode(envelope: BusEnvelope) {
  return encodeNatsMessage(checkEnvelope(envelope, 'nats'));
}

function withHeader(...values: string[]): MsgHdrs {
  const headers = natsHeaders();
  for (const value of values) headers.append(BINARY_LENGTH_HEADER, value);
  return headers;
}

describe('NATS wire form', () => {
  it('puts the raw bytes after the UTF-8 JSON and their count in Rspp-Binary-Length', () => {
    const bytes = frame();
    const envelope: BusEnvelope = { tenant_id: 'acme', record, payload: audio, binary: bytes };
    const { data, headers } = encode(envelope);
    const json = JSON.stringify({ tenant_id: 'acme', record, payload: audio });
    expect(data).toBeInstanceOf(Uint8Array);
    expect(headers?.get(BINARY_LENGTH_HEADER)).toBe('640');
    expect((data as Uint8Array).length).toBe(Buffer.byteLength(json) + 640);
    expect(Buffer.from(data as Uint8Array).subarray(-640)).toEqual(Buffer.from(bytes));
    const decoded = decodeNatsMessage(data as Uint8Array, headers);
    expect(decoded).toEqual(envelope);
    expect(decoded.binary).not.toBe(bytes);
  });

  it('copies the bytes at encode time, so the publisher may reuse its buffer at once', () => {
    const bytes = frame(8);
    const { data } = encode({ tenant_id: 'acme', record, binary: bytes });
    bytes.fill(0);
    expect([...(data as Uint8Array).subarray(-8)]).toEqual([...frame(8)]);
  });

  it('keeps an envelope without bytes as plain JSON text with no framing header', () => {
    const { data, headers } = encode({ tenant_id: 'acme', record, payload: audio });
    expect(typeof data).toBe('string');
    expect(headers).toBeUndefined();
    const traced = encode({ tenant_id: 'acme', record, traceparent: '00-ab-cd-01' });
    expect(traced.headers?.get('traceparent')).toBe('00-ab-cd-01');
    expect(traced.headers?.has(BINARY_LENGTH_HEADER)).toBe(false);
  });

  it('carries an empty attachment and the largest one allowed', () => {
    for (const length of [0, BINARY_MAX_BYTES]) {
      const { data, headers } = encode({ tenant_id: 'acme', record, binary: frame(length) });
      const decoded = decodeNatsMessage(data as Uint8Array, headers);
      expect(decoded.binary).toEqual(frame(length));
    }
  });

  it.each([
    [['abc'], /expected a byte count, received "abc"/],
    [['-1'], /expected a byte count, received "-1"/],
    [['007'], /expected a byte count, received "007"/],
    [['1e3'], /expected a byte count, received "1e3"/],
    [['4', '4'], /expected one value, received 2/],
    [['9999'], /expected at most \d+ bytes \(message \d+ bytes\), received 9999/],
    [[String(BINARY_MAX_BYTES + 1)], /expected at most/],
  ])('refuses Rspp-Binary-Length %j, naming the header', (values, message) => {
    const { data } = encode({ tenant_id: 'acme', record, binary: frame(4) });
    expect(() => decodeNatsMessage(data as Uint8Array, withHeader(...values))).toThrow(message);
  });

  it('refuses a count that cuts the JSON, and bytes smuggled into the JSON', () => {
    const { data } = encode({ tenant_id: 'acme', record, payload: audio, binary: frame(4) });
    // 5: the JSON loses its closing brace.
    expect(() => decodeNatsMessage(data as Uint8Array, withHeader('5'))).toThrow(SyntaxError);
    // 8: the cut falls inside the 4-byte emoji that ends the JSON (`🎧"}}`): not valid UTF-8,
    // refused rather than repaired into a replacement character.
    expect(() => decodeNatsMessage(data as Uint8Array, withHeader('8'))).toThrow(TypeError);
    const smuggled = new TextEncoder().encode(
      JSON.stringify({ tenant_id: 'acme', record, binary: 'AAEC' }),
    );
    expect(() => decodeNatsMessage(smuggled, undefined)).toThrow(
      'envelope.binary must travel as bytes, not in JSON',
    );
  });

  it('reads the header whatever its case, so a respelled header is still validated', () => {
    const { data } = encode({ tenant_id: 'acme', record, binary: frame(4) });
    const headers = natsHeaders();
    headers.set('rspp-binary-length', 'x');
    expect(() => decodeNatsMessage(data as Uint8Array, headers)).toThrow(/expected a byte count/);
  });
});
