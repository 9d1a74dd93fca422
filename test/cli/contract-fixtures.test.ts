import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContractValidator } from '../../contracts/index.ts';
import { ARTIFACT_NAMES, SEMANTIC_RULES, isArtifactName } from '../../contracts/internal.ts';
import { createContractScreen } from '../../contracts/internal.ts';
import { runCli } from './helpers.ts';

const ROOT = join('test', 'fixtures', 'contracts');
const REPO = join(import.meta.dirname, '..', '..');
const ARTIFACT_DIRS = readdirSync(join(REPO, ROOT), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

type Report = {
  summary: { documents: number; files: number };
  documents: { location: string; artifact: string | null; valid: boolean }[];
};

describe('rspp validate-contracts on test/fixtures/contracts', () => {
  it('finds one directory per artifact', () => {
    expect(ARTIFACT_DIRS.length).toBeGreaterThan(0);
    for (const name of ARTIFACT_DIRS) expect(isArtifactName(name), name).toBe(true);
  });

  it.each(ARTIFACT_DIRS)(
    'accepts every valid and rejects every invalid %s fixture',
    async (name) => {
      const valid = join(ROOT, name, 'valid');
      const invalid = join(ROOT, name, 'invalid');
      const run = await runCli(
        ['validate-contracts', '--json', '--artifact', name, valid, invalid],
        REPO,
      );
      const report = JSON.parse(run.stdout) as Report;
      const fileCount = (dir: string): number =>
        readdirSync(join(REPO, dir)).filter((file) => /\.jsonl?$/.test(file)).length;
      expect(report.summary.files).toBe(fileCount(valid) + fileCount(invalid));
      const inValid = report.documents.filter((doc) => doc.location.startsWith(`${valid}/`));
      const inInvalid = report.documents.filter((doc) => doc.location.startsWith(`${invalid}/`));
      expect(inValid.length).toBeGreaterThan(0);
      expect(inInvalid.length).toBeGreaterThan(0);
      expect(inValid.filter((doc) => !doc.valid).map((doc) => doc.location)).toEqual([]);
      expect(inInvalid.filter((doc) => doc.valid).map((doc) => doc.location)).toEqual([]);
      // Any invalid fixture makes the run fail, so a directory pair always exits 1.
      expect(run.code).toBe(1);

      const validOnly = await runCli(['validate-contracts', '--artifact', name, valid], REPO);
      expect(validOnly.code).toBe(0);
    },
  );
});

describe('the schema screen of validate-contracts (issue 10, item 17)', () => {
  // Every fixture document (a .jsonl file holds one per line), parsed.
  const documents = ARTIFACT_DIRS.flatMap((name) =>
    ['valid', 'invalid'].flatMap((kind) => {
      const dir = join(REPO, ROOT, name, kind);
      return readdirSync(dir)
        .filter((file) => /\.jsonl?$/.test(file))
        .flatMap((file) => {
          const text = readFileSync(join(dir, file), 'utf8');
          const texts = file.endsWith('.jsonl') ? text.split('\n').filter((l) => l.trim()) : [text];
          return texts.map((one) => ({
            where: `${name}/${kind}/${file}`,
            doc: JSON.parse(one) as unknown,
          }));
        });
    }),
  );

  it('rejects a fixture only when the validator does, and differs from it only by semantic rules (issue 10 item 17)', () => {
    const validator = createContractValidator();
    const screen = createContractScreen();
    const semantic = new Set<string>(Object.values(SEMANTIC_RULES));
    expect(documents.length).toBeGreaterThan(100);
    const disagreements: string[] = [];
    for (const { where, doc } of documents) {
      for (const artifact of ARTIFACT_NAMES) {
        const result = validator.validate(artifact, doc);
        const accepted = screen.accepts(artifact, doc);
        const schemaOnly = !result.valid && result.issues.every((i) => semantic.has(i.rule));
        if (accepted !== (result.valid || schemaOnly))
          disagreements.push(`${where} as ${artifact}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});
