/**
 * The built-in `rspp run` script and the ingress records a transport would produce for it: two
 * user turns, and a barge-in during the second reply whose words become the next turn.
 */
import type { IngressKind, TransportEvent } from '../../actors/index.ts';
import type { ControlSignal, EventRecord } from '../../contracts/index.ts';

/** One scripted transport event at a runtime time. */
export type ScriptStep = {
  readonly at_ms: number;
  readonly kind: IngressKind;
  /** `transcript_final`: the words; `connection`: the RK-23 signal. */
  readonly text?: string;
};

/** The built-in script; the session ends at `end_ms`. */
export type Script = { readonly steps: readonly ScriptStep[]; readonly end_ms: number };

/** Two user turns; the user barges in during the second reply and asks something else. */
export const BUILT_IN_SCRIPT: Script = {
  steps: [
    { at_ms: 0, kind: 'connection', text: 'connected' },
    { at_ms: 600, kind: 'speech_started' },
    { at_ms: 1000, kind: 'transcript_final', text: 'hello there' },
    { at_ms: 3000, kind: 'speech_started' },
    { at_ms: 3500, kind: 'transcript_final', text: 'tell me a long story' },
    { at_ms: 4170, kind: 'speech_started' },
    { at_ms: 4600, kind: 'transcript_final', text: 'actually what time is it' },
  ],
  end_ms: 7000,
};

/** Builds the contract record of one scripted step (sequence `n`, epoch `epoch`). */
export function ingressRecord(
  session_id: string,
  step: ScriptStep,
  n: number,
  epoch: number,
): EventRecord | ControlSignal {
  const base = {
    schema_version: 'v1.0',
    event_scope: 'session' as const,
    session_id,
    pipeline_version: 'pipeline-v1',
    event_id: `in/${session_id}/${String(n).padStart(6, '0')}`,
    transport_sequence: n,
    runtime_sequence: n,
    runtime_timestamp_ms: step.at_ms,
    wall_clock_timestamp_ms: 1_700_000_000_000 + step.at_ms,
    authority_epoch: epoch,
  };
  if (step.kind === 'connection' || step.kind === 'cancel') {
    return {
      ...base,
      lane: 'ControlLane',
      payload_class: 'metadata',
      signal: step.kind === 'cancel' ? 'cancel' : (step.text ?? 'connected'),
      emitted_by: step.kind === 'cancel' ? 'RK-16' : 'RK-23',
    };
  }
  return {
    ...base,
    lane: 'DataLane',
    payload_class:
      step.kind === 'audio_frame'
        ? 'audio_raw'
        : step.kind === 'transcript_final'
          ? 'text_raw'
          : 'metadata',
    // Audio carries its media time (the frame's position; here the scripted time).
    ...(step.kind === 'audio_frame' ? { media_time: { pts_ms: step.at_ms } } : {}),
  };
}

/** The transport event of one scripted step. */
export function transportEvent(
  session_id: string,
  step: ScriptStep,
  n: number,
  epoch: number,
): TransportEvent {
  return {
    kind: step.kind,
    record: ingressRecord(session_id, step, n, epoch),
    ...(step.kind === 'transcript_final' && step.text !== undefined ? { text: step.text } : {}),
  };
}
