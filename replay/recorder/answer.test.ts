import { createActor, SimulatedClock } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { turnMachine, type EvidenceRequested, type TurnEmitted } from '../../machines/index.ts';
import { passingArbitration, passingPlan } from '../../machines/internal.ts';
import {
  answerEvidenceRequest,
  attachEvidenceAnswerer,
  createEvidenceResponder,
  type EvidenceResponse,
} from './answer.ts';
import { factsFromEvidenceRequest, type TurnEvidenceFacts } from './baseline.ts';
import { createStageARecorder } from './stage-a.ts';
import { EPOCH, PIPELINE, PLAN_HASH, SESSION, turnFacts } from './test-facts.ts';
import type { StageARecorderOptions } from './types.ts';

const validator = createContractValidator();

const REQUEST: EvidenceRequested = {
  type: 'evidence.requested',
  request_id: 'turn-1/evidence/1',
  session_id: SESSION,
  turn_id: 'turn-1',
  authority_epoch: EPOCH,
  plan_hash: PLAN_HASH,
  terminal: { signal: 'commit' },
  turn_open_proposed_at_ms: 10,
  turn_open_at_ms: 20,
  cancel_accepted_at_ms: null,
  at_ms: 30,
  wall_ms: 1030,
};

/** A turn actor answered by a recorder, recording its control signals like the runtime would. */
function run(
  options: Partial<StageARecorderOptions> = {},
  facts: (request: EvidenceRequested) => TurnEvidenceFacts = () => turnFacts('turn-1'),
) {
  const recorder = createStageARecorder({
    session_id: SESSION,
    pipeline_version: PIPELINE,
    validator,
    ...options,
  });
  const clock = new SimulatedClock();
  const actor = createActor(turnMachine, {
    clock,
    input: {
      session_id: SESSION,
      turn_id: 'turn-1',
      pipeline_version: PIPELINE,
      authority_epoch: EPOCH,
    },
  });
  const lines: string[] = [];
  const responses: EvidenceResponse[] = [];
  actor.on('*', (e: TurnEmitted) => {
    if (e.type === 'control.signal') {
      const s = e.signal;
      // What Stage-A holds at the moment each signal is emitted.
      const stored = recorder.entries(['baseline', 'append_failed']).map((x) => x.kind);
      lines.push(
        `${s.signal}${s.reason === undefined ? '' : `(${s.reason})`} [${stored.join(',')}]`,
      );
      recorder.appendSignal(s);
    } else if (e.type === 'evidence.requested') lines.push(`requested ${e.request_id}`);
  });
  const detach = attachEvidenceAnswerer(
    actor,
    createEvidenceResponder({
      recorder,
      facts: (request) => factsFromEvidenceRequest(request, facts(request)),
    }),
    (response) => void responses.push(response),
  );
  actor.subscribe({
    error: (err) => {
      throw err;
    },
  });
  actor.start();
  actor.send({ type: 'turn.propose', at_ms: 10 });
  actor.send({ ...passingArbitration, at_ms: 20 });
  actor.send({ ...passingPlan, at_ms: 20 });
  lines.length = 0;
  return { actor, clock, recorder, lines, responses, detach };
}

describe('answerEvidenceRequest', () => {
  it('maps a stored baseline to evidence.appended for the same request, epoch and time', () => {
    expect(answerEvidenceRequest(REQUEST, { ok: true })).toEqual({
      type: 'evidence.appended',
      request_id: 'turn-1/evidence/1',
      authority_epoch: EPOCH,
      at_ms: 30,
      wall_ms: 1030,
    });
  });

  it('maps a failed append to evidence.append_failed', () => {
    expect(answerEvidenceRequest(REQUEST, { ok: false })).toEqual({
      type: 'evidence.append_failed',
      request_id: 'turn-1/evidence/1',
      authority_epoch: EPOCH,
      at_ms: 30,
      wall_ms: 1030,
    });
  });
});

