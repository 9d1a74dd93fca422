import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  correlationId,
  eventId,
  formatOrdinal,
  idPart,
  idempotencyKey,
  identify,
  sha256Hex,
} from './ids.ts';

describe('RK-21 ids', () => {
  it('formats event ids as evt/<session>/<turn>/<6-digit ordinal>', () => {
    expect(eventId('sess-1', 'turn-1', 1)).toBe('evt/sess-1/turn-1/000001');
    expect(eventId('sess-1', 'turn-1', 123456)).toBe('evt/sess-1/turn-1/123456');
    expect(eventId('sess-1', 'turn-1', 1234567)).toBe('evt/sess-1/turn-1/1234567');
  });

  it('uses the session as owner when no turn is known', () => {
    expect(eventId('sess-1', undefined, 42)).toBe('evt/sess-1/sess-1/000042');
    expect(eventId('sess-1', '', 42)).toBe('evt/sess-1/sess-1/000042');
  });

  it('replaces / and spaces in parts with _', () => {
    expect(idPart('a/b c\td')).toBe('a_b_c_d');
    expect(eventId('tenant/s 1', 'turn 2', 3)).toBe('evt/tenant_s_1/turn_2/000003');
    expect(correlationId('tenant/s 1', 'turn/2')).toBe('corr/tenant_s_1/turn_2');
  });

  it('formats correlation ids as corr/<session>/<turn>', () => {
    expect(correlationId('sess-1', 'turn-1')).toBe('corr/sess-1/turn-1');
    expect(correlationId('sess-1')).toBe('corr/sess-1/sess-1');
  });

  it('clamps bad ordinals to 000000', () => {
    expect(formatOrdinal(-3)).toBe('000000');
    expect(formatOrdinal(Number.NaN)).toBe('000000');
    expect(formatOrdinal(1.5)).toBe('000000');
  });

  it('derives the idempotency key as hex SHA-256 of <session>/<turn>/<event_id>', () => {
    const event_id = 'evt/sess_1/turn-1/000001';
    const expected = '0b63f709d5c9252ae57db3682ab7a321abfd1364d557f546a8385622ac4177f4';
    expect(idempotencyKey('sess 1', 'turn-1', event_id)).toBe(expected);
    expect(sha256Hex(`sess_1/turn-1/${event_id}`)).toBe(expected);
    expect(createHash('sha256').update(`sess_1/turn-1/${event_id}`).digest('hex')).toBe(expected);
  });

  it('gives the same identity on retry and reconnect (pure derivation)', () => {
    const first = identify('sess-1', 'turn-1', 5, 3);
    expect(identify('sess-1', 'turn-1', 5, 3)).toEqual(first);
    expect(first).toEqual({
      event_id: 'evt/sess-1/turn-1/000005',
      correlation_id: 'corr/sess-1/turn-1',
      idempotency_key: sha256Hex('sess-1/turn-1/evt/sess-1/turn-1/000005'),
      authority_epoch: 3,
    });
    expect(identify('sess-1', 'turn-1', 6, 3).idempotency_key).not.toBe(first.idempotency_key);
  });
});
