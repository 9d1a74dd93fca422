/**
 * RK-05 event ABI gateway: every event entering the runtime is stamped with the ABI defaults and
 * validated against the contracts; an invalid one is rejected with a diagnostic naming the JSON
 * pointer, the expected and the received value (never dropped silently).
 *
 * Defaults (applied to a copy): `schema_version` `v1.0`; `transport_sequence` 0 when missing,
 * `null` or negative; on ControlLane signals, `scope` from `event_scope` when absent.
 * Rejections: not an object, missing `payload_class`, turn scope without `turn_id`, any
 * contract violation, and a `runtime_sequence` or non-null `transport_sequence` that goes back
 * within one batch.
 */
import type {
  ContractValidator,
  ControlSignal,
  EventRecord,
  ValidationIssue,
} from '../../contracts/index.ts';
import { renderValue } from '../../contracts/internal.ts';

/** An event accepted by the gateway. */
type AdmittedEvent = EventRecord | ControlSignal;

/** Why the gateway rejected an event. */
type GatewayRejectCode =
  | 'not_an_object'
  | 'payload_class_missing'
  | 'turn_scope_without_turn_id'
  | 'contract_violation'
  | 'sequence_regression';

/** A rejection: the first broken rule's pointer/expected/received, and every issue found. */
export type GatewayRejection = {
  readonly index: number;
  readonly event_id: string | null;
  readonly code: GatewayRejectCode;
  readonly pointer: string;
  readonly expected: string;
  readonly received: string;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
};

/** Result of one batch: accepted events in input order, and the rejections. */
type GatewayBatchResult = {
  readonly accepted: readonly AdmittedEvent[];
  readonly rejected: readonly GatewayRejection[];
};

/** The RK-05 gateway. */
export type EventGateway = {
  /** Admits one batch; sequence regressions are checked across the batch's accepted events. */
  admitBatch(events: readonly unknown[]): GatewayBatchResult;
};

/** The default `schema_version`. */
const DEFAULT_SCHEMA_VERSION = 'v1.0';

type Doc = Record<string, unknown>;

function issue(pointer: string, rule: string, expected: string, value: unknown): ValidationIssue {
  const received = renderValue(value);
  const message = `${pointer === '' ? '(root)' : pointer}: expected ${expected}, received ${received}`;
  return { pointer, rule, expected, received, message };
}

function reject(
  index: number,
  doc: Doc | null,
  code: GatewayRejectCode,
  issues: readonly ValidationIssue[],
): GatewayRejection {
  const first = issues[0] ?? issue('', code, 'a valid event', doc);
  const event_id = doc !== null && typeof doc['event_id'] === 'string' ? doc['event_id'] : null;
  return {
    index,
    event_id,
    code,
    pointer: first.pointer,
    expected: first.expected,
    received: first.received,
    message: `${code}: ${first.message}`,
    issues,
  };
}

/** A copy of `raw` with the RK-05 defaults applied. */
export function applyAbiDefaults(raw: Doc): Doc {
  const doc: Doc = { ...raw };
  if (doc['schema_version'] === undefined) doc['schema_version'] = DEFAULT_SCHEMA_VERSION;
  const transport = doc['transport_sequence'];
  if (
    transport === undefined ||
    transport === null ||
    (typeof transport === 'number' && transport < 0)
  )
    doc['transport_sequence'] = 0;
  const signal = doc['signal'] !== undefined && doc['lane'] === 'ControlLane';
  if (signal && doc['scope'] === undefined && typeof doc['event_scope'] === 'string')
    doc['scope'] = doc['event_scope'];
  return doc;
}

type Admission =
  | { readonly ok: true; readonly event: AdmittedEvent }
  | { readonly ok: false; readonly rejection: GatewayRejection };

const refuse = (rejection: GatewayRejection): Admission => ({ ok: false, rejection });

/** Creates a gateway validating with `validator` (one per process: compiling is costly). */
export function createEventGateway(validator: ContractValidator): EventGateway {
  function admitOne(raw: unknown, index: number): Admission {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      return refuse(reject(index, null, 'not_an_object', [issue('', 'type', 'an object', raw)]));
    const doc = applyAbiDefaults(raw as Doc);
    if (doc['payload_class'] === undefined)
      return refuse(
        reject(index, doc, 'payload_class_missing', [
          issue('/payload_class', 'required', 'a payload class', undefined),
        ]),
      );
    const turn = doc['turn_id'];
    if (doc['event_scope'] === 'turn' && (typeof turn !== 'string' || turn.length === 0))
      return refuse(
        reject(index, doc, 'turn_scope_without_turn_id', [
          issue('/turn_id', 'required', 'a turn_id when event_scope is turn', turn),
        ]),
      );
    const artifact = doc['signal'] === undefined ? 'event_record' : 'control_signal';
    const verdict = validator.validate(artifact, doc);
    if (!verdict.valid) return refuse(reject(index, doc, 'contract_violation', verdict.issues));
    return { ok: true, event: doc as AdmittedEvent };
  }

  return {
    admitBatch(events) {
      const accepted: AdmittedEvent[] = [];
      const rejected: GatewayRejection[] = [];
      // Highest sequences accepted so far in this batch (-1: none yet).
      let runtime = -1;
      let transport = -1;
      for (const [index, raw] of events.entries()) {
        const admission = admitOne(raw, index);
        if (!admission.ok) {
          rejected.push(admission.rejection);
          continue;
        }
        const doc = admission.event as Doc;
        const rs = admission.event.runtime_sequence as number;
        const ts = admission.event.transport_sequence as number | null;
        const regression =
          rs < runtime
            ? issue('/runtime_sequence', 'sequence_regression', `an integer >= ${runtime}`, rs)
            : ts !== null && ts < transport
              ? issue(
                  '/transport_sequence',
                  'sequence_regression',
                  `an integer >= ${transport}`,
                  ts,
                )
              : undefined;
        if (regression !== undefined) {
          rejected.push(reject(index, doc, 'sequence_regression', [regression]));
          continue;
        }
        runtime = rs;
        if (ts !== null) transport = ts;
        accepted.push(admission.event);
      }
      return { accepted, rejected };
    },
  };
}
