/**
 * Loads the contract JSON Schemas that sit next to this file, so validators and tools read the
 * same files the type generator reads.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** A parsed contract schema file: a JSON Schema 2020-12 document with an `urn:rspp:` `$id`. */
export interface ContractSchemaDocument {
  readonly $id: string;
  readonly [keyword: string]: unknown;
}

/** Folder holding `<name>.v<N>.schema.json`; resolved from this module so it works from any cwd. */
export const CONTRACT_SCHEMA_DIR: URL = new URL('./schemas/', import.meta.url);

/** Reads every `*.schema.json` of a folder (default: contracts/schemas), sorted by file name. */
export function loadContractSchemas(
  dir: URL = CONTRACT_SCHEMA_DIR,
): readonly ContractSchemaDocument[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.schema.json'))
    .sort()
    .map((file) => {
      const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as ContractSchemaDocument;
      if (typeof doc.$id !== 'string' || !doc.$id.startsWith('urn:rspp:')) {
        throw new Error(`${file}: $id must be a urn:rspp: id, got ${JSON.stringify(doc.$id)}`);
      }
      return doc;
    });
}
