/**
 * The fixed document sets the contracts benchmark validates: realistic envelopes as a running
 * pipeline emits them (a turn's text and audio on the DataLane, telemetry, session events), plus
 * typical mistakes. Exported so a test can prove every document is what the benchmark assumes.
 */

const SESSION = 'sess-7f3a9c2e';
const PIPELINE = 'voice-agent@1.4.2';
const BASE_MS = 1_732_454_400_000;

/** Builds one event envelope with the ids and clocks of a live session. */
function envelope(seq: number, fields: Record<string, unknown>): Record<string, unknown> {
  return {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: SESSION,
    turn_id: 'turn-0004',
    authority_epoch: 2,
    pipeline_version: PIPELINE,
    event_id: `evt-${String(seq).padStart(6, '0')}`,
    lane: 'DataLane',
    transport_sequence: 1000 + seq,
    runtime_sequence: seq,
    runtime_timestamp_ms: 48_000 + seq * 20,
    wall_clock_timestamp_ms: BASE_MS + seq * 20,
    payload_class: 'text_raw',
    ...fields,
  };
}

/** Valid `event_record` documents. */
export const VALID_EVENT_RECORDS: readonly unknown[] = [
  envelope(1, { node_id: 'stt', edge_id: 'stt->llm', causal_parent_id: 'evt-000000' }),
  envelope(2, {
    payload_class: 'audio_raw',
    node_id: 'tts',
    edge_id: 'tts->out',
    media_time: { pts_ms: 96_040 },
    sync_id: 'sync-1',
    sync_domain: 'tts-audio',
  }),
  envelope(3, {
    payload_class: 'audio_raw',
    node_id: 'mic',
    media_time: { sample_index: 768_320 },
  }),
  envelope(4, {
    node_id: 'llm',
    provider_invocation_id: 'inv-llm-0004-1',
    idempotency_key: 'turn-0004/llm/1',
  }),
  envelope(5, { lane: 'TelemetryLane', payload_class: 'metadata', node_id: 'llm' }),
  envelope(6, {
    event_scope: 'session',
    turn_id: undefined,
    authority_epoch: undefined,
    lane: 'TelemetryLane',
    payload_class: 'metadata',
    transport_sequence: null,
  }),
  envelope(7, {
    payload_class: 'derived_summary',
    merge_group_id: 'merge-2',
    merged_from_event_ids: ['evt-000004', 'evt-000005'],
  }),
  envelope(8, { late_after_cancel: true, lease_token: 'lease-9', node_id: 'tts' }),
].map(withoutUndefined);

/** `event_record` documents that each break one rule. */
export const INVALID_EVENT_RECORDS: readonly unknown[] = [
  envelope(11, { lane: 'AudioLane' }),
  envelope(12, { runtime_sequence: -1 }),
  envelope(13, { payload_class: 'audio_raw' }),
  envelope(14, { turn_id: undefined }),
  envelope(15, { schema_version: '1.0' }),
  envelope(16, { transcript_text: 'not a declared field' }),
  envelope(17, { session_id: '' }),
  envelope(18, { signal: 'barge_in', emitted_by: 'RK-06' }),
].map(withoutUndefined);

/** Valid ControlLane signals, to give `match` a mixed stream. */
export const VALID_CONTROL_SIGNALS: readonly unknown[] = [
  envelope(21, {
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'turn_open',
    emitted_by: 'RK-03',
  }),
  envelope(22, {
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'barge_in',
    emitted_by: 'RK-06',
  }),
  envelope(23, {
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'commit',
    emitted_by: 'RK-03',
  }),
  envelope(24, {
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'close',
    emitted_by: 'RK-03',
  }),
].map(withoutUndefined);

// `undefined` in an override removes the field, as JSON would never carry it.
function withoutUndefined(doc: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([, value]) => value !== undefined));
}
