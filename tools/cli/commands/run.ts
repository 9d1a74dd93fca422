/**
 * `rspp run`: runs one session in this process on the embedded or NATS bus with seeded sim
 * providers under simulated time. Without input flags it runs the built-in script (two user turns,
 * a barge-in during the second reply) and prints the ControlLane sequence as delivered by the bus.
 */
import { resolve } from 'node:path';
import type { BusPort, EvidenceSinkPort } from '../../../contracts/index.ts';
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import { openJsonlEvidenceSink } from '../../../adapters/evidence/jsonl/index.ts';
import { formatSignal } from '../../run/format.ts';
import { runScriptedSession } from '../../run/session-run.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';

const OPTIONS = {
  bus: { type: 'string' },
  'nats-url': { type: 'string' },
  json: { type: 'boolean' },
  evidence: { type: 'string' },
  seed: { type: 'string' },
} as const;

const USAGE = `rspp run [--bus embedded|nats] [--nats-url URL] [--json] [--evidence FILE] [--seed N]

Runs one session in this process (sim STT/LLM/TTS, simulated clock) through the built-in script:
two user turns and a barge-in during the second reply. Prints the ControlLane sequence as the
bus delivered it: one line per signal (time, emitted_by, signal, reason, turn).

  --bus embedded|nats  the bus (default embedded)
  --nats-url URL       NATS server for --bus nats (default nats://127.0.0.1:4222)
  --json               print one contract-valid ControlLane record per line instead
  --evidence FILE      append the OR-02 evidence (baseline records, signals) as JSONL to FILE
  --seed N             seed of the sim providers, an integer >= 0 (default 1)

Exit codes: 0 done; 1 the run failed (bus unreachable, evidence file not writable); 2 usage error.`;

/** Validated flags of one run. */
export type RunFlags = {
  readonly bus: 'embedded' | 'nats';
  readonly natsUrl: string;
  readonly json: boolean;
  readonly evidence: string | null;
  readonly seed: number;
};

/** Parses and validates the flags; the error names the field, expected and received values. */
export function parseRunFlags(args: readonly string[]): RunFlags | { error: string } {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return { error: parsed.message };
  if (parsed.positionals.length > 0) {
    return { error: `arguments: expected none, received ${parsed.positionals.join(' ')}` };
  }
  const v = parsed.values;
  const bus = v.bus ?? 'embedded';
  if (bus !== 'embedded' && bus !== 'nats') {
    return { error: `--bus: expected embedded or nats, received ${bus}` };
  }
  if (v['nats-url'] !== undefined && bus !== 'nats') {
    return { error: `--nats-url: expected only with --bus nats, received --bus ${bus}` };
  }
  const natsUrl = v['nats-url'] ?? 'nats://127.0.0.1:4222';
  if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[\w.-]+:\d+$/.test(natsUrl)) {
    return { error: `--nats-url: expected nats://host:port, received ${natsUrl}` };
  }
  const seedText = v.seed ?? '1';
  if (!/^\d{1,15}$/.test(seedText)) {
    return { error: `--seed: expected an integer >= 0, received ${seedText}` };
  }
  if (v.evidence === '')
    return { error: '--evidence: expected a file path, received an empty string' };
  return {
    bus,
    natsUrl,
    json: v.json === true,
    evidence: v.evidence ?? null,
    seed: Number(seedText),
  };
}

/** Runs the built-in script with validated flags. */
export async function runWithFlags(flags: RunFlags, io: CliIo, name = 'run'): Promise<number> {
  let bus: BusPort;
  try {
    bus =
      flags.bus === 'nats'
        ? await createNatsBus({ servers: flags.natsUrl, name: 'rspp-run' })
        : createEmbeddedBus();
  } catch (error) {
    io.err(printable(`rspp ${name}: cannot connect to ${flags.natsUrl}: ${message(error)}`));
    return EXIT.failure;
  }
  let sink: EvidenceSinkPort | undefined;
  try {
    if (flags.evidence !== null)
      sink = await openJsonlEvidenceSink({ path: resolve(io.cwd, flags.evidence) });
    const session_id =
      flags.bus === 'nats' ? `run-${String(process.pid)}-${String(Date.now())}` : 'demo';
    const result = await runScriptedSession({
      bus,
      seed: flags.seed,
      session_id,
      ...(sink === undefined ? {} : { sink }),
    });
    for (const signal of result.control)
      io.out(flags.json ? JSON.stringify(signal) : formatSignal(signal));
    return EXIT.ok;
  } catch (error) {
    io.err(printable(`rspp ${name}: ${message(error)}`));
    return EXIT.failure;
  } finally {
    await sink?.close();
    await bus.close();
  }
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The `run` command. */
export const runCommand: Command = {
  name: 'run',
  summary:
    'Run a session in this process (sim providers, built-in script) on the embedded or NATS bus.',
  usage: USAGE,
  async run(args, io) {
    const flags = parseRunFlags(args);
    if ('error' in flags) {
      io.err(`rspp run: ${printable(flags.error)}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    return runWithFlags(flags, io);
  },
};
