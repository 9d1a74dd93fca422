/**
 * A yes/no check of the contract JSON Schemas that builds no issues, for documents whose issues
 * will not be shown. The contract validator collects every error of every artifact it tries
 * (11 artifacts for an unmatched document), which made invalid lines about 17 times slower than
 * valid ones; stopping at the first failing keyword costs about as much as a valid document.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import _addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import type { ArtifactName } from '../../../contracts/index.ts';
import {
  ARTIFACT_NAMES,
  ARTIFACT_SCHEMA_IDS,
  loadContractSchemas,
} from '../../../contracts/internal.ts';

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = ((_addFormats as unknown as { default?: typeof _addFormats }).default ??
  _addFormats) as unknown as (ajv: Ajv2020) => Ajv2020;

/** JSON Schema verdicts only: semantic rules are not checked, so acceptance is necessary, not sufficient. */
export type ContractScreen = {
  /** Whether `doc` satisfies the JSON Schema of `name`. */
  accepts(name: ArtifactName, doc: unknown): boolean;
  /** The artifacts whose JSON Schema `doc` satisfies, in `ARTIFACT_NAMES` order. */
  accepting(doc: unknown): ArtifactName[];
};

/** Compiles the contract schemas the way `createContractValidator` does, minus error collection. */
export function createContractScreen(): ContractScreen {
  // The same options as contracts/validate.ts except allErrors and verbose, which only change
  // which errors are collected, never whether a document is valid.
  const ajv = new Ajv2020({
    allErrors: false,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    allowUnionTypes: true,
  });
  addFormats(ajv);
  for (const schema of loadContractSchemas()) ajv.addSchema(schema);
  const compiled = new Map<ArtifactName, ValidateFunction>();
  for (const name of ARTIFACT_NAMES) {
    const fn = ajv.getSchema(ARTIFACT_SCHEMA_IDS[name]);
    if (fn === undefined)
      throw new Error(`schema ${ARTIFACT_SCHEMA_IDS[name]} of ${name} not found`);
    compiled.set(name, fn);
  }
  const accepts = (name: ArtifactName, doc: unknown): boolean => compiled.get(name)?.(doc) === true;
  return {
    accepts,
    accepting: (doc) => ARTIFACT_NAMES.filter((name) => accepts(name, doc)),
  };
}
