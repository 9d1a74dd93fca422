import { describe, expect, it } from 'vitest';
import { INGRESS_MARKER, ingressMarkerOf } from './ingress-marker.ts';
import type { BusEnvelope } from './ports/bus.port.ts';

const envelope = (payload: BusEnvelope['payload']): BusEnvelope =>
  ({ tenant_id: 't', record: {}, payload }) as unknown as BusEnvelope;

describe('ingressMarkerOf', () => {
  it('reads the kind a transport put under the marker key', () => {
    expect(ingressMarkerOf(envelope({ [INGRESS_MARKER]: 'audio_frame', text: 'x' }))).toBe(
      'audio_frame',
    );
  });

  it('finds no marker in output, non-object payloads or a non-string value', () => {
    expect(ingressMarkerOf(envelope(undefined))).toBeUndefined();
    expect(ingressMarkerOf(envelope(['rspp_ingress']))).toBeUndefined();
    expect(ingressMarkerOf(envelope({ other: 'audio_frame' }))).toBeUndefined();
    expect(ingressMarkerOf(envelope({ [INGRESS_MARKER]: 3 }))).toBeUndefined();
  });
});
