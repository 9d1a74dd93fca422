/**
 * What is wrong with a pipeline file: one issue per broken rule, naming the JSON pointer in the
 * file, what was expected and what was received. Every CP-01/02/03 step returns issues instead
 * of throwing, so a bad file never half-starts anything.
 */
import type { ValidationIssue } from '../../contracts/index.ts';

/** Why a pipeline file is refused. */
export type PipelineErrorCode =
  | 'file_unreadable'
  | 'file_too_large'
  | 'unsupported_format'
  | 'malformed_json'
  | 'unknown_field'
  | 'schema_violation'
  | 'unsupported_profile'
  | 'unknown_node_kind'
  | 'duplicate_id'
  | 'dangling_edge'
  | 'self_edge'
  | 'cycle'
  | 'invalid_fallback'
  | 'missing_provider'
  | 'unknown_provider'
  | 'unavailable_provider'
  | 'too_many_providers'
  | 'provider_order'
  | 'lossy_text_edge'
  | 'budget_exceeds_turn'
  | 'duplicate_version'
  | 'invalid_rollout';

/** One broken rule of a pipeline file (or of a registry or rollout built from files). */
export type PipelineIssue = {
  readonly code: PipelineErrorCode;
  /** JSON pointer (RFC 6901) into the file; `''` is the whole file. */
  readonly pointer: string;
  readonly expected: string;
  readonly received: string;
  /** `<pointer>: <code>: expected <expected>, received <received>`. */
  readonly message: string;
};

/** The outcome of a pipeline step: its value, or the issues (never empty) that refuse it. */
export type PipelineResult<TValue> =
  | { readonly ok: true; readonly value: TValue }
  | { readonly ok: false; readonly issues: readonly PipelineIssue[] };

/** Builds an issue and its one-line message. */
export function pipelineIssue(
  code: PipelineErrorCode,
  pointer: string,
  expected: string,
  received: string,
): PipelineIssue {
  const where = pointer === '' ? '(root)' : pointer;
  return {
    code,
    pointer,
    expected,
    received,
    message: `${where}: ${code}: expected ${expected}, received ${received}`,
  };
}

/** A schema issue of the contract validator as a pipeline issue (`unknown_field` when closed). */
export function fromSchemaIssue(issue: ValidationIssue): PipelineIssue {
  if (issue.rule === 'additionalProperties')
    return pipelineIssue('unknown_field', issue.pointer, 'no such field', issue.received);
  const made = pipelineIssue('schema_violation', issue.pointer, issue.expected, issue.received);
  const where = issue.pointer === '' ? '(root)' : issue.pointer;
  return {
    ...made,
    message: `${where}: ${issue.rule}: expected ${issue.expected}, received ${issue.received}`,
  };
}

/** A refusal with the given issues. */
export function refused<TValue>(issues: readonly PipelineIssue[]): PipelineResult<TValue> {
  return { ok: false, issues };
}

/** Quotes a received string the way issues show values (JSON, so blanks and quotes stay visible). */
export const quote = (value: string): string => JSON.stringify(value);
