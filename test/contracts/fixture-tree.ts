/**
 * Reads the contract fixture tree `test/fixtures/contracts/<artifact>/{valid,invalid}/*.json` and
 * the hand-written expectations of the invalid fixtures (`expected-issues.json`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ArtifactName } from '../../contracts/index.ts';
import { isArtifactName } from '../../contracts/internal.ts';

/** Root of the contract fixtures. */
export const FIXTURE_ROOT = new URL('../fixtures/contracts/', import.meta.url);

/** One fixture file. */
export interface Fixture {
  readonly artifact: ArtifactName;
  readonly kind: 'valid' | 'invalid';
  readonly file: string;
  /** `<artifact>/<kind>/<file>`, the key of expected-issues.json. */
  readonly id: string;
  readonly doc: unknown;
}

/** The rule an invalid fixture breaks: where, and which keyword or semantic rule. */
export interface ExpectedIssue {
  readonly pointer: string;
  readonly rule: string;
}

/** Loads every fixture, sorted by artifact, kind and file name; throws on a stray folder. */
export function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const artifact of readdirSync(FIXTURE_ROOT).sort()) {
    if (!isArtifactName(artifact)) throw new Error(`fixture folder ${artifact} is not an artifact`);
    for (const kind of ['valid', 'invalid'] as const) {
      const dir = new URL(`${artifact}/${kind}/`, FIXTURE_ROOT);
      for (const file of readdirSync(dir).sort()) {
        if (!file.endsWith('.json')) throw new Error(`${artifact}/${kind}/${file} is not JSON`);
        const doc: unknown = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
        fixtures.push({ artifact, kind, file, id: `${artifact}/${kind}/${file}`, doc });
      }
    }
  }
  return fixtures;
}

/** Loads the expected issues of every invalid fixture, keyed by fixture id. */
export function loadExpectedIssues(): Record<string, ExpectedIssue[]> {
  const url = new URL('./expected-issues.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, ExpectedIssue[]>;
}
