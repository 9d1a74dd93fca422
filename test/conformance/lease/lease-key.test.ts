import { describe, expect, it } from 'vitest';
import { LEASE_BUCKET_NAME, SubjectTokenError, leaseKey } from '../../../contracts/internal.ts';

describe('leaseKey', () => {
  it('keeps plain ids readable and scopes the key by tenant first', () => {
    expect(LEASE_BUCKET_NAME).toBe('RSPP_V1_LEASES');
    expect(leaseKey('acme', 'call-42_a')).toBe('acme.call-42_a');
  });

  it('escapes every other byte as =XX, so any subject token is a valid KV key and keys never collide', () => {
    expect(leaseKey('t', 'call:42')).toBe('t.call=3A42');
    expect(leaseKey('t', 'é/=')).toBe('t.=C3=A9=2F=3D');
    expect(leaseKey('t', '=3A')).not.toBe(leaseKey('t', ':'));
    expect(leaseKey('t', 'x=3A')).toBe('t.x=3D3A');
  });

  it('rejects ids that are not subject tokens, naming the field', () => {
    expect(() => leaseKey('a.b', 's')).toThrow(SubjectTokenError);
    expect(() => leaseKey('t', 'a>')).toThrow(
      "invalid session_id: must not contain the wildcard '>'",
    );
  });
});
