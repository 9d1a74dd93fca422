/**
 * Answers the turn machine's `evidence.requested` (precedence rule 8: commit only after terminal
 * evidence is in Stage-A). Stage-A is synchronous, so the answer is ready in the same step, at the
 * request's own time: `evidence.appended` when the baseline record is stored, otherwise
 * `evidence.append_failed`, which the machine turns into T9 `abort(recording_evidence_unavailable)`.
 */
import type { Actor } from 'xstate';
import type { EvidenceRequested, TurnEvent, turnMachine } from '../../machines/index.ts';
import { buildBaselineRecord, type BaselineFacts } from './baseline.ts';
import type { BaselineAppendResult, StageARecorder } from './types.ts';

/** The turn machine events that answer an evidence request. */
export type EvidenceAnswer = Extract<
  TurnEvent,
  { readonly type: 'evidence.appended' | 'evidence.append_failed' }
>;

/** Maps a Stage-A baseline append result to the answer for `request`; pure. */
export function answerEvidenceRequest(
  request: EvidenceRequested,
  result: Pick<BaselineAppendResult, 'ok'>,
): EvidenceAnswer {
  return {
    type: result.ok ? 'evidence.appended' : 'evidence.append_failed',
    request_id: request.request_id,
    // The turn's own epoch: the answer is never fenced as stale (T12).
    authority_epoch: request.authority_epoch,
    at_ms: request.at_ms,
    wall_ms: request.wall_ms,
  };
}

/** What one answered request produced: the event for the turn and the append result behind it. */
export type EvidenceResponse = {
  readonly answer: EvidenceAnswer;
  readonly result: BaselineAppendResult;
};

/** Builds, appends and answers for one request; never throws. */
export type EvidenceResponder = (request: EvidenceRequested) => EvidenceResponse;

/** Options of {@link createEvidenceResponder}. */
export type EvidenceResponderOptions = {
  readonly recorder: StageARecorder;
  /** The facts of the requesting turn (see `factsFromEvidenceRequest`). */
  readonly facts: (request: EvidenceRequested) => BaselineFacts;
};

/**
 * A responder that assembles the turn's baseline record, appends it to Stage-A and maps the
 * result. A `facts` callback that throws counts as an incomplete record (T9), never as a throw.
 */
export function createEvidenceResponder(options: EvidenceResponderOptions): EvidenceResponder {
  const { recorder } = options;
  return (request) => {
    const context = { request_id: request.request_id, at_ms: request.at_ms };
    let record: unknown;
    try {
      record = buildBaselineRecord(options.facts(request));
    } catch {
      // Evidence that cannot be assembled is evidence that cannot be preserved.
      record = { session_id: request.session_id, turn_id: request.turn_id };
    }
    const result = recorder.appendBaseline(record, context);
    return { result, answer: answerEvidenceRequest(request, result) };
  };
}

/**
 * Wires a responder to a turn actor: every `evidence.requested` is answered at once. Returns the
 * unsubscribe function. `onResponse` sees each response (logging, metrics).
 */
export function attachEvidenceAnswerer(
  actor: Actor<typeof turnMachine>,
  respond: EvidenceResponder,
  onResponse?: (response: EvidenceResponse) => void,
): () => void {
  const subscription = actor.on('evidence.requested', (request) => {
    const response = respond(request);
    try {
      onResponse?.(response);
    } finally {
      // The answer goes out even if the observer throws: the turn must not wait for its timeout.
      actor.send(response.answer);
    }
  });
  return () => subscription.unsubscribe();
}
