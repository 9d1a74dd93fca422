/**
 * The contract validator: every artifact schema compiled once with ajv, plus the semantic rules
 * JSON Schema cannot express, behind `validate(name, doc)` and `match(doc)`.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import _addFormats from 'ajv-formats';
import {
  ARTIFACT_NAMES,
  ARTIFACT_SCHEMA_IDS,
  MATCH_ORDER,
  type ArtifactName,
} from './artifacts.ts';
import { issuesFromAjv } from './ajv-issues.ts';
import type { ValidationIssue } from './issues.ts';
import { loadContractSchemas, type ContractSchemaDocument } from './schemas.ts';
import { SEMANTIC_CHECKS } from './semantic-rules.ts';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((_addFormats as unknown as { default?: typeof _addFormats }).default ??
  _addFormats) as unknown as (ajv: Ajv2020) => Ajv2020;

/** Verdict of one validation; `issues` is never empty when `valid` is false. */
export type ValidationResult = { valid: true } | { valid: false; issues: ValidationIssue[] };

/** One artifact a non-matching document came close to, with why it failed. */
interface MatchCandidate {
  artifact: ArtifactName;
  issues: ValidationIssue[];
}

/** Which artifact a document is, or the closest candidates when it is none. */
type MatchResult = { artifact: ArtifactName } | { artifact: null; candidates: MatchCandidate[] };

/** Validates documents against the contract artifacts. */
export interface ContractValidator {
  /** Validates a document as the named artifact; allocates nothing when the document is valid. */
  validate(name: ArtifactName, doc: unknown): ValidationResult;
  /** Finds the first artifact (in `MATCH_ORDER`) the document satisfies, or ranks the near misses. */
  match(doc: unknown): MatchResult;
}

/** Options of `createContractValidator`. */
export interface ContractValidatorOptions {
  /** Schema documents to compile; defaults to the files of contracts/schemas. */
  readonly schemas?: readonly ContractSchemaDocument[];
}

// Shared frozen verdict: the valid path must not allocate (>= 500k event_record checks/s).
const VALID: { valid: true } = Object.freeze({ valid: true });

/** How many near misses `match` reports at most. */
export const MAX_MATCH_CANDIDATES = 3;

// Properties that make a document obviously *meant* as an artifact; a candidate with its
// discriminator present outranks one with fewer issues but no discriminator.
const DISCRIMINATORS: Readonly<
  Record<ArtifactName, { any: readonly string[]; none?: readonly string[] }>
> = {
  control_signal: { any: ['signal'] },
  event_record: { any: ['lane', 'payload_class'], none: ['signal'] },
  turn_transition: { any: ['from_state', 'to_state', 'trigger'] },
  resolved_turn_plan: { any: ['edge_buffer_policies', 'flow_control', 'recording_policy'] },
  decision_outcome: { any: ['outcome_kind'] },
  artifact_bundle: { any: ['resolved_turn_plan', 'turn_transition', 'decision_outcome'] },
  baseline_evidence: { any: ['terminal_outcome', 'envelope_snapshot', 'redaction_decisions'] },
  invocation_outcome: { any: ['attempt_count', 'total_invocation_latency_ms'] },
  invocation_attempt: { any: ['attempt', 'attempt_latency_ms'] },
  pipeline_spec: { any: ['nodes'], none: ['topological_order', 'graph_fingerprint'] },
  graph_definition: {
    any: ['topological_order', 'graph_fingerprint', 'graph_compilation_snapshot'],
  },
};

function hasDiscriminator(name: ArtifactName, doc: unknown): boolean {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return false;
  const { any, none = [] } = DISCRIMINATORS[name];
  return any.some((key) => key in doc) && !none.some((key) => key in doc);
}

/**
 * Compiles every artifact schema with the contract's ajv options. `collectErrors` only decides
 * which errors a failed check reports (all of them, with schema and data, or the first), never
 * whether a document is valid.
 */
