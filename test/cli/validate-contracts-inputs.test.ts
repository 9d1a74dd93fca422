import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_DOCUMENT_BYTES } from '../../tools/cli/validate-contracts/read-documents.ts';
import { eventRecord, jsonLines, makeTempDir, removeTempDir, runCli } from './helpers.ts';

// Generous: these build 50 MB files or 10,000 files, and CI machines may be busy.
const HEAVY_TIMEOUT_MS = 120_000;

let dir: string;

beforeAll(async () => {
  dir = await makeTempDir();
});

afterAll(() => removeTempDir(dir));

type Report = {
  summary: { documents: number; valid: number; invalid: number; files: number };
  documents: { location: string; valid: boolean; issues: { rule: string; message: string }[] }[];
};

/** Runs validate-contracts --json on `paths` (relative to the temp dir) and parses the report. */
async function validateJson(...paths: string[]): Promise<{ code: number; report: Report }> {
  const run = await runCli(['validate-contracts', '--json', ...paths], dir);
  return { code: run.code, report: JSON.parse(run.stdout) as Report };
}

const messages = (report: Report): string[] =>
  report.documents.flatMap((doc) => doc.issues.map((issue) => `${doc.location}: ${issue.message}`));

describe('rspp validate-contracts on hostile input', () => {
  it('reports a JSON Lines file with a bad line as file:line and keeps validating', async () => {
    const lines =
      jsonLines([eventRecord(), eventRecord()]) + '\n{"lane": oops}\n' + jsonLines([eventRecord()]);
    await writeFile(join(dir, 'events.jsonl'), lines);
    const run = await runCli(['validate-contracts', 'events.jsonl'], dir);
    expect(run.code).toBe(1);
    // Line 3 is blank (ignored), the malformed line is 4.
    expect(run.stdout).toContain('FAIL  events.jsonl:4');
    expect(run.stdout).toContain('malformed JSON at column 10: expected a value');
    expect(run.stdout).toContain('4 documents: 3 valid, 1 invalid (1 file, 1 with invalid');
  });

  it('reads JSON Lines with a BOM, CRLF line ends and no final newline', async () => {
    const text = `\uFEFF${JSON.stringify(eventRecord())}\r\n\r\n${JSON.stringify(eventRecord({ lane: 'x' }))}`;
    await writeFile(join(dir, 'windows.ndjson'), text);
    const { code, report } = await validateJson('windows.ndjson');
    expect(code).toBe(1);
    expect(report.documents.map((doc) => [doc.location, doc.valid])).toEqual([
      ['windows.ndjson:1', true],
      ['windows.ndjson:3', false],
    ]);
  });

  it('reports malformed JSON with its position and never echoes the document', async () => {
    await writeFile(
      join(dir, 'malformed.json'),
      '{\n  "session_id": "secret-caller-name",\n  "lane" DataLane\n}',
    );
    const run = await runCli(['validate-contracts', 'malformed.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'malformed JSON at line 3 column 10: expected ":" after a property name',
    );
    expect(run.stdout + run.stderr).not.toContain('secret-caller-name');
  });

  it.each([
    ['empty.json', '', 'empty file'],
    ['blank.json', '  \n\t\n', 'empty file'],
    ['empty.jsonl', '', 'empty file'],
    ['blank-lines.jsonl', '\n\n  \n', 'empty file'],
    ['nul.json', '{"a":\u0000}', 'binary file (contains NUL bytes)'],
    ['nul.jsonl', '\u0000\u0001\u0002garbage', 'binary file (contains NUL bytes)'],
  ])('reports %s as invalid: %s', async (name, content, message) => {
    await writeFile(join(dir, name), content);
    const { code, report } = await validateJson(name);
    expect(code).toBe(1);
    expect(report.summary).toMatchObject({ documents: 1, invalid: 1, files: 1 });
    expect(messages(report)).toEqual([`${name}: ${message}`]);
  });

  it('reports invalid UTF-8 as a binary file', async () => {
    await writeFile(join(dir, 'latin1.json'), Buffer.from([0x7b, 0x22, 0xe9, 0xff, 0x22, 0x7d]));
    const { code, report } = await validateJson('latin1.json');
    expect(code).toBe(1);
    expect(messages(report)).toEqual(['latin1.json: binary file (invalid UTF-8)']);
  });

  it(
    'reports a 50 MB .json file as too large without parsing it',
    async () => {
      const size = 50 * 1024 * 1024;
      const huge = Buffer.alloc(size, 0x61);
      huge.write('{"x":"', 0);
      huge.write('"}', size - 2);
      await writeFile(join(dir, 'huge.json'), huge);
      const { code, report } = await validateJson('huge.json');
      expect(code).toBe(1);
      expect(report.documents).toHaveLength(1);
      expect(report.documents[0]?.issues[0]?.rule).toBe('too_large');
      expect(report.documents[0]?.issues[0]?.message).toMatch(
        /^too large: 50\.0 MiB exceeds the 16\.0 MiB limit/,
      );
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'streams a 50 MB JSON Lines file: the over-long line is invalid, the next line still validates',
    async () => {
      const longLine = Buffer.alloc(50 * 1024 * 1024, 0x20);
      longLine.write('{"pad":"', 0);
      longLine.write('"}', longLine.length - 2);
      const tail = Buffer.from(`\n${JSON.stringify(eventRecord())}\n`);
      await writeFile(join(dir, 'huge.jsonl'), Buffer.concat([longLine, tail]));
      const { code, report } = await validateJson('huge.jsonl');
      expect(code).toBe(1);
      expect(report.documents.map((doc) => [doc.location, doc.valid])).toEqual([
        ['huge.jsonl:1', false],
        ['huge.jsonl:2', true],
      ]);
      expect(report.documents[0]?.issues[0]?.message).toContain('line too long');
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'parses and validates a line just under the size limit',
    async () => {
      const doc = eventRecord({ session_id: 'x' });
      const padding = MAX_DOCUMENT_BYTES - JSON.stringify(doc).length - 10;
      const line = JSON.stringify(eventRecord({ session_id: 's'.repeat(padding) }));
      expect(Buffer.byteLength(line)).toBeLessThan(MAX_DOCUMENT_BYTES);
      await writeFile(join(dir, 'big-line.jsonl'), `${line}\n`);
      const { code, report } = await validateJson('big-line.jsonl');
      expect(code).toBe(0);
      expect(report.documents.map((doc) => [doc.location, doc.valid])).toEqual([
        ['big-line.jsonl:1', true],
      ]);
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'validates a directory of 10,000 files with exact counts',
    async () => {
      const many = join(dir, 'many');
      await mkdir(many);
      const names = Array.from(
        { length: 10_000 },
        (_, i) => `doc-${String(i).padStart(5, '0')}.json`,
      );
      // Every 1,000th document is invalid; writes go in batches to stay under the fd limit.
      for (let start = 0; start < names.length; start += 500) {
        await Promise.all(
          names.slice(start, start + 500).map((name, offset) => {
            const i = start + offset;
            const doc =
              i % 1000 === 999
                ? eventRecord({ lane: 'Nope' })
                : eventRecord({ runtime_sequence: i });
            return writeFile(join(many, name), JSON.stringify(doc));
          }),
        );
      }
      const run = await runCli(['validate-contracts', 'many'], dir);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '10000 documents: 9990 valid, 10 invalid (10000 files, 10 with invalid documents)',
      );
      expect(run.stdout).toContain(`FAIL  ${join('many', 'doc-00999.json')}`);
      expect(run.stdout).toContain(`FAIL  ${join('many', 'doc-09999.json')}`);
    },
    HEAVY_TIMEOUT_MS,
  );

  it('ends on a symbolic link loop and does not validate a directory twice', async () => {
    const loop = join(dir, 'loop');
    await mkdir(join(loop, 'inner'), { recursive: true });
    await writeFile(join(loop, 'inner', 'event.json'), JSON.stringify(eventRecord()));
    await symlink('..', join(loop, 'inner', 'up'));
    await symlink(join(loop, 'inner'), join(loop, 'again'));
    const { code, report } = await validateJson('loop');
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ documents: 1, valid: 1, files: 1 });
  });

  it('reports a dangling .json symbolic link as unreadable', async () => {
    const links = join(dir, 'links');
    await mkdir(links);
    await symlink(join(links, 'missing.json'), join(links, 'dangling.json'));
    const { code, report } = await validateJson('links');
    expect(code).toBe(1);
    expect(messages(report)).toEqual([`${join('links', 'dangling.json')}: cannot read (ENOENT)`]);
  });
});

// The caps of issue 10 item 17, spelled out here so the test states the contract it checks.
const LISTED_PER_VERDICT = 1000;
const KEPT_ISSUES = 20;

type LimitedReport = Report & {
  limits: { documents_listed: number; issues_per_document: number };
  summary: { unlisted: { valid: number; invalid: number } };
  documents: { omitted_issues?: number }[];
};

/** `invalid` event records (an unknown lane) followed by `valid` good ones, as JSON Lines. */
const mixedLines = (invalid: number, valid: number): string =>
  jsonLines([
    ...Array.from({ length: invalid }, (_, i) =>
      eventRecord({ runtime_sequence: i, lane: 'AudioLane' }),
    ),
    ...Array.from({ length: valid }, (_, i) => eventRecord({ runtime_sequence: i })),
  ]);

describe('rspp validate-contracts output limits (issue 10, item 17)', () => {
  it(
    'lists the first 1,000 invalid documents and counts the rest in the text output (issue 10 item 17)',
    async () => {
      await writeFile(join(dir, 'many-invalid.jsonl'), mixedLines(1250, 5));
      const run = await runCli(['validate-contracts', 'many-invalid.jsonl'], dir);
      expect(run.code).toBe(1);
      const failLines = run.stdout.split('\n').filter((line) => line.startsWith('FAIL  '));
      expect(failLines).toHaveLength(LISTED_PER_VERDICT);
      expect(failLines.at(-1)).toBe(
        'FAIL  many-invalid.jsonl:1000 (matches no artifact; closest: event_record)',
      );
      expect(run.stdout).toContain(
        `… and 250 more invalid documents not listed (only the first ${LISTED_PER_VERDICT} are)`,
      );
      expect(run.stdout).toContain('1255 documents: 5 valid, 1250 invalid (1 file, 1 with invalid');
      expect(run.stdout).toContain('by artifact: event_record 5, none 1250');
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'prints valid JSON whose size does not grow with the number of invalid lines (issue 10 item 17)',
    async () => {
      await writeFile(join(dir, 'invalid-1250.jsonl'), mixedLines(1250, 0));
      await writeFile(join(dir, 'invalid-2500.jsonl'), mixedLines(2500, 0));
      const small = await runCli(['validate-contracts', '--json', 'invalid-1250.jsonl'], dir);
      const large = await runCli(['validate-contracts', '--json', 'invalid-2500.jsonl'], dir);
      expect([small.code, large.code]).toEqual([1, 1]);
      const report = JSON.parse(large.stdout) as LimitedReport;
      expect(report.limits).toEqual({
        documents_listed: LISTED_PER_VERDICT,
        issues_per_document: KEPT_ISSUES,
      });
      expect(report.documents).toHaveLength(LISTED_PER_VERDICT);
      expect(report.summary).toMatchObject({ documents: 2500, valid: 0, invalid: 2500 });
      expect(report.summary.unlisted).toEqual({ valid: 0, invalid: 1500 });
      expect((JSON.parse(small.stdout) as LimitedReport).summary.unlisted.invalid).toBe(250);
      // Twice the input, the same listed documents: only the counts' digits differ.
      expect(Math.abs(large.stdout.length - small.stdout.length)).toBeLessThan(64);
    },
    HEAVY_TIMEOUT_MS,
  );

  it(
    'writes the same bounded report with --report, and says what it left out (issue 10 item 17)',
    async () => {
      await writeFile(join(dir, 'report-1250.jsonl'), mixedLines(1250, 0));
      const out = join(dir, 'limited-report');
      const run = await runCli(['validate-contracts', '--report', out, 'report-1250.jsonl'], dir);
      expect(run.code).toBe(1);
      const onDisk = JSON.parse(
        await readFile(join(out, 'contracts-report.json'), 'utf8'),
      ) as LimitedReport;
      expect(onDisk.documents).toHaveLength(LISTED_PER_VERDICT);
      expect(onDisk.summary.unlisted).toEqual({ valid: 0, invalid: 250 });
      const markdown = await readFile(join(out, 'contracts-report.md'), 'utf8');
      expect(markdown).toContain('… and 1050 more invalid documents not listed');
    },
    HEAVY_TIMEOUT_MS,
  );

  it('still details invalid documents that follow a long valid run (issue 10 item 17)', async () => {
    const valid = mixedLines(0, 1100);
    await writeFile(join(dir, 'late-invalid.jsonl'), valid + mixedLines(2, 0));
    const run = await runCli(['validate-contracts', 'late-invalid.jsonl'], dir);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').slice(0, 2)).toEqual([
      'FAIL  late-invalid.jsonl:1101 (matches no artifact; closest: event_record)',
      '      /lane enum: expected one of "DataLane", "ControlLane", "TelemetryLane", received "AudioLane"',
    ]);
    expect(run.stdout).toContain('by artifact: event_record 1100, none 2');
    expect(run.stdout).not.toContain('not listed');
  });

  it('keeps the first 20 issues of a document and counts the rest (issue 10 item 17)', async () => {
    const extra = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`extra_${i}`, i]));
    await writeFile(join(dir, 'thirty-issues.json'), JSON.stringify(eventRecord(extra)));
    const args = ['validate-contracts', '--artifact', 'event_record'];
    const json = await runCli([...args, '--json', 'thirty-issues.json'], dir);
    const [doc] = (JSON.parse(json.stdout) as LimitedReport).documents;
    expect(doc?.issues).toHaveLength(KEPT_ISSUES);
    expect(doc?.omitted_issues).toBe(10);
    const text = await runCli([...args, 'thirty-issues.json'], dir);
    expect(text.stdout).toContain('… and 10 more issues');
  });
});

