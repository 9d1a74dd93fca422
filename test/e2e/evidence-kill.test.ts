/**
 * Issue 13: the JSONL evidence file survives a `kill -9` of its writer. Every complete line is
 * a contract-valid record, and a sink opened on the file afterwards appends after them without
 * merging its first record into a torn last line.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openJsonlEvidenceSink } from '../../adapters/evidence/jsonl/index.ts';
import { createContractValidator, type ControlSignal } from '../../contracts/index.ts';
import { ingressRecord } from '../../tools/run/script.ts';

const WRITER = join(import.meta.dirname, '../fixtures/evidence/jsonl-writer.ts');
const validator = createContractValidator();

/** The lines of a JSONL file: complete ones, and a torn tail when the last has no newline. */
async function linesOf(path: string) {
  const text = await readFile(path, 'utf8');
  const parts = text.split('\n');
  const tail = parts.pop() ?? '';
  return { complete: parts, tail };
}

describe('a JSONL evidence writer killed with kill -9', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('leaves only whole, valid records, and the next writer appends cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rspp-kill9-'));
    dirs.push(dir);
    const file = join(dir, 'evidence.jsonl');
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with ${String(code)}`)));
    });
    // Let it write more, then kill it while it is writing (it never stops on its own).
    const readySize = (await stat(file)).size;
    const deadline = Date.now() + 10_000;
    while ((await stat(file)).size < readySize * 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const before = await linesOf(file);
    expect(before.complete.length).toBeGreaterThanOrEqual(200);
    for (const line of before.complete) {
      const verdict = validator.validate('control_signal', JSON.parse(line));
      expect(verdict.valid).toBe(true);
    }
    // Ids are in order and none repeats: no line was lost between two kept ones.
    const ids = before.complete.map((l) => (JSON.parse(l) as ControlSignal).event_id);
    expect(new Set(ids).size).toBe(ids.length);

    const sink = await openJsonlEvidenceSink({ path: file });
    const next = ingressRecord('after', { at_ms: 0, kind: 'connection', text: 'connected' }, 1, 1);
    expect(sink.offer(next as ControlSignal)).toEqual({ accepted: true });
    const stats = await sink.close();
    expect(stats.written).toBe(1);

    const after = await linesOf(file);
    expect(after.tail).toBe('');
    // What was there stays byte for byte; a torn tail stays apart on its own line.
    expect(after.complete.slice(0, before.complete.length)).toEqual(before.complete);
    const appended = after.complete.at(-1) ?? '';
    expect((JSON.parse(appended) as ControlSignal).session_id).toBe('after');
    if (before.tail !== '') expect(after.complete.at(-2)).toBe(before.tail);
  });
});
