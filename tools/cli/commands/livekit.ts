/**
 * `rspp livekit`: the LiveKit transport from the command line (ADR 0045). `--dry-run` (the
 * default, as `RSPP_LIVEKIT_DRY_RUN`) writes the spec's mapping report with no server: the
 * transport against a fake room playing the default scenario. `--probe` lists the configured
 * room through RoomService and exits 1 when the server refuses or does not answer. `--join`
 * joins the room as the agent with sim providers until the call ends. Settings come from the
 * `RSPP_LIVEKIT_*` variables, overridden by the flags; the key and secret only from the
 * environment. A bad setting exits 2 naming it, the expected and the received value.
 */
import { resolve } from 'node:path';
import type { LiveKitConfig, ProbeResult } from '../../../adapters/transport/livekit/index.ts';
import type { LiveKitReport } from '../../run/livekit-report.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { writeFileAtomic } from '../write-atomic.ts';

// Loaded on use: rtc-node's native binary should not slow down every other command.
const adapter = () => import('../../../adapters/transport/livekit/index.ts');
const reports = () => import('../../run/livekit-report.ts');

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  probe: { type: 'boolean' },
  join: { type: 'boolean' },
  url: { type: 'string' },
  room: { type: 'string' },
  'session-id': { type: 'string' },
  'turn-id': { type: 'string' },
  'pipeline-version': { type: 'string' },
  'authority-epoch': { type: 'string' },
  'default-data-class': { type: 'string' },
  'request-timeout-ms': { type: 'string' },
  'for-ms': { type: 'string' },
  report: { type: 'string' },
} as const;

const USAGE = `rspp livekit [--dry-run | --join] [--probe] [--report FILE] [--url URL] [--room NAME]
             [--session-id ID] [--turn-id ID] [--pipeline-version V] [--authority-epoch N]
             [--default-data-class audio_raw|text_raw|derived_summary] [--request-timeout-ms MS]
             [--for-ms MS]

The LiveKit transport (docs/livekit.md). Without a mode flag, RSPP_LIVEKIT_DRY_RUN (default
true) and RSPP_LIVEKIT_PROBE (default false) decide.
  --dry-run  write the mapping report (JSON) of the default scenario, no server needed
  --probe    list the room through RoomService (RSPP_LIVEKIT_URL, _API_KEY, _API_SECRET)
  --join     join the room as the agent with sim providers until the call ends (or --for-ms)
The report goes to stdout, or to --report FILE (--join prints signals, its report only to FILE). Flags override the RSPP_LIVEKIT_* variables;
the API key and secret are read from the environment only.

Exit codes: 0 done; 1 the probe failed, the room could not be joined or the report not
written; 2 usage error or a bad setting.`;

