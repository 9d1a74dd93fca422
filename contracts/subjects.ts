/**
 * The only place NATS subjects, stream and queue-group names are spelled. Every subject is
 * versioned (`rspp.v1`) and carries the tenant first, so server permissions can be scoped per
 * tenant with `rspp.v1.<tenant>.>`.
 */
import type { Lane } from './generated/types.ts';
import type { BusDirection } from './ports/bus.port.ts';

/** Subject prefix of protocol version 1; a breaking change of the layout bumps it. */
const SUBJECT_PREFIX = 'rspp.v1';

/** Subject token of each lane: the last token of a session lane subject. */
const LANE_TOKENS = {
  DataLane: 'data',
  ControlLane: 'control',
  TelemetryLane: 'telemetry',
} as const satisfies Record<Lane, string>;

/** Subject token of each direction: the token before the lane. */
const DIRECTION_TOKENS = { ingress: 'in', egress: 'out' } as const satisfies Record<
  BusDirection,
  string
>;

/** The three lanes in delivery priority order: ControlLane first, TelemetryLane last. */
export const LANES_BY_PRIORITY = [
  'ControlLane',
  'DataLane',
  'TelemetryLane',
] as const satisfies readonly Lane[];

/** Longest accepted tenant or session id; keeps subjects and consumer names within server limits. */
const MAX_SUBJECT_TOKEN_LENGTH = 128;

/** JetStream stream that carries every session's ControlLane (durable across server restarts). */
export const CONTROL_STREAM_NAME = 'RSPP_V1_CONTROL';

/** Queue group workers join on the assignment subject, so each new session goes to one worker. */
export const WORKER_QUEUE_GROUP = 'rspp-v1-workers';

/** Field a subject token came from; named in validation errors. */
export type SubjectTokenField = 'tenant_id' | 'session_id';

/** Thrown when a tenant or session id cannot be used as a subject token. */
export class SubjectTokenError extends Error {
  /** Which field held the invalid value. */
  readonly field: SubjectTokenField;

  /** Builds the error; the message names the field, the rule and the received value. */
  constructor(field: SubjectTokenField, rule: string, received: unknown) {
    const shown =
      typeof received === 'string' ? JSON.stringify(received.slice(0, 64)) : typeof received;
    super(`invalid ${field}: ${rule}, received ${shown}`);
    this.name = 'SubjectTokenError';
    this.field = field;
  }
}

/**
 * Checks that a value can be one subject token and returns it. `.` would add a token, `*`
 * and `>` are wildcards (a publisher could reach other sessions), whitespace and control
 * characters break the wire protocol.
 */
export function assertSubjectToken(field: SubjectTokenField, value: unknown): string {
  if (typeof value !== 'string') throw new SubjectTokenError(field, 'expected a string', value);
  if (value.length === 0) throw new SubjectTokenError(field, 'must not be empty', value);
  if (value.length > MAX_SUBJECT_TOKEN_LENGTH) {
    throw new SubjectTokenError(
      field,
      `must be at most ${MAX_SUBJECT_TOKEN_LENGTH} characters`,
      value,
    );
  }
  if (value.includes('.')) throw new SubjectTokenError(field, "must not contain '.'", value);
  if (value.includes('*'))
    throw new SubjectTokenError(field, "must not contain the wildcard '*'", value);
  if (value.includes('>'))
    throw new SubjectTokenError(field, "must not contain the wildcard '>'", value);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected
  if (/[\s\u0000-\u001f\u007f]/u.test(value)) {
    throw new SubjectTokenError(field, 'must not contain whitespace or control characters', value);
  }
  return value;
}

/**
 * Subject of one lane of one session in one direction:
 * `rspp.v1.<tenant>.<session>.<in|out>.<data|control|telemetry>` (default direction `egress`).
 */
export function laneSubject(
  tenantId: string,
  sessionId: string,
  lane: Lane,
  direction: BusDirection = 'egress',
): string {
  const tenant = assertSubjectToken('tenant_id', tenantId);
  const session = assertSubjectToken('session_id', sessionId);
  return `${SUBJECT_PREFIX}.${tenant}.${session}.${DIRECTION_TOKENS[direction]}.${LANE_TOKENS[lane]}`;
}

/**
 * Subject filter of one lane of one session: one direction, or both
 * (`rspp.v1.<tenant>.<session>.*.<lane>`) when `direction` is undefined.
 */
export function laneFilter(
  tenantId: string,
  sessionId: string,
  lane: Lane,
  direction: BusDirection | undefined,
): string {
  if (direction !== undefined) return laneSubject(tenantId, sessionId, lane, direction);
  const tenant = assertSubjectToken('tenant_id', tenantId);
  const session = assertSubjectToken('session_id', sessionId);
  return `${SUBJECT_PREFIX}.${tenant}.${session}.*.${LANE_TOKENS[lane]}`;
}

/** Wildcard matching every lane of one session, both ways: `rspp.v1.<tenant>.<session>.*.*`. */
export function sessionWildcard(tenantId: string, sessionId: string): string {
  const tenant = assertSubjectToken('tenant_id', tenantId);
  const session = assertSubjectToken('session_id', sessionId);
  return `${SUBJECT_PREFIX}.${tenant}.${session}.*.*`;
}

/** Wildcard matching one lane of every session of a tenant, both ways: `rspp.v1.<tenant>.*.*.<lane>`. */
export function tenantLaneWildcard(tenantId: string, lane: Lane): string {
  const tenant = assertSubjectToken('tenant_id', tenantId);
  return `${SUBJECT_PREFIX}.${tenant}.*.*.${LANE_TOKENS[lane]}`;
}

