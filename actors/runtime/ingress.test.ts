import { describe, expect, it } from 'vitest';
import type { ControlSignal, EventRecord } from '../../contracts/index.ts';
import { classifyIngress } from './ingress.ts';

const time = { at_ms: 10, wall_ms: 20 };
const data: EventRecord = {
  schema_version: 'v1.0',
  event_scope: 'session',
  session_id: 's1',
  pipeline_version: 'pipeline-v1',
  event_id: 'in/1',
  lane: 'DataLane',
  transport_sequence: 1,
  runtime_sequence: 1,
  runtime_timestamp_ms: 10,
  wall_clock_timestamp_ms: 20,
  payload_class: 'text_raw',
};
const signal = (name: string): ControlSignal =>
  ({
    ...data,
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: name,
    emitted_by: 'RK-23',
  }) as ControlSignal;

describe('classifyIngress (RK-22)', () => {
  it('turns a final transcript into the session event with its words and its input id', () => {
    expect(
      classifyIngress({ kind: 'transcript_final', record: data, text: 'hi' }, data, 's1', time),
    ).toEqual({
      type: 'user.transcript.final',
      text: 'hi',
      input_id: data.event_id,
      ...time,
    });
  });

  it('maps RK-23 connection signals and cancels', () => {
    expect(
      classifyIngress({ kind: 'connection', record: {} }, signal('stall'), 's1', time),
    ).toEqual({
      type: 'connection.signal',
      signal: 'stall',
      ...time,
    });
    expect(
      classifyIngress(
        { kind: 'cancel', record: {} },
        { ...signal('cancel'), turn_id: 'turn-2', authority_epoch: 3 } as ControlSignal,
        's1',
        time,
      ),
    ).toEqual({ type: 'turn.cancel', turn_id: 'turn-2', authority_epoch: 3, ...time });
  });

  it.each([
    [
      'another session',
      { kind: 'speech_started' as const, record: {} },
      { ...data, session_id: 's2' } as EventRecord,
      'session_mismatch',
    ],
    [
      'a connection without an RK-23 signal',
      { kind: 'connection' as const, record: {} },
      data,
      'classification_mismatch',
    ],
    [
      'a cancel that is another signal',
      { kind: 'cancel' as const, record: {} },
      signal('stall'),
      'classification_mismatch',
    ],
    [
      'a transcript without words',
      { kind: 'transcript_final' as const, record: {}, text: ' ' },
      data,
      'classification_mismatch',
    ],
    [
      'an audio frame without audio',
      { kind: 'audio_frame' as const, record: {} },
      data,
      'classification_mismatch',
    ],
  ])('refuses %s', (_name, event, record, code) => {
    expect(classifyIngress(event, record, 's1', time)).toMatchObject({ code });
  });
});