describe('attachEvidenceAnswerer', () => {
  it('lets the turn commit only after its baseline is in Stage-A (T6)', () => {
    const t = run();
    t.actor.send({ type: 'turn.generation.completed', at_ms: 30 });
    expect(t.lines).toEqual([
      'requested turn-1/evidence/1',
      'commit [baseline]',
      'close [baseline]',
    ]);
    expect(t.actor.getSnapshot().value).toBe('Closed');
    const [baseline, ...markers] = t.recorder.entries(['baseline', 'terminal_signal']);
    expect(baseline?.kind === 'baseline' && baseline.record).toMatchObject({
      turn_id: 'turn-1',
      terminal_outcome: 'commit',
      plan_hash: PLAN_HASH,
      authority_epoch: EPOCH,
      turn_open_proposed_at_ms: 10,
      turn_open_at_ms: 20,
    });
    expect(markers.map((m) => m.kind === 'terminal_signal' && m.record.signal)).toEqual([
      'commit',
      'close',
    ]);
    expect(t.responses.map((r) => r.answer.type)).toEqual(['evidence.appended']);
  });

  it('ends the turn with T9 abort(recording_evidence_unavailable) then close when appends fail', () => {
    const t = run({ failBaselineAppends: true, limits: { detail: 0 } });
    t.actor.send({ type: 'turn.generation.completed', at_ms: 30 });
    expect(t.lines).toEqual([
      'requested turn-1/evidence/1',
      'abort(recording_evidence_unavailable) [append_failed]',
      'close [append_failed]',
    ]);
    expect(t.actor.getSnapshot().value).toBe('Closed');
    // Detail holds nothing, yet the T9 terminal markers were recorded in the reserve.
    expect(t.recorder.entries().map((e) => e.kind)).toEqual([
      'append_failed',
      'terminal_signal',
      'terminal_signal',
    ]);
    expect(t.responses[0]?.result).toEqual({ ok: false, reason: 'fault_injected', issues: [] });
  });

  it('turns an abort with incomplete cancel evidence into T9 as well', () => {
    // A cancel needs its fence and sent markers; these facts have neither.
    const t = run();
    t.actor.send({ type: 'turn.cancel', at_ms: 30 });
    expect(t.lines).toEqual([
      'cancel []',
      'playback_cancelled(cancel_fence_applied) []',
      'requested turn-1/evidence/1',
      'abort(recording_evidence_unavailable) [append_failed]',
      'close [append_failed]',
    ]);
    expect(t.responses[0]?.result.ok === false && t.responses[0].result.reason).toBe(
      'incomplete_baseline',
    );
  });

  it('records abort(cancelled) when the cancel markers are known', () => {
    const t = run({}, (request) => ({
      ...turnFacts(request.turn_id),
      cancel_fence_applied_at_ms: request.at_ms,
      cancel_sent_at_ms: request.at_ms,
    }));
    t.actor.send({ type: 'turn.cancel', at_ms: 30 });
    expect(t.lines).toEqual([
      'cancel []',
      'playback_cancelled(cancel_fence_applied) []',
      'requested turn-1/evidence/1',
      'abort(cancelled) [baseline]',
      'close [baseline]',
    ]);
    const stored = t.recorder.entries(['baseline'])[0];
    expect(stored?.kind === 'baseline' && stored.record).toMatchObject({
      terminal_outcome: 'abort',
      terminal_reason: 'cancelled',
      cancel_accepted_at_ms: 30,
    });
  });

  it('treats facts that cannot be assembled as a failed append, not a throw', () => {
    const t = run({}, () => {
      throw new Error('plan store unavailable');
    });
    t.actor.send({ type: 'turn.generation.completed', at_ms: 30 });
    expect(t.lines[1]).toBe('abort(recording_evidence_unavailable) [append_failed]');
    expect(t.actor.getSnapshot().value).toBe('Closed');
  });

  it('stops answering once detached: the evidence timeout then decides T9', () => {
    const t = run();
    t.detach();
    t.actor.send({ type: 'turn.generation.completed', at_ms: 30 });
    expect(t.lines).toEqual(['requested turn-1/evidence/1']);
    expect(t.actor.getSnapshot().value).toEqual({ Active: { finalizing: 'committing' } });
    expect(t.recorder.entries(['baseline', 'append_failed'])).toEqual([]);
    t.clock.increment(1000);
    expect(t.lines).toEqual([
      'requested turn-1/evidence/1',
      'abort(recording_evidence_unavailable) []',
      'close []',
    ]);
    expect(t.responses).toEqual([]);
  });
});
