import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContractValidator, type ControlSignal } from '../../../contracts/index.ts';
import {
  EvidenceSinkError,
  type BaselineEvidence,
  type EvidenceSinkFailure,
} from '../../../contracts/internal.ts';
import type { EvidenceFile } from './file.ts';
import { openJsonlEvidenceSink } from './jsonl-sink.ts';

const validator = createContractValidator();

function commitSignal(n: number, signal: 'commit' | 'close' = 'commit'): ControlSignal {
  return {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: 'sess-1',
    turn_id: 'turn-1',
    pipeline_version: 'pipeline-v1',
    event_id: `evt/sess-1/turn-1/${String(n).padStart(6, '0')}`,
    lane: 'ControlLane',
    transport_sequence: n,
    runtime_sequence: n,
    runtime_timestamp_ms: 30,
    wall_clock_timestamp_ms: 1030,
    payload_class: 'metadata',
    authority_epoch: 7,
    signal,
    emitted_by: 'RK-03',
  };
}

const BASELINE: BaselineEvidence = {
  session_id: 'sess-1',
  turn_id: 'turn-1',
  pipeline_version: 'pipeline-v1',
  event_id: 'evt/sess-1/turn-1/evidence/1',
  // A newline inside a string must not split the line.
  envelope_snapshot: '{"note":"line one\nline two"}',
  payload_tags: ['text_raw', 'metadata'],
  redaction_decisions: [
    { payload_class: 'text_raw', action: 'hash' },
    { payload_class: 'metadata', action: 'allow' },
  ],
  plan_hash: 'a'.repeat(64),
  snapshot_provenance: {
    routing_view_snapshot: 'routing/1',
    admission_policy_snapshot: 'admission/1',
    abi_compatibility_snapshot: 'abi/1',
    version_resolution_snapshot: 'version/1',
    policy_resolution_snapshot: 'policy/1',
    provider_health_snapshot: 'health/1',
  },
  decision_outcomes: [
    {
      outcome_kind: 'admit',
      phase: 'pre_turn',
      scope: 'turn',
      session_id: 'sess-1',
      turn_id: 'turn-1',
      event_id: 'evt/sess-1/turn-1/admit',
      runtime_timestamp_ms: 20,
      wall_clock_timestamp_ms: 1020,
      emitted_by: 'RK-25',
      reason: 'cp_admission_allowed',
    },
  ],
  invocation_outcomes: [],
  determinism_seed: 42,
  ordering_markers: ['turn-1/rs/1'],
  merge_rule_id: 'merge/default',
  merge_rule_version: 'v1',
  authority_epoch: 7,
  migration_markers: [],
  terminal_outcome: 'commit',
  close_emitted: true,
  turn_open_at_ms: 20,
  accepted_stale_epoch_output: false,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rspp-evidence-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An in-memory file whose `failAt`-th write (1-based) throws, or writes `short` bytes. */
function memoryFile(failAt = 0, mode: 'throw' | 'short' = 'throw') {
  const writes: string[] = [];
  const calls = { sync: 0, close: 0 };
  const file: EvidenceFile = {
    write(data) {
      if (writes.length + 1 === failAt) {
        if (mode === 'throw')
          return Promise.reject(Object.assign(new Error('no space'), { code: 'ENOSPC' }));
        writes.push(Buffer.from(data.subarray(0, 3)).toString('utf8'));
        return Promise.resolve({ bytesWritten: 3 });
      }
      writes.push(Buffer.from(data).toString('utf8'));
      return Promise.resolve({ bytesWritten: data.byteLength });
    },
    sync: () => {
      calls.sync += 1;
      return Promise.resolve();
    },
    close: () => {
      calls.close += 1;
      return Promise.resolve();
    },
  };
  return { file, writes, calls };
}

describe('openJsonlEvidenceSink', () => {
  it('writes one contract-valid document per line that the validator recognises', async () => {
    const path = join(dir, 'evidence.jsonl');
    const sink = await openJsonlEvidenceSink({ path, validator });
    expect(sink.offer(BASELINE)).toEqual({ accepted: true });
    expect(sink.offer(commitSignal(1))).toEqual({ accepted: true });
    expect(sink.offer(commitSignal(2, 'close'))).toEqual({ accepted: true });
    const stats = await sink.close();
    expect(stats).toMatchObject({ state: 'closed', written: 3, queued: 0, lost: 0 });
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines.map((line) => validator.match(JSON.parse(line)))).toEqual([
      { artifact: 'baseline_evidence' },
      { artifact: 'control_signal' },
      { artifact: 'control_signal' },
    ]);
    expect(JSON.parse(lines[0]!)).toEqual(BASELINE);
  });

  it('appends to an existing file without touching its earlier lines', async () => {
    const path = join(dir, 'evidence.jsonl');
    const first = await openJsonlEvidenceSink({ path, validator });
    first.offer(commitSignal(1));
    await first.close();
    const before = await readFile(path);
    const second = await openJsonlEvidenceSink({ path, validator });
    second.offer(commitSignal(2, 'close'));
    await second.close();
    const after = await readFile(path);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const lines = after.toString('utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ControlSignal).signal)).toEqual(['commit', 'close']);
  });

  it('starts on a new line after a torn last line, leaving the torn bytes as they were', async () => {
    const path = join(dir, 'evidence.jsonl');
    const earlier = `${JSON.stringify(commitSignal(1))}\n{"torn":`;
    await writeFile(path, earlier);
    const sink = await openJsonlEvidenceSink({ path, validator });
    sink.offer(commitSignal(2, 'close'));
    await sink.close();
    const text = await readFile(path, 'utf8');
    expect(text.startsWith(earlier)).toBe(true);
    expect(text.split('\n')).toEqual([
      JSON.stringify(commitSignal(1)),
      '{"torn":',
      JSON.stringify(commitSignal(2, 'close')),
      '',
    ]);
  });

  it('refuses to start on a directory, naming the path', async () => {
    const opening = openJsonlEvidenceSink({ path: dir, validator });
    await expect(opening).rejects.toBeInstanceOf(EvidenceSinkError);
    await expect(opening).rejects.toMatchObject({ code: 'path_is_directory', path: dir });
    await expect(opening).rejects.toThrow(dir);
  });

  it('reports an unopenable path as open_failed, naming it', async () => {
    const path = join(dir, 'missing', 'evidence.jsonl');
    await expect(openJsonlEvidenceSink({ path, validator })).rejects.toMatchObject({
      code: 'open_failed',
      path,
      message: expect.stringContaining(path) as unknown,
    });
  });

  it('refuses a document that is not contract-valid and writes nothing for it', async () => {
    const memory = memoryFile();
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      openFile: () => Promise.resolve(memory.file),
    });
    const { plan_hash: _p, ...incomplete } = BASELINE;
    expect(sink.offer(incomplete as BaselineEvidence)).toEqual({
      accepted: false,
      reason: 'invalid_document',
    });
    await sink.flush();
    expect(memory.writes).toEqual([]);
    expect(sink.stats().refused.invalid_document).toBe(1);
  });

  it('reports backpressure when the bounded queue is full, and drains it on flush', async () => {
    const memory = memoryFile();
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      capacity: 2,
      openFile: () => Promise.resolve(memory.file),
    });
    const offers = [1, 2, 3].map((n) => sink.offer(commitSignal(n)));
    expect(offers).toEqual([
      { accepted: true },
      { accepted: true },
      { accepted: false, reason: 'queue_full' },
    ]);
    expect(await sink.flush()).toMatchObject({ written: 2, queued: 0 });
    expect(memory.calls.sync).toBe(1);
    expect(sink.offer(commitSignal(3))).toEqual({ accepted: true });
  });

  it('writes each line with exactly one write call', async () => {
    const memory = memoryFile();
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      openFile: () => Promise.resolve(memory.file),
    });
    sink.offer(BASELINE);
    sink.offer(commitSignal(1));
    await sink.close();
    expect(memory.writes).toHaveLength(2);
    for (const chunk of memory.writes) expect(chunk.match(/\n/g)).toEqual(['\n']);
    expect(memory.writes[1]).toBe(`${JSON.stringify(commitSignal(1))}\n`);
  });

  it('reports a write failure instead of throwing, and writes nothing after it', async () => {
    const memory = memoryFile(2);
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      openFile: () => Promise.resolve(memory.file),
    });
    const failures: EvidenceSinkFailure[] = [];
    sink.onFailure((f) => void failures.push(f));
    sink.onFailure(() => {
      throw new Error('broken listener');
    });
    [1, 2, 3].forEach((n) => sink.offer(commitSignal(n)));
    const stats = await sink.flush();
    expect(stats).toMatchObject({ state: 'failed', written: 1, lost: 2, queued: 0 });
    expect(failures.map((f) => [f.code, f.lost])).toEqual([['write_failed', 2]]);
    expect(failures[0]?.message).toContain('ENOSPC');
    expect(sink.offer(commitSignal(4))).toEqual({ accepted: false, reason: 'sink_failed' });
    expect(memory.writes).toEqual([`${JSON.stringify(commitSignal(1))}\n`]);
    await expect(sink.close()).resolves.toMatchObject({ state: 'closed' });
  });

  it('stops after a short write so no line is glued to the torn one', async () => {
    const memory = memoryFile(1, 'short');
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      openFile: () => Promise.resolve(memory.file),
    });
    sink.offer(commitSignal(1));
    sink.offer(commitSignal(2));
    const stats = await sink.flush();
    expect(stats.last_failure?.code).toBe('short_write');
    expect(stats).toMatchObject({ state: 'failed', written: 0, lost: 2 });
    expect(memory.writes).toHaveLength(1);
  });

  it('closes once: flushes, syncs and releases the file, then refuses offers', async () => {
    const memory = memoryFile();
    const sink = await openJsonlEvidenceSink({
      path: 'mem',
      validator,
      openFile: () => Promise.resolve(memory.file),
    });
    sink.offer(commitSignal(1));
    const [a, b] = await Promise.all([sink.close(), sink.close()]);
    expect(a).toEqual(b);
    expect(memory.calls).toEqual({ sync: 1, close: 1 });
    expect(memory.writes).toHaveLength(1);
    expect(sink.offer(commitSignal(2))).toEqual({ accepted: false, reason: 'sink_closed' });
  });
});
