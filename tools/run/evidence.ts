/**
 * The per-session evidence of `rspp run`: an OR-02 Stage-A recorder answering the turns'
 * evidence requests, exported to an evidence sink (the `--evidence` JSONL file) after every
 * append, or released when there is no sink so Stage-A never fills up.
 */
import type { RuntimeTurnFacts, SessionEvidence, SessionIdentity } from '../../actors/index.ts';
import type { ContractValidator, EvidenceSinkPort } from '../../contracts/index.ts';
import {
  createEvidenceResponder,
  createStageARecorder,
  exportStageA,
  factsFromEvidenceRequest,
} from '../../replay/index.ts';

/** Options of {@link createStageAEvidence}. */
export type StageAEvidenceOptions = {
  readonly sink?: EvidenceSinkPort;
  /** Fault injection: every baseline append fails (T9). */
  readonly failBaselineAppends?: boolean;
  /** One validator shared by every session's recorder: compiling one costs ~150-200 ms of CPU. */
  readonly validator?: ContractValidator;
};

/** A runtime evidence factory backed by Stage-A recorders. */
export function createStageAEvidence(
  options: StageAEvidenceOptions = {},
): (session: SessionIdentity) => SessionEvidence {
  return (session) => {
    const recorder = createStageARecorder({
      session_id: session.session_id,
      pipeline_version: session.pipeline_version,
      authority_epoch: session.authority_epoch,
      ...(options.failBaselineAppends === true ? { failBaselineAppends: true } : {}),
      ...(options.validator === undefined ? {} : { validator: options.validator }),
    });
    let facts: RuntimeTurnFacts | null = null;
    const respond = createEvidenceResponder({
      recorder,
      facts: (request) => {
        if (facts === null) throw new Error('no facts');
        return factsFromEvidenceRequest(request, facts);
      },
    });
    const flush = () => {
      if (options.sink === undefined) recorder.drain(() => true);
      else exportStageA(recorder, options.sink);
    };
    return {
      appendBaseline(request, turnFacts) {
        facts = turnFacts;
        const { result } = respond(request);
        facts = null;
        return { ok: result.ok };
      },
      recordSignal(signal) {
        recorder.appendSignal(signal);
        flush();
      },
      recordDecision(outcome) {
        recorder.appendDecision(outcome);
        flush();
      },
      recordAttempt(attempt) {
        recorder.appendAttempt(attempt);
        flush();
      },
      close() {
        flush();
        return Promise.resolve();
      },
    };
  };
}
