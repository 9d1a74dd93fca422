/**
 * Turns raw ajv errors into short, precise `ValidationIssue`s: one issue per broken rule, `if`
 * noise dropped, alternatives collapsed, duplicates and shadowed choices removed.
 */
import type { ErrorObject } from 'ajv';
import { collapseAlternatives, isObject, type Json } from './ajv-alternatives.ts';
import { childPointer, makeIssue, renderValue, type ValidationIssue } from './issues.ts';

/** Converts one ajv error (compiled with `verbose: true`) into an issue. */
function issueFromError(error: ErrorObject): ValidationIssue {
  const { keyword, instancePath: at } = error;
  const params = error.params as Json;
  const data: unknown = error.data;
  const got = renderValue(data);
  switch (keyword) {
    case 'required': {
      const name = String(params['missingProperty']);
      return makeIssue(childPointer(at, name), keyword, 'present', '(absent)');
    }
    case 'additionalProperties': {
      const name = String(params['additionalProperty']);
      const value = isObject(data) ? data[name] : undefined;
      return makeIssue(
        childPointer(at, name),
        keyword,
        'absent (undeclared property)',
        renderValue(value),
      );
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues']) ? params['allowedValues'] : [];
      return makeIssue(at, keyword, `one of ${allowed.map((v) => renderValue(v)).join(', ')}`, got);
    }
    case 'const':
      return makeIssue(at, keyword, renderValue(params['allowedValue']), got);
    case 'type': {
      const type = params['type'];
      return makeIssue(
        at,
        keyword,
        `type ${Array.isArray(type) ? type.join(' or ') : String(type)}`,
        got,
      );
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return makeIssue(
        at,
        keyword,
        `${String(params['comparison'])} ${String(params['limit'])}`,
        got,
      );
    case 'minLength':
    case 'minItems':
    case 'minProperties': {
      const unit =
        keyword === 'minLength' ? 'characters' : keyword === 'minItems' ? 'items' : 'properties';
      return makeIssue(at, keyword, `>= ${String(params['limit'])} ${unit}`, got);
    }
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties': {
      const unit =
        keyword === 'maxLength' ? 'characters' : keyword === 'maxItems' ? 'items' : 'properties';
      return makeIssue(at, keyword, `<= ${String(params['limit'])} ${unit}`, got);
    }
    case 'pattern':
      return makeIssue(at, keyword, `a string matching /${String(params['pattern'])}/`, got);
    case 'uniqueItems':
      return makeIssue(
        at,
        keyword,
        `unique items (items ${String(params['j'])} and ${String(params['i'])} are equal)`,
        got,
      );
    case 'format':
      return makeIssue(at, keyword, `format ${String(params['format'])}`, got);
    case 'not': {
      // `not: {required: [x]}` forbids a property: point at it rather than at its parent.
      const schema: unknown = error.schema;
      const forbidden =
        isObject(schema) && Array.isArray(schema['required']) ? schema['required'] : [];
      if (forbidden.length === 1 && isObject(data)) {
        const name = String(forbidden[0]);
        return makeIssue(
          childPointer(at, name),
          keyword,
          'absent (forbidden here)',
          renderValue(data[name]),
        );
      }
      return makeIssue(at, keyword, `not matching ${renderValue(schema)}`, got);
    }
    default:
      return makeIssue(at, keyword, error.message ?? keyword, got);
  }
}

function allowedValues(error: ErrorObject): Set<string> | undefined {
  const params = error.params as Json;
  if (error.keyword === 'const') return new Set([JSON.stringify(params['allowedValue'])]);
  if (error.keyword !== 'enum' || !Array.isArray(params['allowedValues'])) return undefined;
  return new Set(params['allowedValues'].map((v) => JSON.stringify(v)));
}

const isStrictSubset = (a: Set<string>, b: Set<string>): boolean =>
  a.size < b.size && [...a].every((v) => b.has(v));

/**
 * Drops an enum/const error when another one at the same value allows strictly fewer values (an
 * unknown `emitted_by` fails both the emitter vocabulary and the signal's owner list; only the
 * owner list says what would be accepted), and a `type` error shadowed by an enum/const.
 */
function keepNarrowestChoices(errors: readonly ErrorObject[]): ErrorObject[] {
  const choices = errors.map(allowedValues);
  return errors.filter((error, i) => {
    const mine = choices[i];
    // A wrong type next to an enum/const at the same value: the allowed values say more.
    if (error.keyword === 'type') {
      return !errors.some(
        (other, j) => choices[j] !== undefined && other.instancePath === error.instancePath,
      );
    }
    if (mine === undefined) return true;
    return !errors.some((other, j) => {
      const theirs = choices[j];
      return (
        theirs !== undefined &&
        other.instancePath === error.instancePath &&
        isStrictSubset(theirs, mine)
      );
    });
  });
}

/** Converts ajv's errors into deduplicated issues, dropping `if` noise and collapsing alternatives. */
export function issuesFromAjv(errors: readonly ErrorObject[]): ValidationIssue[] {
  // An `if` error only says "then failed"; the `then` errors carry the cause.
  const meaningful = errors.filter((e) => e.keyword !== 'if');
  const { kept, summaries } = collapseAlternatives(meaningful);
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const error of keepNarrowestChoices(kept)) {
    const issue = summaries.get(error) ?? issueFromError(error);
    // The same rule often appears twice (envelope and artifact both require authority_epoch).
    const key = `${issue.pointer}\u0000${issue.rule}\u0000${issue.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}
