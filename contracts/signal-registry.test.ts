import { describe, expect, it } from 'vitest';
import type { ControlSignalEmitter, ControlSignalName, TurnState } from './generated/types.ts';
import { ABORT_REASONS } from './reason-codes.ts';
import { loadContractSchemas } from './schemas.ts';
import { SIGNAL_NAMES, SIGNAL_REGISTRY, canEmit, signalsWithLifecycle } from './signal-registry.ts';
import { createContractValidator } from './validate.ts';

const validator = createContractValidator();
interface SchemaNode {
  readonly enum?: string[];
  readonly properties?: Record<string, SchemaNode>;
}
const defs = (id: string): Record<string, SchemaNode> => {
  const schema = loadContractSchemas().find((s) => s.$id === id);
  return (schema?.['$defs'] ?? {}) as Record<string, SchemaNode>;
};
const common = defs('urn:rspp:common.v1');
const SCHEMA_NAMES = common['control_signal_name']?.enum ?? [];
const SCHEMA_EMITTERS = (common['control_signal_emitter']?.enum ?? []) as ControlSignalEmitter[];
const STATES = (common['turn_state']?.enum ?? []) as TurnState[];
const TRIGGERS =
  defs('urn:rspp:turn-transition.v1')['turn_transition']?.properties?.['trigger']?.enum ?? [];

// A plausible value for every extra field a signal may require.
const SAMPLE: Record<string, unknown> = {
  turn_id: 'turn-1',
  reason: 'test_reason',
  scope: 'turn',
  edge_id: 'edge-stt-llm',
  target_lane: 'DataLane',
  amount: 1,
  seq_range: { start: 4, end: 9 },
  sync_domain: 'sync/sess-1/audio',
  discontinuity_id: 'disc-1',
  authority_epoch: 3,
};

/** The smallest document the registry says is a valid `name` signal. */
function minimal(name: ControlSignalName): Record<string, unknown> {
  const spec = SIGNAL_REGISTRY[name];
  const scope = spec.event_scope ?? 'session';
  const doc: Record<string, unknown> = {
    schema_version: 'v1.0',
    event_scope: scope,
    session_id: 'sess-1',
    pipeline_version: 'pipeline-v1',
    event_id: 'evt/sess-1/session/000001',
    lane: spec.lane,
    transport_sequence: 0,
    runtime_sequence: 1,
    authority_epoch: 3,
    runtime_timestamp_ms: 10,
    wall_clock_timestamp_ms: 1767225600010,
    payload_class: 'metadata',
    signal: name,
    emitted_by: spec.emitted_by[0],
    ...(scope === 'turn' ? { turn_id: 'turn-1' } : {}),
  };
  for (const field of spec.required_fields) doc[field] = SAMPLE[field];
  return doc;
}

const isValid = (doc: unknown) => validator.validate('control_signal', doc).valid;

describe('SIGNAL_REGISTRY', () => {
  it('names exactly the 43 signals of the schema, in enum order', () => {
    expect(SIGNAL_NAMES).toHaveLength(43);
    expect([...SIGNAL_NAMES]).toEqual(SCHEMA_NAMES);
  });

  it('uses exactly the emitters of the schema', () => {
    const used = new Set(SIGNAL_NAMES.flatMap((n) => SIGNAL_REGISTRY[n].emitted_by));
    expect([...used].sort()).toEqual([...SCHEMA_EMITTERS].sort());
  });

  describe.each(SIGNAL_NAMES.map((n) => [n]))('%s', (name) => {
    const spec = SIGNAL_REGISTRY[name];

    it('validates when built from its registry entry', () => {
      expect(validator.validate('control_signal', minimal(name))).toEqual({ valid: true });
    });

    it('is invalid without each required extra field', () => {
      for (const field of spec.required_fields) {
        const { [field]: _dropped, ...rest } = minimal(name);
        expect(isValid(rest), field).toBe(false);
      }
    });

    it('accepts every listed emitter and rejects every other', () => {
      for (const emitter of SCHEMA_EMITTERS) {
        expect(isValid({ ...minimal(name), emitted_by: emitter }), emitter).toBe(
          spec.emitted_by.includes(emitter),
        );
        expect(canEmit(name, emitter)).toBe(spec.emitted_by.includes(emitter));
      }
    });

    it('constrains event_scope exactly as the registry says', () => {
      for (const scope of ['session', 'turn'] as const) {
        const doc = { ...minimal(name), event_scope: scope, turn_id: 'turn-1' };
        expect(isValid(doc), scope).toBe(spec.event_scope === null || spec.event_scope === scope);
      }
    });

    it('validates with each of its known reasons', () => {
      for (const reason of spec.known_reasons)
        expect(isValid({ ...minimal(name), reason }), reason).toBe(true);
    });

    it('triggers exactly the turn transitions the registry names', () => {
      if (!TRIGGERS.includes(name)) {
        expect(spec.transition).toBeNull();
        return;
      }
      for (const from of STATES) {
        for (const to of STATES) {
          const doc = { from_state: from, trigger: name, to_state: to, deterministic: true };
          const legal = spec.transition?.from === from && spec.transition.to === to;
          expect(validator.validate('turn_transition', doc).valid, `${from} -> ${to}`).toBe(legal);
        }
      }
    });
  });

  it('classifies the lifecycle signals of lifecycle.md', () => {
    expect(signalsWithLifecycle('proposal')).toEqual(['turn_open_proposed']);
    expect(signalsWithLifecycle('open')).toEqual(['turn_open']);
    expect(signalsWithLifecycle('terminal')).toEqual(['commit', 'abort']);
    expect(signalsWithLifecycle('close')).toEqual(['close']);
    expect(signalsWithLifecycle('pre_turn')).toEqual([
      'admit',
      'reject',
      'defer',
      'stale_epoch_reject',
      'deauthorized_drain',
    ]);
    expect(SIGNAL_NAMES.filter((n) => SIGNAL_REGISTRY[n].transition !== null).sort()).toEqual(
      [...TRIGGERS].sort(),
    );
  });

  it('lists every abort reason code for abort', () => {
    expect(SIGNAL_REGISTRY.abort.known_reasons).toEqual(Object.values(ABORT_REASONS));
  });

  it('is immutable', () => {
    expect(Object.isFrozen(SIGNAL_REGISTRY)).toBe(true);
    expect(Object.isFrozen(SIGNAL_REGISTRY.abort.emitted_by)).toBe(true);
  });
});
