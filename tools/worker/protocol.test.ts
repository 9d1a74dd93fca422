import { describe, expect, it } from 'vitest';
import { assignmentSubject, laneSubject } from '../../contracts/internal.ts';
import { parseAssignment, tenantOfAssignmentSubject } from './protocol.ts';

describe('tenantOfAssignmentSubject', () => {
  it('returns the tenant an assignment subject names', () => {
    expect(tenantOfAssignmentSubject(assignmentSubject('acme'))).toBe('acme');
    expect(tenantOfAssignmentSubject(assignmentSubject('assign'))).toBe('assign');
    expect(tenantOfAssignmentSubject(assignmentSubject('rspp'))).toBe('rspp');
  });

  it.each([
    laneSubject('acme', 's1', 'DataLane', 'ingress'),
    `${assignmentSubject('acme')}.inbox`,
    'rspp.v1.*.assign',
    'acme.assign',
    '',
  ])('returns undefined for %j', (subject) => {
    expect(tenantOfAssignmentSubject(subject)).toBeUndefined();
  });
});

describe('parseAssignment', () => {
  const subject = assignmentSubject('tenant-a');

  it('accepts a body whose tenant is the subject tenant', () => {
    const body = { tenant_id: 'tenant-a', session_id: 's1', options: { system_prompt: 'p' } };
    expect(parseAssignment(JSON.stringify(body), subject)).toEqual(body);
  });

  it('refuses a body naming another tenant than its subject, naming field, expected and received (issue 10 item 4)', () => {
    const body = { tenant_id: 'tenant-b', session_id: 's1', options: { system_prompt: 'secret' } };
    const parsed = parseAssignment(JSON.stringify(body), subject);
    expect(parsed).toEqual({
      error: `tenant_id: expected "tenant-a" (the tenant of subject ${subject}), received "tenant-b"`,
      mismatch: { subject, field: 'tenant_id', expected: 'tenant-a', received: 'tenant-b' },
    });
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  it('bounds the received tenant it reports', () => {
    const long = 'x'.repeat(500);
    const parsed = parseAssignment(JSON.stringify({ tenant_id: long, session_id: 's1' }), subject);
    expect('mismatch' in parsed && parsed.mismatch?.received).toBe('x'.repeat(64));
    expect('error' in parsed && parsed.error.length).toBeLessThan(200);
  });

  it('refuses a message on a subject that is no assignment subject', () => {
    const body = JSON.stringify({ tenant_id: 'tenant-a', session_id: 's1' });
    expect(parseAssignment(body, 'rspp.v1.tenant-a.other')).toEqual({
      error: 'subject: expected an assignment subject, received "rspp.v1.tenant-a.other"',
    });
  });

  it('refuses a body that is no JSON or misses a field', () => {
    expect(parseAssignment('{', subject)).toEqual({ error: 'request: expected JSON' });
    expect(parseAssignment(JSON.stringify({ tenant_id: 'tenant-a' }), subject)).toEqual({
      error: 'session_id: expected a non-empty string, received undefined',
    });
  });
});
