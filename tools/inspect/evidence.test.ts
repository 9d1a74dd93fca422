import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvidenceFileError, evidenceSteps, loadEvidenceFile, turnStateAfter } from './evidence.ts';

const FIXTURE = new URL('../../test/fixtures/inspect/demo-evidence.jsonl', import.meta.url);

describe('evidenceSteps', () => {
  it('derives each turn state from the recorded signals, baselines included', () => {
    const { steps, skipped_lines, other_records } = evidenceSteps(readFileSync(FIXTURE, 'utf8'));
    expect([steps.length, skipped_lines, other_records]).toEqual([22, 0, 0]);
    const trail = (turn: string) =>
      steps.flatMap((s) =>
        s.entry.turn === turn ? [`${s.entry.name}:${s.turn_value ?? '-'}`] : [],
      );
    expect(trail('turn-1')).toEqual([
      'turn_open_proposed:Opening.arbitrating',
      'turn_open:Active.running',
      'output_accepted:-',
      'baseline:Active.finalizing',
      'commit:Terminal',
      'close:Closed',
    ]);
    // The barge-in turn: its cause moves it to finalizing, the rest of the early end follows.
    expect(trail('turn-2')).toEqual([
      'turn_open_proposed:Opening.arbitrating',
      'turn_open:Active.running',
      'output_accepted:-',
      'barge_in:Active.finalizing',
      'cancel:-',
      'playback_cancelled:-',
      'baseline:-',
      'abort:Terminal',
      'close:Closed',
    ]);
    expect(steps[1]?.turn_states).toEqual(['turn.Opening', 'turn.Opening.arbitrating']);
    expect(steps[0]).toMatchObject({ turn_key: null, entry: { name: 'connected' } });
  });

  it('skips a torn last line and counts records of other kinds', () => {
    const text = readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3).join('\n');
    const { steps, skipped_lines, other_records } = evidenceSteps(
      `${text}\n{"kind":"other"}\n[1]\n{"lane":"ControlLane","sig`,
    );
    expect([steps.length, skipped_lines, other_records]).toEqual([3, 2, 1]);
  });

  it('moves a turn to Idle.released only before it opened, and never out of Closed', () => {
    expect(turnStateAfter('reject', 'Opening.arbitrating')).toBe('Idle.released');
    expect(turnStateAfter('stale_epoch_reject', 'Active.running')).toBeNull();
    expect(turnStateAfter('abort', 'Closed')).toBeNull();
    expect(turnStateAfter('turn_open_proposed', 'Closed')).toBeNull();
  });
});

describe('loadEvidenceFile', () => {
  it('names a missing file and a file without steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rspp-inspect-'));
    await expect(loadEvidenceFile(join(dir, 'none.jsonl'))).rejects.toThrow(
      /cannot read .*none\.jsonl: ENOENT/,
    );
    writeFileSync(join(dir, 'empty.jsonl'), '{"a":1}\n');
    await expect(loadEvidenceFile(join(dir, 'empty.jsonl'))).rejects.toBeInstanceOf(
      EvidenceFileError,
    );
  });
});
