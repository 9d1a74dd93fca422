/**
 * Proves the invalid fixtures really test every conditional rule of the schemas: for each
 * `if`/`then`, `oneOf` and `not` in contracts/schemas, removing that one rule must make at least
 * one invalid fixture valid. A rule no fixture depends on would fail here.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ArtifactName } from '../../contracts/index.ts';
import {
  ARTIFACT_SCHEMA_IDS,
  loadContractSchemas,
  SEMANTIC_RULES,
  type ContractSchemaDocument,
} from '../../contracts/internal.ts';
import { loadExpectedIssues, loadFixtures } from './fixture-tree.ts';

type Json = Record<string, unknown>;
interface RuleSite {
  readonly id: string;
  readonly path: readonly string[];
  readonly keyword: 'if' | 'oneOf' | 'not';
}

const schemas = loadContractSchemas();
const invalid = loadFixtures().filter((f) => f.kind === 'invalid');
const expected = loadExpectedIssues();

/** Every object holding an `if`, `oneOf` or `not`, as (schema $id, path of keys). */
function ruleSites(): RuleSite[] {
  const sites: RuleSite[] = [];
  const walk = (id: string, node: unknown, path: string[]): void => {
    if (Array.isArray(node)) node.forEach((child, i) => walk(id, child, [...path, String(i)]));
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    for (const keyword of ['if', 'oneOf', 'not'] as const) {
      if (keyword in node) sites.push({ id, path, keyword });
    }
    for (const [key, child] of Object.entries(node)) walk(id, child, [...path, key]);
  };
  for (const schema of schemas) walk(schema.$id, schema, []);
  return sites;
}

/** A copy of the schemas with the rule at `site` switched off. */
function withoutRule(site: RuleSite): ContractSchemaDocument[] {
  return schemas.map((schema) => {
    if (schema.$id !== site.id) return schema;
    const copy = structuredClone(schema) as Json;
    let node = copy;
    for (const key of site.path) node = node[key] as Json;
    if (site.keyword === 'if') node['then'] = true;
    else delete node[site.keyword];
    return copy as ContractSchemaDocument;
  });
}

function compiler(
  docs: readonly ContractSchemaDocument[],
): (name: ArtifactName) => ValidateFunction {
  const ajv = new Ajv2020({
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
  });
  for (const doc of docs) ajv.addSchema(doc);
  return (name) => ajv.getSchema(ARTIFACT_SCHEMA_IDS[name]) as ValidateFunction;
}

describe('conditional rule coverage', () => {
  const sites = ruleSites();
  const reference = compiler(schemas);

  it('finds the conditional rules of the schemas', () => {
    // 52 if/then, 2 oneOf (media_time, turn_transition), 1 not (event_record): a drop means the
    // walk broke, a rise means new rules that need fixtures.
    expect(sites.filter((s) => s.keyword === 'if')).toHaveLength(52);
    expect(sites.filter((s) => s.keyword !== 'if')).toHaveLength(3);
  });

  it('rejects exactly the invalid fixtures that break a schema rule rather than a semantic one', () => {
    const semantic = new Set<string>(Object.values(SEMANTIC_RULES));
    for (const fixture of invalid) {
      const onlySemantic = (expected[fixture.id] ?? []).every((e) => semantic.has(e.rule));
      expect(reference(fixture.artifact)(fixture.doc), fixture.id).toBe(onlySemantic);
    }
  });

  it.each(sites.map((s) => [`${s.id}#/${s.path.join('/')} ${s.keyword}`, s] as const))(
    '%s is what rejects some invalid fixture',
    (_name, site) => {
      const get = compiler(withoutRule(site));
      // Fixtures of the artifact defined in the mutated file first: compiling is the slow part.
      const own = (f: (typeof invalid)[number]): number =>
        ARTIFACT_SCHEMA_IDS[f.artifact].startsWith(`${site.id}#`) ? 0 : 1;
      const ordered = [...invalid].sort((a, b) => own(a) - own(b));
      const flipped = ordered.find((f) => !reference(f.artifact)(f.doc) && get(f.artifact)(f.doc));
      expect(flipped?.id, 'no invalid fixture depends on this rule').toBeDefined();
    },
  );
});
