import { describe, expect, it } from 'vitest';
import {
  ASSIGNMENT_WILDCARD,
  CONTROL_STREAM_SUBJECTS,
  SubjectTokenError,
  assertSubjectToken,
  assignmentSubject,
  laneFilter,
  laneSubject,
  parseLaneSubject,
  sessionWildcard,
  tenantLaneWildcard,
} from '../../../contracts/subjects.ts';

/** NATS subject matching, enough for these assertions (`*` one token, `>` the rest). */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (const [i, token] of p.entries()) {
    if (token === '>') return s.length > i;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}

describe('contracts/subjects', () => {
  it('spells lane subjects as rspp.v1.<tenant>.<session>.<in|out>.<lane>, one per lane and direction', () => {
    expect(laneSubject('acme', 'call-1', 'DataLane')).toBe('rspp.v1.acme.call-1.out.data');
    expect(laneSubject('acme', 'call-1', 'ControlLane', 'egress')).toBe(
      'rspp.v1.acme.call-1.out.control',
    );
    expect(laneSubject('acme', 'call-1', 'ControlLane', 'ingress')).toBe(
      'rspp.v1.acme.call-1.in.control',
    );
    expect(laneSubject('acme', 'call-1', 'TelemetryLane')).toBe(
      'rspp.v1.acme.call-1.out.telemetry',
    );
  });

  it('builds filters and wildcards that match exactly the intended subjects', () => {
    const control = laneSubject('acme', 'call-1', 'ControlLane');
    const controlIn = laneSubject('acme', 'call-1', 'ControlLane', 'ingress');
    expect(matches(laneFilter('acme', 'call-1', 'ControlLane', undefined), control)).toBe(true);
    expect(matches(laneFilter('acme', 'call-1', 'ControlLane', undefined), controlIn)).toBe(true);
    expect(matches(laneFilter('acme', 'call-1', 'ControlLane', 'ingress'), control)).toBe(false);
    expect(matches(laneFilter('acme', 'call-1', 'ControlLane', 'ingress'), controlIn)).toBe(true);
    expect(matches(laneFilter('acme', 'call-1', 'DataLane', undefined), control)).toBe(false);
    expect(matches(sessionWildcard('acme', 'call-1'), control)).toBe(true);
    expect(matches(sessionWildcard('acme', 'call-1'), controlIn)).toBe(true);
    expect(matches(sessionWildcard('acme', 'call-2'), control)).toBe(false);
    expect(matches(tenantLaneWildcard('acme', 'ControlLane'), control)).toBe(true);
    expect(matches(tenantLaneWildcard('acme', 'ControlLane'), controlIn)).toBe(true);
    expect(matches(tenantLaneWildcard('acme', 'DataLane'), control)).toBe(false);
    expect(CONTROL_STREAM_SUBJECTS.some((p) => matches(p, control))).toBe(true);
    expect(CONTROL_STREAM_SUBJECTS.some((p) => matches(p, controlIn))).toBe(true);
    expect(CONTROL_STREAM_SUBJECTS.some((p) => matches(p, laneSubject('a', 's', 'DataLane')))).toBe(
      false,
    );
    // The assignment subject never falls into a lane wildcard or the control stream.
    expect(assignmentSubject('acme')).toBe('rspp.v1.acme.assign');
    expect(matches(ASSIGNMENT_WILDCARD, assignmentSubject('acme'))).toBe(true);
    expect(CONTROL_STREAM_SUBJECTS.some((p) => matches(p, assignmentSubject('acme')))).toBe(false);
    expect(matches(tenantLaneWildcard('acme', 'ControlLane'), assignmentSubject('acme'))).toBe(
      false,
    );
  });

  it('parses what it spells and nothing else', () => {
    expect(parseLaneSubject('rspp.v1.acme.call-1.out.control')).toEqual({
      tenant_id: 'acme',
      session_id: 'call-1',
      direction: 'egress',
      lane: 'ControlLane',
    });
    expect(parseLaneSubject(laneSubject('acme', 'call-1', 'DataLane', 'ingress'))).toEqual({
      tenant_id: 'acme',
      session_id: 'call-1',
      direction: 'ingress',
      lane: 'DataLane',
    });
    expect(parseLaneSubject('rspp.v1.acme.call-1.control')).toBeUndefined();
    expect(parseLaneSubject('rspp.v1.acme.call-1.up.control')).toBeUndefined();
    expect(parseLaneSubject('rspp.v1.acme.assign')).toBeUndefined();
    expect(parseLaneSubject('rspp.v2.acme.call-1.out.data')).toBeUndefined();
    expect(parseLaneSubject('rspp.v1.acme.call-1.out.audio')).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['a.b', "must not contain '.'"],
    ['a*', "must not contain the wildcard '*'"],
    ['>', "must not contain the wildcard '>'"],
    ['a b', 'must not contain whitespace'],
    ['a\u0000b', 'must not contain whitespace or control characters'],
    ['x'.repeat(129), 'must be at most 128 characters'],
  ])('rejects %j with an error naming the field and the rule', (bad, rule) => {
    expect(() => laneSubject(bad, 's', 'DataLane')).toThrow(`invalid tenant_id: ${rule}`);
    expect(() => laneSubject('t', bad, 'DataLane')).toThrow(`invalid session_id: ${rule}`);
    expect(() => assertSubjectToken('tenant_id', bad)).toThrow(SubjectTokenError);
    expect(() => assertSubjectToken('session_id', bad)).toThrow(
      expect.objectContaining({ name: 'SubjectTokenError', field: 'session_id' }),
    );
  });

  it('rejects a non-string id', () => {
    expect(() => assertSubjectToken('tenant_id', 42)).toThrow(
      'invalid tenant_id: expected a string, received number',
    );
  });
});