/** Subjects captured by {@link CONTROL_STREAM_NAME}: the ControlLane of every tenant and session. */
export const CONTROL_STREAM_SUBJECTS: readonly string[] = [
  `${SUBJECT_PREFIX}.*.*.*.${LANE_TOKENS.ControlLane}`,
];

/**
 * Subject on which new sessions of a tenant are offered to workers (request/reply, queue group
 * {@link WORKER_QUEUE_GROUP}); four tokens, so it never matches a six-token lane wildcard.
 */
export function assignmentSubject(tenantId: string): string {
  return `${SUBJECT_PREFIX}.${assertSubjectToken('tenant_id', tenantId)}.assign`;
}

/** Wildcard a worker serving every tenant subscribes to (with {@link WORKER_QUEUE_GROUP}). */
export const ASSIGNMENT_WILDCARD = `${SUBJECT_PREFIX}.*.assign`;

/** Parsed form of a session lane subject. */
export interface LaneSubjectParts {
  /** Tenant id token. */
  readonly tenant_id: string;
  /** Session id token. */
  readonly session_id: string;
  /** Direction named by the fifth token. */
  readonly direction: BusDirection;
  /** Lane named by the last token. */
  readonly lane: Lane;
}

/** Parses `rspp.v1.<tenant>.<session>.<in|out>.<lane>`; returns undefined for any other subject. */
export function parseLaneSubject(subject: string): LaneSubjectParts | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 6 || `${tokens[0]}.${tokens[1]}` !== SUBJECT_PREFIX) return undefined;
  const [, , tenant, session, directionToken, laneToken] = tokens;
  const lane = LANES_BY_PRIORITY.find((candidate) => LANE_TOKENS[candidate] === laneToken);
  const direction = (['ingress', 'egress'] as const).find(
    (candidate) => DIRECTION_TOKENS[candidate] === directionToken,
  );
  if (tenant === undefined || session === undefined || lane === undefined) return undefined;
  if (direction === undefined) return undefined;
  return { tenant_id: tenant, session_id: session, direction, lane };
}

// Leases (ADR 0015).

/** KV bucket holding one lease per session; a key's revision is the session's authority epoch. */
export const LEASE_BUCKET_NAME = 'RSPP_V1_LEASES';

/** Characters a lease key token keeps as they are; every other byte is escaped as `=XX`. */
const LEASE_KEY_PLAIN = /[A-Za-z0-9_-]/u;

/** Escapes one subject token into KV key characters: injective, and readable for plain ids. */
function escapeLeaseKeyToken(token: string): string {
  let out = '';
  for (const char of token) {
    if (LEASE_KEY_PLAIN.test(char)) {
      out += char;
      continue;
    }
    for (const byte of new TextEncoder().encode(char)) {
      out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/**
 * Key of a session's lease in {@link LEASE_BUCKET_NAME}: `<tenant>.<session>`, each token
 * escaped to KV key characters (`call:42` -> `call=3A42`), so `$KV.RSPP_V1_LEASES.<tenant>.>`
 * scopes permissions per tenant. Throws SubjectTokenError for an invalid id.
 */
export function leaseKey(tenantId: string, sessionId: string): string {
  const tenant = assertSubjectToken('tenant_id', tenantId);
  const session = assertSubjectToken('session_id', sessionId);
  return `${escapeLeaseKeyToken(tenant)}.${escapeLeaseKeyToken(session)}`;
}

/** KV key of a once-only claim on an orphaned turn (ADR 0035), in {@link LEASE_BUCKET_NAME}. */
export function orphanClaimKey(tenantId: string, sessionId: string, turnId: string): string {
  if (turnId.length === 0) {
    throw new RangeError('turn_id: expected a non-empty string, received ""');
  }
  return `orphan.${leaseKey(tenantId, sessionId)}.${escapeLeaseKeyToken(turnId)}`;
}

// Evidence (ADR 0035).

/**
 * JetStream stream holding each session's durable turn evidence (limits retention): the records
 * a worker appends before the ControlLane signals they describe, read back by whoever closes a
 * dead placement's turns (ADR 0035).
 */
export const EVIDENCE_STREAM_NAME = 'RSPP_V1_EVIDENCE';

/** Subjects captured by {@link EVIDENCE_STREAM_NAME}: `rspp.v1.<tenant>.evidence.<session>`. */
export const EVIDENCE_STREAM_SUBJECTS: readonly string[] = [`${SUBJECT_PREFIX}.*.evidence.*`];

/** Subject of one session's evidence: `rspp.v1.<tenant>.evidence.<session>` (five tokens). */
export function evidenceSubject(tenantId: string, sessionId: string): string {
  const tenant = assertSubjectToken('tenant_id', tenantId);
  const session = assertSubjectToken('session_id', sessionId);
  return `${SUBJECT_PREFIX}.${tenant}.evidence.${session}`;
}

/** Evidence subjects of every session of one tenant, or of every tenant when undefined. */
export function evidenceFilter(tenantId: string | undefined): string {
  if (tenantId === undefined) return `${SUBJECT_PREFIX}.*.evidence.*`;
  return `${SUBJECT_PREFIX}.${assertSubjectToken('tenant_id', tenantId)}.evidence.*`;
}

/** Parses `rspp.v1.<tenant>.evidence.<session>`; returns undefined for any other subject. */
export function parseEvidenceSubject(
  subject: string,
): { readonly tenant_id: string; readonly session_id: string } | undefined {
  const tokens = subject.split('.');
  if (tokens.length !== 5 || `${tokens[0]}.${tokens[1]}` !== SUBJECT_PREFIX) return undefined;
  const [, , tenant, kind, session] = tokens;
  if (kind !== 'evidence' || tenant === undefined || session === undefined) return undefined;
  return { tenant_id: tenant, session_id: session };
}
