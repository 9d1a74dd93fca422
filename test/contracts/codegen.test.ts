import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundleSchemas, renderTypes } from '../../tools/codegen/generate-types.ts';

const committed = new URL('../../contracts/generated/types.ts', import.meta.url);

describe('tools/codegen/generate-types', () => {
  it('renders exactly the committed contracts/generated/types.ts (run `npm run generate`)', async () => {
    expect(await renderTypes()).toBe(readFileSync(committed, 'utf8'));
  }, 30_000);

  it('emits a named type for every artifact', async () => {
    const source = await renderTypes();
    for (const type of [
      'EventRecord',
      'ControlSignal',
      'TurnTransition',
      'ResolvedTurnPlan',
      'DecisionOutcome',
      'ArtifactBundle',
      'BaselineEvidence',
      'InvocationOutcome',
      'InvocationAttempt',
      'PipelineSpec',
      'GraphDefinition',
    ]) {
      expect(source).toMatch(new RegExp(`export (type|interface) ${type}\\b`));
    }
  }, 30_000);

  it('refuses two schema files defining the same $defs name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rspp-codegen-'));
    try {
      const file = (id: string) =>
        JSON.stringify({ $id: `urn:rspp:${id}.v1`, $defs: { lane: { type: 'string' } } });
      writeFileSync(join(dir, 'a.v1.schema.json'), file('a'));
      writeFileSync(join(dir, 'b.v1.schema.json'), file('b'));
      expect(() => bundleSchemas(dir)).toThrow(
        /duplicate \$defs name "lane" in b\.v1\.schema\.json/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rewrites cross-file refs to local ones', () => {
    const bundled = JSON.stringify(
      bundleSchemas(fileURLToPath(new URL('../../contracts/schemas', import.meta.url))),
    );
    expect(bundled).not.toContain('urn:rspp:');
    expect(bundled).toContain('"$ref":"#/$defs/lane"');
  });
});
