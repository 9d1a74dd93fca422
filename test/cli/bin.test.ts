import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRecord, jsonLines, makeTempDir, removeTempDir } from './helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rspp.js');
let dir: string;

beforeAll(async () => {
  dir = await makeTempDir();
});

afterAll(() => removeTempDir(dir));

describe('bin/rspp.js', () => {
  it('runs validate-contracts end to end in a child process and sets the exit code', async () => {
    await writeFile(join(dir, 'ok.json'), JSON.stringify(eventRecord()));
    await writeFile(
      join(dir, 'mixed.jsonl'),
      jsonLines([eventRecord(), eventRecord({ lane: 'Nope' })]),
    );
    const child = spawnSync(process.execPath, [BIN, 'validate-contracts', '.'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.error).toBeUndefined();
    expect(child.stdout).toContain('FAIL  mixed.jsonl:2');
    expect(child.stdout).toContain(
      '3 documents: 2 valid, 1 invalid (2 files, 1 with invalid documents)',
    );
    expect(child.status).toBe(1);
  });
});
