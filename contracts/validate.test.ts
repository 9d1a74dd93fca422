import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { loadContractSchemas } from './schemas.ts';
import { MAX_MATCH_CANDIDATES, createContractValidator } from './validate.ts';
import { issuesFromAjv } from './ajv-issues.ts';

const validator = createContractValidator();

const event = {
  schema_version: 'v1.0',
  event_scope: 'turn',
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  event_id: 'evt/sess-1/turn-1/000001',
  lane: 'DataLane',
  transport_sequence: 12,
  runtime_sequence: 1,
  authority_epoch: 3,
  runtime_timestamp_ms: 1200,
  wall_clock_timestamp_ms: 1767225601200,
  payload_class: 'text_raw',
};
const abort = {
  ...event,
  event_id: 'evt/sess-1/turn-1/000009',
  lane: 'ControlLane',
  payload_class: 'metadata',
  signal: 'abort',
  emitted_by: 'RK-03',
  reason: 'cancelled',
};

function issuesOf(name: Parameters<typeof validator.validate>[0], doc: unknown) {
  const result = validator.validate(name, doc);
  if (result.valid) throw new Error('expected an invalid document');
  return result.issues;
}

describe('createContractValidator().validate', () => {
  it('returns the same frozen verdict object for every valid document', () => {
    const first = validator.validate('event_record', event);
    expect(first).toEqual({ valid: true });
    expect(validator.validate('event_record', { ...event, runtime_sequence: 2 })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('points a missing required field at the field itself', () => {
    const { reason: _reason, ...withoutReason } = abort;
    expect(issuesOf('control_signal', withoutReason)).toEqual([
      {
        pointer: '/reason',
        rule: 'required',
        expected: 'present',
        received: '(absent)',
        message: '/reason required: expected present, received (absent)',
      },
    ]);
  });

  it('lists the allowed values of an enum and names the extra property of a closed object', () => {
    const issues = issuesOf('event_record', { ...event, lane: 'MediaLane', transcript: 'hi' });
    expect(issues.map((i) => [i.pointer, i.rule, i.expected, i.received])).toEqual([
      ['/transcript', 'additionalProperties', 'absent (undeclared property)', '"hi"'],
      ['/lane', 'enum', 'one of "DataLane", "ControlLane", "TelemetryLane"', '"MediaLane"'],
    ]);
  });

  it('reports only the owner list when an unknown emitter also fails the emitter vocabulary', () => {
    const issues = issuesOf('control_signal', {
      ...abort,
      signal: 'cancel',
      scope: 'turn',
      emitted_by: 'RK-99',
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      pointer: '/emitted_by',
      rule: 'enum',
      expected: 'one of "RK-06", "RK-16"',
    });
  });

  it('drops ajv `if` errors and keeps the `then` cause', () => {
    const issues = issuesOf('event_record', { ...event, payload_class: 'audio_raw' });
    expect(issues.map((i) => i.rule)).toEqual(['required']);
    expect(issues[0]?.pointer).toBe('/media_time');
  });

  it('summarizes an illegal transition as one issue listing the legal ones', () => {
    const issues = issuesOf('turn_transition', {
      from_state: 'Idle',
      trigger: 'turn_open',
      to_state: 'Active',
      deterministic: true,
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ pointer: '', rule: 'oneOf' });
    expect(issues[0]?.expected).toContain(
      '{from_state=Idle, trigger=turn_open_proposed, to_state=Opening}',
    );
    expect(issues[0]?.expected).toContain('{from_state=Terminal, trigger=close, to_state=Closed}');
    expect(issues[0]?.received).toBe(
      '{"from_state":"Idle","trigger":"turn_open","to_state":"Active"}',
    );
    expect(issues[0]?.message.startsWith('(root) oneOf: expected exactly one of {')).toBe(true);
  });

  it('truncates long received values', () => {
    const [issue] = issuesOf('event_record', { ...event, lane: 'x'.repeat(500) });
    expect(issue?.received).toHaveLength(80);
    expect(issue?.received.endsWith('…')).toBe(true);
  });

  it('reports a wrongly typed enum value once, with the allowed values', () => {
    const issues = issuesOf('event_record', { ...event, session_id: 7, lane: 3 });
    expect(issues.map((i) => [i.pointer, i.rule, i.expected])).toEqual([
      ['/session_id', 'type', 'type string'],
      ['/lane', 'enum', 'one of "DataLane", "ControlLane", "TelemetryLane"'],
    ]);
  });

  it('runs semantic rules only once the schema passes', () => {
    const outcome = {
      provider_invocation_id: 'pvi/sess-1/turn-1/evt_sess-1_turn-1_000001/stt',
      modality: 'stt',
      provider_id: 'stt-deepgram',
      outcome_class: 'success',
      retryable: false,
      retry_decision: 'none',
      attempt_count: 1,
      final_attempt_latency_ms: 180,
      total_invocation_latency_ms: 179,
    };
    expect(issuesOf('invocation_outcome', outcome).map((i) => i.rule)).toEqual([
      'total_latency_ge_final',
    ]);
    expect(
      issuesOf('invocation_outcome', { ...outcome, attempt_count: 0 }).map((i) => i.rule),
    ).toEqual(['minimum']);
    expect(
      validator.validate('invocation_outcome', { ...outcome, total_invocation_latency_ms: 180 }),
    ).toEqual({
      valid: true,
    });
  });

  it('rejects an unknown artifact name', () => {
    expect(() => validator.validate('event' as never, event)).toThrow(TypeError);
  });
});

describe('createContractValidator().match', () => {
  it('identifies control signals and events', () => {
    expect(validator.match(abort)).toEqual({ artifact: 'control_signal' });
    expect(validator.match(event)).toEqual({ artifact: 'event_record' });
  });

  it('ranks the artifact the document was obviously meant as first', () => {
    const result = validator.match({ ...abort, emitted_by: 'RK-24' });
    expect(result.artifact).toBeNull();
    if (result.artifact !== null) return;
    expect(result.candidates.map((c) => c.artifact)).toEqual([
      'control_signal',
      'event_record',
      'decision_outcome',
    ]);
    expect(result.candidates[0]?.issues.map((i) => [i.pointer, i.rule])).toEqual([
      ['/emitted_by', 'const'],
    ]);
  });

  it('prefers the discriminated artifact even when another has fewer issues', () => {
    const result = validator.match({ outcome_kind: 'admit' });
    expect(result.artifact === null && result.candidates[0]?.artifact).toBe('decision_outcome');
  });

  it(`returns at most ${MAX_MATCH_CANDIDATES} candidates for a non-object`, () => {
    const result = validator.match(42);
    expect(result.artifact).toBeNull();
    if (result.artifact === null) {
      expect(result.candidates).toHaveLength(MAX_MATCH_CANDIDATES);
      expect(result.candidates.every((c) => c.issues.length > 0)).toBe(true);
    }
  });
});

describe('createContractValidator options', () => {
  it('fails fast when an artifact schema is missing', () => {
    const schemas = loadContractSchemas().filter((s) => s.$id !== 'urn:rspp:graph-definition.v1');
    expect(() => createContractValidator({ schemas })).toThrow(/graph_definition/);
  });
});

describe('issuesFromAjv', () => {
  it('keeps the closest alternative when every alternative fails deeper than its selector', () => {
    const ajv = new Ajv2020({ allErrors: true, verbose: true });
    const fn = ajv.compile({
      oneOf: [
        {
          type: 'object',
          required: ['a'],
          properties: { a: { type: 'object', required: ['x', 'y'] } },
        },
        { type: 'object', required: ['a'], properties: { a: { type: 'object', required: ['x'] } } },
      ],
    });
    expect(fn({ a: {} })).toBe(false);
    const issues = issuesFromAjv(fn.errors ?? []);
    expect(issues.map((i) => [i.pointer, i.rule])).toEqual([['/a/x', 'required']]);
  });
});
