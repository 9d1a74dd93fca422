/**
 * The worker protocol (ADR 0013): the assignment request a worker in the queue group answers,
 * its reply, the end request sent to the worker's session inbox, and the marker that tells a
 * transport ingress envelope apart from the runtime's own output on a session's lane subjects.
 */
import type { BusPayload, BusEnvelope } from '../../contracts/index.ts';
import { INGRESS_MARKER, assignmentSubject, ingressMarkerOf } from '../../contracts/internal.ts';
import type { IngressKind } from '../../actors/index.ts';

/** Options of an assigned session (a subset of the Runtime's session options). */
export type AssignedSessionOptions = {
  readonly pipeline_version?: string;
  /** Ignored by a worker that leases sessions: the lease epoch is the authority (ADR 0015). */
  readonly authority_epoch?: number;
  readonly system_prompt?: string;
};

/** Request on `rspp.v1.<tenant>.assign`: run this session; `tenant_id` must be that tenant. */
export type AssignmentRequest = {
  readonly tenant_id: string;
  readonly session_id: string;
  readonly options?: AssignedSessionOptions;
};

/**
 * Why a worker refused a session: `lease_held` when another placement holds its lease,
 * `lease_unavailable` when the lease store could not be reached (both ADR 0015).
 */
export type RefusalReason =
  | 'at_capacity'
  | 'draining'
  | 'duplicate_session'
  | 'invalid_request'
  | 'lease_held'
  | 'lease_unavailable'
  /** A NATS connection of the worker is down: try another worker, or again later. */
  | 'reconnecting';

/** Reply to an {@link AssignmentRequest}. */
export type AssignmentReply =
  | {
      readonly accepted: true;
      readonly worker_id: string;
      /**
       * Inbox of this session on the worker, under the tenant's assignment subject
       * (`rspp.v1.<tenant>.assign.<nuid>`): an {@link EndRequest} there ends the session.
       */
      readonly session_inbox: string;
      /** Epoch of the worker's lease on the session: ingress must carry it (RK-24). */
      readonly authority_epoch: number;
    }
  | {
      readonly accepted: false;
      readonly worker_id: string;
      readonly reason: RefusalReason;
      readonly message: string;
    };

/** Request on a session inbox: the call is over. */
export type EndRequest = { readonly op: 'end' };

/** Reply to an {@link EndRequest}: the session is closed and these envelopes were published. */
export type EndReply = {
  readonly ended: true;
  readonly published: { readonly ControlLane: number; readonly DataLane: number };
};

/** Payload a transport gateway puts beside an ingress record (`INGRESS_MARKER` marks it). */
export type IngressPayload = {
  readonly [INGRESS_MARKER]: IngressKind;
  readonly text?: string;
};

const INGRESS_KINDS: readonly string[] = [
  'speech_started',
  'transcript_final',
  'audio_frame',
  'connection',
  'cancel',
];

/** The ingress payload of an envelope, or undefined for the runtime's own output. */
export function ingressOf(envelope: BusEnvelope): IngressPayload | undefined {
  const kind = ingressMarkerOf(envelope);
  if (kind === undefined || !INGRESS_KINDS.includes(kind)) return undefined;
  const text = (envelope.payload as { readonly [key: string]: BusPayload })['text'];
  return {
    [INGRESS_MARKER]: kind as IngressKind,
    ...(typeof text === 'string' ? { text } : {}),
  };
}

/** Parses an assignment request; the error names the field, expected and received value. */
export function parseAssignmentRequest(value: unknown): AssignmentRequest | { error: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `request: expected an object, received ${describe(value)}` };
  }
  const v = value as Record<string, unknown>;
  for (const field of ['tenant_id', 'session_id'] as const) {
    if (typeof v[field] !== 'string' || v[field] === '') {
      return { error: `${field}: expected a non-empty string, received ${describe(v[field])}` };
    }
  }
  const options = v['options'];
  if (options === undefined) {
    return { tenant_id: v['tenant_id'] as string, session_id: v['session_id'] as string };
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return { error: `options: expected an object, received ${describe(options)}` };
  }
  const o = options as Record<string, unknown>;
  const epoch = o['authority_epoch'];
  if (epoch !== undefined && (typeof epoch !== 'number' || !Number.isInteger(epoch) || epoch < 0)) {
    return {
      error: `options.authority_epoch: expected an integer >= 0, received ${describe(epoch)}`,
    };
  }
  for (const field of ['pipeline_version', 'system_prompt'] as const) {
    if (o[field] !== undefined && typeof o[field] !== 'string') {
      return { error: `options.${field}: expected a string, received ${describe(o[field])}` };
    }
  }
  return {
    tenant_id: v['tenant_id'] as string,
    session_id: v['session_id'] as string,
    options: {
      ...(typeof o['pipeline_version'] === 'string'
        ? { pipeline_version: o['pipeline_version'] }
        : {}),
      ...(typeof epoch === 'number' ? { authority_epoch: epoch } : {}),
      ...(typeof o['system_prompt'] === 'string' ? { system_prompt: o['system_prompt'] } : {}),
    },
  };
}

/** Why an assignment was refused before its session was tried: the field, expected and received. */
export type AssignmentProblem = {
  readonly error: string;
  /** Set when the body's tenant differs from the tenant of the subject it came on. */
  readonly mismatch?: {
    readonly subject: string;
    readonly field: 'tenant_id';
    readonly expected: string;
    readonly received: string;
  };
};

/**
 * The tenant an assignment subject names, or undefined for any other subject. contracts/subjects.ts
 * spells the layout: the tenant is the token whose {@link assignmentSubject} is this subject.
 */
export function tenantOfAssignmentSubject(subject: string): string | undefined {
  for (const token of subject.split('.')) {
    try {
      if (assignmentSubject(token) === subject) return token;
    } catch {
      // Not a valid tenant token, so not the tenant.
    }
  }
  return undefined;
}

/**
 * Parses an assignment message that arrived on `subject`. The body's tenant must be the subject's:
 * server permissions scope a tenant's clients to its own subjects, so a body naming another
 * tenant would run a session (lanes, lease) in that tenant's name.
 */
export function parseAssignment(
  data: string,
  subject: string,
): AssignmentRequest | AssignmentProblem {
  const tenant = tenantOfAssignmentSubject(subject);
  if (tenant === undefined) {
    return { error: `subject: expected an assignment subject, received ${describe(subject)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { error: 'request: expected JSON' };
  }
  const request = parseAssignmentRequest(value);
  if ('error' in request) return request;
  if (request.tenant_id !== tenant) {
    return {
      error: `tenant_id: expected ${JSON.stringify(tenant)} (the tenant of subject ${subject}), received ${describe(request.tenant_id)}`,
      mismatch: {
        subject,
        field: 'tenant_id',
        expected: tenant,
        received: request.tenant_id.slice(0, 64),
      },
    };
  }
  return request;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 64));
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean')
    return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}
