/**
 * Contract validation throughput: how many `event_record` documents per second one core checks.
 * The runtime validates every envelope crossing a boundary, so this is on the hot path
 * (target: 500,000 valid documents per second).
 */
import { createContractValidator, type ArtifactName } from '../../../contracts/index.ts';
import type { BenchMetric, BenchResult, Benchmark } from '../benchmark.ts';
import { measureThroughput } from '../measure.ts';
import {
  INVALID_EVENT_RECORDS,
  VALID_CONTROL_SIGNALS,
  VALID_EVENT_RECORDS,
} from './contract-documents.ts';

/** Minimum median rate of valid `event_record` validations, in documents per second. */
const VALID_EVENT_RECORD_TARGET = 500_000;

const TIMING = { warmupMs: 500, rounds: 7, roundMs: 250 } as const;

/** The `contracts` benchmark. */
export const contractsBenchmark: Benchmark = {
  name: 'contracts',
  summary: 'documents/second through the contract validator (validate and match)',
  run: () => Promise.resolve(runContracts()),
};

function runContracts(): BenchResult {
  const validator = createContractValidator();
  const validate = (name: ArtifactName, docs: readonly unknown[], expectValid: boolean) => () => {
    let count = 0;
    for (const doc of docs) {
      // Checking the verdict keeps the call live and proves the fixture is what we claim.
      if (validator.validate(name, doc).valid !== expectValid) {
        throw new Error(`a ${expectValid ? 'valid' : 'invalid'} ${name} fixture was misjudged`);
      }
      count++;
    }
    return count;
  };
  const mixed = [...VALID_EVENT_RECORDS, ...VALID_CONTROL_SIGNALS];
  const match = () => {
    let count = 0;
    for (const doc of mixed) {
      if (validator.match(doc).artifact === null)
        throw new Error('a match fixture matched nothing');
      count++;
    }
    return count;
  };
  const metric = (
    name: string,
    description: string,
    pass: () => number,
    target?: number,
  ): BenchMetric => {
    const { rounds, median, best } = measureThroughput({ pass, ...TIMING });
    return {
      name,
      description,
      unit: 'docs/s',
      median,
      best,
      rounds,
      ...(target === undefined ? {} : { target }),
    };
  };
  return {
    metrics: [
      metric(
        'validate_valid_event_record',
        "validate('event_record', doc) on valid documents",
        validate('event_record', VALID_EVENT_RECORDS, true),
        VALID_EVENT_RECORD_TARGET,
      ),
      metric(
        'validate_invalid_event_record',
        "validate('event_record', doc) on invalid documents (builds issues)",
        validate('event_record', INVALID_EVENT_RECORDS, false),
      ),
      metric('match_mixed', 'match(doc) on valid event records and control signals', match),
    ],
    notes: [
      `${VALID_EVENT_RECORDS.length} valid and ${INVALID_EVENT_RECORDS.length} invalid event records, ${VALID_CONTROL_SIGNALS.length} control signals`,
      `warm-up ${TIMING.warmupMs} ms, then ${TIMING.rounds} rounds of ~${TIMING.roundMs} ms; the target applies to the median`,
    ],
  };
}