function compileArtifacts(
  schemas: readonly ContractSchemaDocument[],
  collectErrors: boolean,
): Record<ArtifactName, ValidateFunction> {
  const ajv = createAjv(schemas, collectErrors);
  const compiled = {} as Record<ArtifactName, ValidateFunction>;
  for (const name of ARTIFACT_NAMES) {
    const fn = ajv.getSchema(ARTIFACT_SCHEMA_IDS[name]);
    if (fn === undefined)
      throw new Error(`schema ${ARTIFACT_SCHEMA_IDS[name]} of ${name} not found`);
    compiled[name] = fn;
  }
  return compiled;
}

/** An ajv instance with the contract's options and every schema of `schemas` added. */
function createAjv(schemas: readonly ContractSchemaDocument[], collectErrors: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: collectErrors,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
    // verbose adds schema/data to *error* objects only, so the valid path is unchanged; the
    // issue builder needs them for received values and oneOf alternatives.
    verbose: collectErrors,
  });
  addFormats(ajv);
  for (const schema of schemas) ajv.addSchema(schema);
  return ajv;
}

/**
 * Validates documents against one schema definition that is not an artifact (a pipeline file,
 * `urn:rspp:pipeline-file.v1#/$defs/pipeline_file`), with the contract's ajv options and issues.
 * JSON Schema only: the definition's cross-field rules belong to whoever reads the document.
 */
export function createDefinitionValidator(
  schemaId: string,
  options: ContractValidatorOptions = {},
): (doc: unknown) => ValidationResult {
  const fn = createAjv(options.schemas ?? loadContractSchemas(), true).getSchema(schemaId);
  if (fn === undefined) throw new Error(`schema ${schemaId} not found`);
  return (doc) => (fn(doc) ? VALID : { valid: false, issues: issuesFromAjv(fn.errors ?? []) });
}

/** JSON Schema verdicts only: semantic rules are not checked, so acceptance is necessary, not sufficient. */
export type ContractScreen = {
  /** Whether `doc` satisfies the JSON Schema of `name`. */
  accepts(name: ArtifactName, doc: unknown): boolean;
  /** The artifacts whose JSON Schema `doc` satisfies, in `ARTIFACT_NAMES` order. */
  accepting(doc: unknown): ArtifactName[];
};

/**
 * A yes/no check of the contract schemas that stops at the first failing keyword and builds no
 * issues: for documents whose issues will not be shown (the validator collects every error of
 * every artifact it tries, which made unmatched documents about 17 times slower than valid ones).
 */
export function createContractScreen(options: ContractValidatorOptions = {}): ContractScreen {
  const compiled = compileArtifacts(options.schemas ?? loadContractSchemas(), false);
  const accepts = (name: ArtifactName, doc: unknown): boolean => compiled[name](doc) === true;
  return {
    accepts,
    accepting: (doc) => ARTIFACT_NAMES.filter((name) => accepts(name, doc)),
  };
}

/** Compiles every artifact schema once and returns the validator. */
export function createContractValidator(options: ContractValidatorOptions = {}): ContractValidator {
  const compiled = compileArtifacts(options.schemas ?? loadContractSchemas(), true);

  function validate(name: ArtifactName, doc: unknown): ValidationResult {
    const fn = compiled[name];
    if (fn === undefined) throw new TypeError(`unknown artifact ${JSON.stringify(name)}`);
    if (!fn(doc)) return { valid: false, issues: issuesFromAjv(fn.errors ?? []) };
    const check = SEMANTIC_CHECKS[name];
    if (check === undefined) return VALID;
    const issues = check(doc);
    return issues === undefined ? VALID : { valid: false, issues };
  }

  function match(doc: unknown): MatchResult {
    const misses: (MatchCandidate & { order: number; meant: boolean })[] = [];
    for (const [order, artifact] of MATCH_ORDER.entries()) {
      const result = validate(artifact, doc);
      if (result.valid) return { artifact };
      misses.push({
        artifact,
        issues: result.issues,
        order,
        meant: hasDiscriminator(artifact, doc),
      });
    }
    misses.sort(
      (a, b) =>
        Number(b.meant) - Number(a.meant) || a.issues.length - b.issues.length || a.order - b.order,
    );
    const candidates = misses
      .slice(0, MAX_MATCH_CANDIDATES)
      .map(({ artifact, issues }) => ({ artifact, issues }));
    return { artifact: null, candidates };
  }

  return { validate, match };
}
