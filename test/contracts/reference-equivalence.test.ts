/**
 * The split schemas in contracts/schemas must mean exactly what the normative reference schema
 * means for its six artifacts: same verdict on every fixture and on seeded random mutants.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ARTIFACT_SCHEMA_IDS,
  REFERENCE_ARTIFACT_NAMES,
  loadContractSchemas,
} from '../../contracts/internal.ts';
import { loadFixtures } from './fixture-tree.ts';

type Json = Record<string, unknown>;
type ReferenceName = (typeof REFERENCE_ARTIFACT_NAMES)[number];

const OPTIONS = { strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true };
const reference = JSON.parse(
  readFileSync(
    new URL('../fixtures/reference/contract-artifacts.schema.json', import.meta.url),
    'utf8',
  ),
) as Json & { $id: string };

const splitAjv = new Ajv2020(OPTIONS);
for (const schema of loadContractSchemas()) splitAjv.addSchema(schema);
const referenceAjv = new Ajv2020(OPTIONS);
referenceAjv.addSchema(reference);

const get = (ajv: Ajv2020, id: string): ValidateFunction => {
  const fn = ajv.getSchema(id);
  if (fn === undefined) throw new Error(`no schema ${id}`);
  return fn;
};
const split = (name: ReferenceName) => get(splitAjv, ARTIFACT_SCHEMA_IDS[name]);
const normative = (name: ReferenceName) => get(referenceAjv, `${reference.$id}#/$defs/${name}`);
const isReference = (name: string): name is ReferenceName =>
  (REFERENCE_ARTIFACT_NAMES as readonly string[]).includes(name);

const fixtures = loadFixtures().filter((f) => isReference(f.artifact));

/** Every string constant the reference allows (enum/const values), to swap in as mutations. */
function vocabulary(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const child of node) vocabulary(child, out);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, child] of Object.entries(node)) {
      if (key === 'enum' && Array.isArray(child))
        for (const v of child) if (typeof v === 'string') out.add(v);
      if (key === 'const' && typeof child === 'string') out.add(child);
      vocabulary(child, out);
    }
  }
  return out;
}

/** JSON paths of every value inside a document (root excluded). */
function paths(doc: unknown, at: (string | number)[] = [], out: (string | number)[][] = []) {
  const children: [string | number, unknown][] = Array.isArray(doc)
    ? doc.map((v, i) => [i, v])
    : typeof doc === 'object' && doc !== null
      ? Object.entries(doc)
      : [];
  for (const [key, value] of children) {
    out.push([...at, key]);
    paths(value, [...at, key], out);
  }
  return out;
}

type Mutation = { op: 'remove' | 'replace' | 'extra'; pick: number; value: unknown };

/** Applies one mutation to a copy: drop a value, replace it, or add an undeclared property. */
function mutate(doc: unknown, m: Mutation): unknown {
  const copy = structuredClone(doc);
  const all = paths(copy);
  if (all.length === 0) return copy;
  const path = all[m.pick % all.length] ?? [];
  const parentPath = m.op === 'extra' ? path : path.slice(0, -1);
  let parent: unknown = copy;
  for (const key of parentPath) parent = (parent as Json)[key as string];
  const last = path[path.length - 1] as string | number;
  if (typeof parent !== 'object' || parent === null) return copy;
  if (m.op === 'extra') {
    if (!Array.isArray(parent)) (parent as Json)['x_extra'] = m.value;
  } else if (m.op === 'remove') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete (parent as Json)[last];
  } else (parent as Json)[last as string] = m.value;
  return copy;
}

describe('split schemas vs reference schema', () => {
  it('covers every reference artifact with fixtures', () => {
    for (const name of REFERENCE_ARTIFACT_NAMES)
      expect(fixtures.some((f) => f.artifact === name)).toBe(true);
  });

  it.each(fixtures.map((f) => [f.id, f] as const))('gives the same verdict on %s', (_id, f) => {
    const name = f.artifact as ReferenceName;
    expect(split(name)(f.doc)).toBe(normative(name)(f.doc));
    expect(split(name)(f.doc)).toBe(f.kind === 'valid');
  });

  it('gives the same verdict on seeded mutants of valid fixtures', () => {
    const seeds = fixtures.filter((f) => f.kind === 'valid');
    const words = [...vocabulary(reference)];
    const value = fc.oneof(
      fc.constantFrom(...words),
      fc.string({ maxLength: 6 }),
      fc.integer({ min: -2, max: 70_000 }),
      fc.constantFrom(null, true, false, 1.5, [], {}),
    );
    const verdicts = { valid: 0, invalid: 0 };
    fc.assert(
      fc.property(
        fc.nat({ max: seeds.length - 1 }),
        fc.record({ op: fc.constantFrom('remove', 'replace', 'extra'), pick: fc.nat(), value }),
        (index, m) => {
          const seed = seeds[index]!;
          const name = seed.artifact as ReferenceName;
          const mutant = mutate(seed.doc, m);
          const verdict = split(name)(mutant);
          verdicts[verdict ? 'valid' : 'invalid'] += 1;
          return verdict === normative(name)(mutant);
        },
      ),
      { seed: 20260105, numRuns: 600 },
    );
    // Both outcomes must occur, or the mutants would not exercise the schemas.
    expect(verdicts.valid).toBeGreaterThan(20);
    expect(verdicts.invalid).toBeGreaterThan(200);
  });
});
