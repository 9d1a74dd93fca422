import { describe, expect, it } from 'vitest';
import type { SimFaultPlan } from '../../adapters/providers/sim/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import type { Script } from '../../tools/run/script.ts';
import { machineOutputs, runEmbedded, summarize, terminals } from './kit.ts';

/** One user turn. */
const ONE_TURN: Script = {
  steps: [{ at_ms: 100, kind: 'transcript_final', text: 'hello there' }],
  end_ms: 3000,
};

const firstAttemptOnly =
  (fault: Exclude<SimFaultPlan, (...args: never[]) => unknown>): SimFaultPlan =>
  (attempt) =>
    attempt.attempt === 1 && attempt.provider_id === 'llm-sim' ? fault : undefined;

async function run(llm: SimFaultPlan, backups = false) {
  const result = await runEmbedded({
    script: ONE_TURN,
    faults: { llm },
    backups,
    limits: { attempt_timeout_ms: 500 },
  });
  expect(checkTurnInvariants(machineOutputs(result.outputs), { complete: true })).toEqual([]);
  return { ...result, lines: summarize(result.control) };
}

describe('runtime: provider faults (truth table T10, RK-11 retry/switch)', () => {
  it.each([
    ['timeout', { kind: 'timeout' }],
    ['rate limit', { kind: 'rate_limit' }],
    ['disconnect', { kind: 'disconnect', after_chunks: 2 }],
    ['zero output', { kind: 'zero_output' }],
    ['malformed output', { kind: 'malformed', at_chunk: 1 }],
  ] as const)(
    '%s on every attempt without a backup ends abort(provider_failure)',
    async (_n, fault) => {
      const { control, lines } = await run(fault);
      expect(terminals(control)).toEqual({ 'turn-1': 'abort(provider_failure)' });
      expect(lines.some((l) => l.startsWith('RK-11 provider_error'))).toBe(true);
      // Output streamed before the failure may have been spoken; nothing follows the abort.
      const abortAt = lines.findIndex((l) => l.startsWith('RK-03 abort'));
      expect(lines.slice(abortAt).filter((l) => l.includes('output_accepted'))).toEqual([]);
    },
  );

  it.each([
    ['timeout', { kind: 'timeout' }],
    ['rate limit', { kind: 'rate_limit' }],
    ['disconnect', { kind: 'disconnect', after_chunks: 0 }],
  ] as const)('%s on the first attempt only is retried and the turn commits', async (_n, fault) => {
    const { control, lines } = await run(firstAttemptOnly(fault));
    expect(terminals(control)).toEqual({ 'turn-1': 'commit' });
    expect(lines.some((l) => l.startsWith('RK-11 provider_error'))).toBe(true);
  });

  it('switches to the backup provider when the preferred one keeps failing', async () => {
    const { control, lines } = await run({ kind: 'zero_output' }, true);
    expect(terminals(control)).toEqual({ 'turn-1': 'commit' });
    expect(lines.some((l) => l.startsWith('RK-11 provider_switch'))).toBe(true);
  });

  it('ends the turn abort(recording_evidence_unavailable) when Stage-A cannot keep the baseline', async () => {
    const { control } = await runEmbedded({ script: ONE_TURN, failBaselineAppends: true });
    expect(terminals(control)).toEqual({ 'turn-1': 'abort(recording_evidence_unavailable)' });
  });
});
