import { describe, expect, it } from 'vitest';
import { createContractValidator, type EvidenceSinkPort } from '../../contracts/index.ts';
import type {
  EvidenceDocument,
  EvidenceOfferRefusal,
  EvidenceSinkStats,
} from '../../contracts/internal.ts';
import { buildBaselineRecord } from './baseline.ts';
import { exportStageA } from './export.ts';
import { createStageARecorder } from './stage-a.ts';
import { admitDecision, attempt, commitFacts, PIPELINE, SESSION, signal } from './test-facts.ts';

const validator = createContractValidator();

/** A sink that takes `room` documents, then refuses with `refusal`. */
function sink(room: number, refusal: EvidenceOfferRefusal = 'queue_full') {
  const taken: EvidenceDocument[] = [];
  const stats = {} as EvidenceSinkStats;
  const port: EvidenceSinkPort = {
    offer(document) {
      if (taken.length >= room) return { accepted: false, reason: refusal };
      taken.push(document);
      return { accepted: true };
    },
    flush: () => Promise.resolve(stats),
    close: () => Promise.resolve(stats),
    stats: () => stats,
    onFailure: () => () => undefined,
  };
  return { port, taken };
}

function filled() {
  const recorder = createStageARecorder({
    session_id: SESSION,
    pipeline_version: PIPELINE,
    validator,
  });
  recorder.appendSignal(signal('turn-1', 1));
  recorder.appendDecision(admitDecision('turn-1'));
  recorder.appendAttempt(attempt('turn-1', 'inv-1', 1, 50));
  recorder.appendBaseline(buildBaselineRecord(commitFacts()));
  recorder.appendSignal(signal('turn-1', 2, { signal: 'commit', emitted_by: 'RK-03' }));
  recorder.appendSignal(signal('turn-1', 3, { signal: 'close', emitted_by: 'RK-03' }));
  return recorder;
}

describe('exportStageA', () => {
  it('offers baseline records and control signals in append order and releases the rest', () => {
    const recorder = filled();
    const target = sink(10);
    expect(exportStageA(recorder, target.port)).toEqual({
      exported: 4,
      released: 2,
      rejected: 0,
      lost: 0,
      stopped: null,
    });
    expect(target.taken.map((d) => ('signal' in d ? d.signal : 'baseline'))).toEqual([
      'output_accepted',
      'baseline',
      'commit',
      'close',
    ]);
    expect(recorder.entries()).toEqual([]);
  });

  it('stops at backpressure and keeps the refused entry and the rest for the next export', () => {
    const recorder = filled();
    const full = sink(2);
    expect(exportStageA(recorder, full.port)).toMatchObject({ exported: 2, stopped: 'queue_full' });
    expect(recorder.entries().map((e) => e.kind)).toEqual(['terminal_signal', 'terminal_signal']);
    const next = sink(10);
    expect(exportStageA(recorder, next.port)).toMatchObject({ exported: 2, stopped: null });
    expect(next.taken.map((d) => ('signal' in d ? d.signal : 'baseline'))).toEqual([
      'commit',
      'close',
    ]);
  });

  it('releases entries a failed sink can no longer take, counting them lost', () => {
    const recorder = filled();
    const dead = sink(1, 'sink_failed');
    expect(exportStageA(recorder, dead.port)).toEqual({
      exported: 1,
      released: 2,
      rejected: 0,
      lost: 3,
      stopped: null,
    });
    expect(recorder.entries()).toEqual([]);
  });

  it('releases a document the sink rejects as invalid so it cannot block the rest', () => {
    const recorder = filled();
    const picky = sink(0, 'invalid_document');
    expect(exportStageA(recorder, picky.port)).toMatchObject({ exported: 0, rejected: 4 });
    expect(recorder.entries()).toEqual([]);
  });
});