/** The `livekit` command. */
export const liveKitCommand: Command = {
  name: 'livekit',
  summary: 'LiveKit transport: mapping report (--dry-run), server probe (--probe), join a room.',
  usage: USAGE,
  run: async (args, io) => {
    try {
      return await runLiveKit(args, io, process.env);
    } finally {
      // rtc-node's native client keeps the process alive until it is disposed.
      await (await adapter()).disposeRtc();
    }
  },
};

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs `rspp livekit` with `env` as its environment. */
export async function runLiveKit(
  args: readonly string[],
  io: CliIo,
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return usage(io, parsed.message);
  const v = parsed.values;
  if (parsed.positionals.length > 0)
    return usage(io, `unexpected argument ${parsed.positionals[0]}`);
  if (v['dry-run'] === true && v.join === true)
    return usage(io, '--dry-run and --join exclude each other');
  const forMs = v['for-ms'];
  if (forMs !== undefined && !/^[1-9]\d{0,9}$/.test(forMs))
    return usage(io, `--for-ms must be a positive integer, received ${JSON.stringify(forMs)}`);
  const { LiveKitConfigError, liveKitConfigFrom, PROBE_SKIPPED, probeLiveKit } = await adapter();
  const { buildReport, runLiveKitDryRun } = await reports();
  let config: LiveKitConfig;
  try {
    config = liveKitConfigFrom(env, {
      url: v.url,
      room: v.room,
      session_id: v['session-id'],
      turn_id: v['turn-id'],
      pipeline_version: v['pipeline-version'],
      authority_epoch: v['authority-epoch'],
      default_data_class: v['default-data-class'],
      request_timeout_ms: v['request-timeout-ms'],
      dry_run: v['dry-run'] === true ? true : v.join === true ? false : undefined,
      probe: v.probe === true ? true : undefined,
    });
  } catch (error) {
    if (error instanceof LiveKitConfigError) return usage(io, error.message);
    throw error;
  }
  let probe: ProbeResult = PROBE_SKIPPED;
  if (config.probe) {
    probe = await probeLiveKit({
      url: config.url ?? '',
      api_key: config.api_key ?? '',
      api_secret: config.api_secret ?? '',
      room: config.room,
      session_id: config.session_id,
      request_timeout_ms: config.request_timeout_ms,
    });
    io.err(
      printable(
        probe.status === 'passed'
          ? `rspp livekit: probe passed (${String(probe.room_count)} room(s) named ${config.room})`
          : `rspp livekit: probe failed: ${probe.error ?? 'unknown'}`,
      ),
    );
  }
  let report: LiveKitReport;
  if (config.dry_run) report = await runLiveKitDryRun(config, probe);
  else if (config.probe) report = buildReport('probe', config, null, probe);
  else {
    const joined = await join(config, io, forMs === undefined ? undefined : Number(forMs));
    if (typeof joined === 'number') return joined;
    report = joined;
  }
  // A joined room's signals went to stdout as they happened: its report only to --report.
  if (report.mode === 'join' && v.report === undefined) return EXIT.ok;
  const written = await writeReport(report, v.report, io);
  if (written !== EXIT.ok) return written;
  return probe.status === 'failed' ? EXIT.failure : EXIT.ok;
}

/** Joins the room with sim providers until the call ends; the report, or the exit code. */
async function join(
  config: LiveKitConfig,
  io: CliIo,
  max_ms: number | undefined,
): Promise<LiveKitReport | number> {
  const url = config.url ?? '';
  const { createAgentToken, createRtcBinding } = await adapter();
  const { buildReport } = await reports();
  const { runLiveKitSession } = await import('../../run/livekit-session.ts');
  const { formatSignal } = await import('../../run/format.ts');
  const { createWallPacer } = await import('../../run/wall-pacer.ts');
  try {
    const token = await createAgentToken({
      api_key: config.api_key ?? '',
      api_secret: config.api_secret ?? '',
      room: config.room,
      session_id: config.session_id,
    });
    const { end, session } = await runLiveKitSession(
      {
        config,
        binding: createRtcBinding(),
        url,
        token,
        onOutput: (output) => {
          if (output.kind === 'control') io.out(formatSignal(output.record));
        },
      },
      createWallPacer(),
      max_ms,
    );
    io.err(printable(`rspp livekit: left room ${config.room} (${end})`));
    return buildReport('join', config, session);
  } catch (error) {
    io.err(printable(`rspp livekit: cannot join ${config.room}: ${message(error)}`));
    return EXIT.failure;
  }
}

async function writeReport(
  report: LiveKitReport,
  path: string | undefined,
  io: CliIo,
): Promise<number> {
  const text = `${JSON.stringify(report, null, 2)}\n`;
  if (path === undefined) {
    io.out(text.trimEnd());
    return EXIT.ok;
  }
  try {
    await writeFileAtomic(resolve(io.cwd, path), text);
    return EXIT.ok;
  } catch (error) {
    io.err(printable(`rspp livekit: cannot write --report ${path}: ${message(error)}`));
    return EXIT.failure;
  }
}

function usage(io: CliIo, text: string): number {
  io.err(printable(`rspp livekit: ${text}`));
  io.err(USAGE);
  return EXIT.usage;
}