describe('rspp validate-contracts on crafted file names (issue 10, item 19)', () => {
  it('escapes control characters in printed paths, so a name cannot forge a line (issue 10 item 19)', async () => {
    const crafted = join(dir, 'crafted');
    await mkdir(crafted);
    await writeFile(join(crafted, 'evil\nok    forged.json'), JSON.stringify({ lane: 1 }));
    await writeFile(join(crafted, 'bell\u0007\u001b[2K.json'), JSON.stringify(eventRecord()));
    const run = await runCli(['validate-contracts', '--verbose', 'crafted'], dir);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('ok    forged'))).toEqual([]);
    expect(lines).toContain(
      `FAIL  ${join('crafted', 'evil\\nok    forged.json')} (matches no artifact; closest: event_record)`,
    );
    expect(lines).toContain(`ok    ${join('crafted', 'bell\\x07\\x1b[2K.json')} (event_record)`);
    const controls = [...run.stdout].filter((char) => char < ' ' && char !== '\n');
    expect(controls).toEqual([]);

    const missing = await runCli(['validate-contracts', 'gone\nFAIL  x.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('path does not exist: gone\\nFAIL  x.json');
    expect(missing.stderr.split('\n').filter((line) => line.startsWith('FAIL'))).toEqual([]);
  });
});
