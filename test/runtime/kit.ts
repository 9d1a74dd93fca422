/**
 * Helpers of the runtime tests: run the built-in (or a custom) script on a fresh embedded bus
 * and summarize the ControlLane sequence as `emitted_by signal(reason) turn` lines.
 */
import type { RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import type { MachineOutput } from '../../machines/index.ts';
import {
  runScriptedSession,
  type RunOptions,
  type RunResult,
} from '../../tools/run/session-run.ts';

/** Runs a session on a fresh embedded bus. */
export async function runEmbedded(options: Omit<RunOptions, 'bus'> = {}): Promise<RunResult> {
  const bus = createEmbeddedBus();
  try {
    return await runScriptedSession({ bus, ...options });
  } finally {
    await bus.close();
  }
}

/** `RK-03 abort(cancelled) turn-2`, one per signal. */
export function summarize(control: readonly ControlSignal[]): string[] {
  return control.map((s) => {
    const reason = typeof s.reason === 'string' && s.reason !== s.signal ? `(${s.reason})` : '';
    return `${s.emitted_by} ${s.signal}${reason} ${typeof s.turn_id === 'string' ? s.turn_id : '-'}`;
  });
}

/** The runtime outputs as machine outputs, for `checkTurnInvariants`. */
export function machineOutputs(outputs: readonly RuntimeOutput[]): MachineOutput[] {
  return outputs.flatMap((o): MachineOutput[] => {
    if (o.kind === 'control') return [{ type: 'control.signal', signal: o.record }];
    if (o.kind === 'outcome') return [{ type: 'decision.outcome', outcome: o.outcome }];
    if (o.kind === 'transition')
      return [{ type: 'turn.transition', turn_id: o.turn_id, transition: o.transition }];
    return [];
  });
}

/** Terminal signals (`commit`/`abort(reason)`) by turn. */
export function terminals(control: readonly ControlSignal[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of control) {
    if (typeof s.turn_id !== 'string') continue;
    if (s.signal === 'commit') out[s.turn_id] = 'commit';
    if (s.signal === 'abort') out[s.turn_id] = `abort(${String(s.reason)})`;
  }
  return out;
}
