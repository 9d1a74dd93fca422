/**
 * Collapses the errors ajv reports for a failed oneOf/anyOf (one per failing constraint of every
 * alternative) into what a reader needs: the list of alternatives, or the closest one's errors.
 */
import type { ErrorObject } from 'ajv';
import { makeIssue, renderValue, type ValidationIssue } from './issues.ts';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** Tells whether a value is a JSON object (not an array). */
export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Renders a schema constant without quotes when it is a plain string (for alternative lists). */
const bare = (value: unknown): string => (typeof value === 'string' ? value : renderValue(value));

/** Describes one oneOf/anyOf alternative from its schema, e.g. `{from_state=Idle, trigger=close}`. */
function describeAlternative(schema: unknown): string {
  if (!isObject(schema)) return renderValue(schema);
  const parts: string[] = [];
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  for (const [key, sub] of Object.entries(properties)) {
    if (!isObject(sub)) continue;
    if ('const' in sub) parts.push(`${key}=${bare(sub['const'])}`);
    else if (Array.isArray(sub['enum']))
      parts.push(`${key} in [${sub['enum'].map(bare).join(', ')}]`);
  }
  const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : [];
  for (const key of required) if (!(String(key) in properties)) parts.push(`has ${String(key)}`);
  if (typeof schema['$ref'] === 'string') parts.push(schema['$ref'].replace(/^.*\//, ''));
  return parts.length > 0 ? `{${parts.join(', ')}}` : renderValue(schema);
}

/** Property names a set of alternatives constrains, to render only the relevant part of the data. */
function alternativeKeys(alternatives: unknown): Set<string> {
  const keys = new Set<string>();
  if (!Array.isArray(alternatives)) return keys;
  for (const alt of alternatives) {
    if (!isObject(alt)) continue;
    if (isObject(alt['properties']))
      for (const key of Object.keys(alt['properties'])) keys.add(key);
    if (Array.isArray(alt['required'])) for (const key of alt['required']) keys.add(String(key));
  }
  return keys;
}

function renderSelected(data: unknown, keys: Set<string>): string {
  if (!isObject(data) || keys.size === 0) return renderValue(data);
  const picked: Json = {};
  for (const key of keys) if (key in data) picked[key] = data[key];
  return renderValue(picked);
}

const depth = (pointer: string): number => (pointer === '' ? 0 : pointer.split('/').length - 1);

/** Depth of the value an error is about: a `required` error concerns a child of its object. */
const errorDepth = (error: ErrorObject): number =>
  depth(error.instancePath) + (error.keyword === 'required' ? 1 : 0);

// Keywords that only decide *which* alternative applies; when every alternative failed on these
// alone, one summary issue listing the alternatives says more than a dozen const mismatches.
const SELECTOR_KEYWORDS = new Set(['const', 'enum', 'required', 'type']);

/** Collapses oneOf/anyOf failures: a summary for selector-only failures, else the closest branch. */
export function collapseAlternatives(errors: readonly ErrorObject[]): {
  kept: ErrorObject[];
  summaries: Map<ErrorObject, ValidationIssue>;
} {
  const dropped = new Set<ErrorObject>();
  const summaries = new Map<ErrorObject, ValidationIssue>();
  const combinators = errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const combinator of combinators) {
    if (dropped.has(combinator)) continue;
    const prefix = `${combinator.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (dropped.has(e) || !e.schemaPath.startsWith(prefix)) continue;
      const index = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const all = [...branches.values()].flat();
    const passing = (combinator.params as Json)['passingSchemas'];
    const baseDepth = depth(combinator.instancePath);
    const selectorOnly = all.every(
      (e) => SELECTOR_KEYWORDS.has(e.keyword) && errorDepth(e) <= baseDepth + 1,
    );
    if (Array.isArray(passing) || selectorOnly || branches.size === 0) {
      for (const e of all) dropped.add(e);
      const alternatives: unknown = combinator.schema;
      const count = combinator.keyword === 'oneOf' ? 'exactly one of' : 'any of';
      const list = Array.isArray(alternatives)
        ? alternatives.map(describeAlternative).join(' | ')
        : '';
      const expected = Array.isArray(passing)
        ? `exactly one alternative, but alternatives ${passing.join(' and ')} match`
        : `${count} ${list}`;
      summaries.set(
        combinator,
        makeIssue(
          combinator.instancePath,
          combinator.keyword,
          expected,
          renderSelected(combinator.data, alternativeKeys(alternatives)),
        ),
      );
      continue;
    }
    // A deeper failure inside one alternative: report that alternative's errors only.
    const best = [...branches.values()].reduce((a, b) => (b.length < a.length ? b : a));
    for (const e of all) if (!best.includes(e)) dropped.add(e);
    dropped.add(combinator);
  }
  return { kept: errors.filter((e) => !dropped.has(e)), summaries };
}
