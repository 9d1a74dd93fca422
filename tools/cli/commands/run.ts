/**
 * `rspp run`: runs one session in this process with seeded sim providers under simulated time.
 * The default transport (`embedded-script`) runs the built-in script (two user turns, a barge-in
 * during the second reply) on the embedded or NATS bus and prints the ControlLane sequence as
 * delivered by the bus; `wav` and `console` are the local transports (ADR 0040). `--pipeline`
 * runs a pipeline file's graph instead of the built-in one (ADR 0044); a refused file starts
 * nothing.
 */
import { resolve } from 'node:path';
import type { CompiledPipeline } from '../../../actors/pipeline/compile.ts';
import type { BusPort, EvidenceSinkPort } from '../../../contracts/index.ts';
import { createEmbeddedBus } from '../../../adapters/bus/embedded/index.ts';
import { createNatsBus } from '../../../adapters/bus/nats/index.ts';
import { openJsonlEvidenceSink } from '../../../adapters/evidence/jsonl/index.ts';
import { BUILT_IN_PROVIDERS } from '../../pipeline/load.ts';
import { formatSignal } from '../../run/format.ts';
import { runScriptedSession } from '../../run/session-run.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { runConsoleTransport } from './run-console.ts';
import { loadRunPipeline } from './run-pipeline.ts';
import { runWavTransport } from './run-wav.ts';

const OPTIONS = {
  transport: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  realtime: { type: 'boolean' },
  bus: { type: 'string' },
  'nats-url': { type: 'string' },
  json: { type: 'boolean' },
  evidence: { type: 'string' },
  seed: { type: 'string' },
  pipeline: { type: 'string' },
} as const;

const USAGE = `rspp run [--transport embedded-script|wav|console] [--bus embedded|nats] [--nats-url URL]
         [--input FILE --output FILE [--realtime]] [--json] [--evidence FILE] [--seed N]
         [--pipeline FILE]

Runs one session in this process (sim STT/LLM/TTS, simulated clock) and prints its ControlLane
sequence: one line per signal (time, emitted_by, signal, reason, turn).

  --transport T        where the user's input comes from (default embedded-script):
                         embedded-script  the built-in script: two user turns and a barge-in
                                          during the second reply
                         wav              a WAV file (--input): speech found by voice activity
                                          detection proposes turns; the agent's audio is
                                          written to --output at the times it was spoken
                         console          a text chat in the terminal: type a line to speak,
                                          type during a reply to barge in; Ctrl-D ends
  --input FILE         wav: the input WAV (PCM 8/16/24/32-bit or float 32/64, any rate,
                       mono or multichannel, extensible header accepted)
  --output FILE        wav: the output WAV (16 kHz mono PCM16, as long as the input or more)
  --realtime           wav: stream the frames in real time (default: as fast as possible)
  --bus embedded|nats  embedded-script: the bus (default embedded)
  --nats-url URL       NATS server for --bus nats (default nats://127.0.0.1:4222)
  --json               print one contract-valid ControlLane record per line instead (not
                       with console, whose lifecycle shows beside the text)
  --evidence FILE      append the OR-02 evidence (baseline records, signals) as JSONL to FILE
  --seed N             seed of the sim providers, an integer >= 0 (default 1)
  --pipeline FILE      run a pipeline file (examples/; rspp pipeline check FILE checks one):
                       its graph, policies and pipeline_version, and only the providers it
                       names, from ${BUILT_IN_PROVIDERS.map((p) => p.provider_id).join(', ')}.
                       wav needs stt and tts nodes; console takes llm nodes only

Exit codes: 0 done; 1 the run failed (bus unreachable, a file not writable); 2 usage error, an
input WAV that is missing, malformed or in an unsupported format, or a refused pipeline file.`;

/** Where a run's user input comes from. */
export type RunTransport = 'embedded-script' | 'wav' | 'console';

/** Validated flags of one run. */
export type RunFlags = {
  readonly transport: RunTransport;
  /** wav: the input and output files (as given) and the pacing. */
  readonly input: string | null;
  readonly output: string | null;
  readonly realtime: boolean;
  readonly bus: 'embedded' | 'nats';
  readonly natsUrl: string;
  readonly json: boolean;
  readonly evidence: string | null;
  readonly seed: number;
  /** A pipeline file to run (as given), or null for the built-in graph. */
  readonly pipeline: string | null;
};

/** Parses and validates the flags; the error names the field, expected and received values. */
export function parseRunFlags(args: readonly string[]): RunFlags | { error: string } {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return { error: parsed.message };
  if (parsed.positionals.length > 0) {
    return { error: `arguments: expected none, received ${parsed.positionals.join(' ')}` };
  }
  const v = parsed.values;
  const transport = v.transport ?? 'embedded-script';
  if (transport !== 'embedded-script' && transport !== 'wav' && transport !== 'console') {
    return {
      error: `--transport: expected embedded-script, wav or console, received ${transport}`,
    };
  }
  const local = localFlagsError(transport, v);
  if (local !== null) return { error: local };
  const bus = v.bus ?? 'embedded';
  if (bus !== 'embedded' && bus !== 'nats') {
    return { error: `--bus: expected embedded or nats, received ${bus}` };
  }
  if (bus === 'nats' && transport !== 'embedded-script') {
    return { error: `--bus: expected embedded with --transport ${transport}, received nats` };
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
  if (v.pipeline === '')
    return { error: '--pipeline: expected a pipeline file path, received an empty string' };
  return {
    transport,
    input: v.input ?? null,
    output: v.output ?? null,
    realtime: v.realtime === true,
    bus,
    natsUrl,
    json: v.json === true,
    evidence: v.evidence ?? null,
    seed: Number(seedText),
    pipeline: v.pipeline ?? null,
  };
}

/** The error of the wav-only flags for `transport`, or null. */
function localFlagsError(
  transport: RunTransport,
  v: { input?: string; output?: string; realtime?: boolean; json?: boolean },
): string | null {
  if (transport === 'console' && v.json === true)
    return '--json: expected only with --transport embedded-script or wav, received --transport console';
  if (transport !== 'wav') {
    for (const flag of ['input', 'output', 'realtime'] as const) {
      if (v[flag] !== undefined)
        return `--${flag}: expected only with --transport wav, received --transport ${transport}`;
    }
    return null;
  }
  for (const flag of ['input', 'output'] as const) {
    const value = v[flag];
    if (value === undefined)
      return `--${flag}: expected a WAV file path with --transport wav, received nothing`;
    if (value === '') return `--${flag}: expected a WAV file path, received an empty string`;
  }
  return null;
}

/** Runs the chosen transport with validated flags. */
export async function runWithFlags(flags: RunFlags, io: CliIo, name = 'run'): Promise<number> {
  let pipeline: CompiledPipeline | undefined;
  if (flags.pipeline !== null) {
    // Before any bus, sink or terminal: a refused file starts nothing.
    const loaded = await loadRunPipeline(flags.pipeline, io.cwd, flags.transport);
    if ('error' in loaded) {
      io.err(printable(`rspp ${name}: ${loaded.error}`));
      return EXIT.usage;
    }
    pipeline = loaded;
  }
  if (flags.transport === 'wav') return runWavTransport(flags, io, pipeline);
  if (flags.transport === 'console') return runConsoleTransport(flags, io, pipeline);
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
      ...(pipeline === undefined ? {} : { pipeline }),
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
    'Run a session in this process (sim providers): the built-in script, a WAV file or a console chat.',
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
