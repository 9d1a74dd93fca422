/**
 * `rspp worker`: a runtime worker process. It joins the worker queue group, takes sessions up to
 * its concurrency, runs them on the NATS bus with sim providers, and on SIGTERM (or SIGINT)
 * drains: no new sessions, every live turn ends with exactly one terminal, then it exits 0.
 * Disconnected from NATS longer than its reconnect budget, it exits 1 for its supervisor.
 * `--pipeline FILE` runs a pipeline file's graph; the file is loaded before NATS is dialled, and a
 * refused one exits 2.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import {
  credsAuthenticator,
  usernamePasswordAuthenticator,
  type Authenticator,
} from '@nats-io/transport-node';
import { otelTelemetryFromEnv, type OtelFromEnv } from '../../../adapters/telemetry/otel/index.ts';
import { DEFAULT_LEASE_TTL_MS, assertSubjectToken } from '../../../contracts/internal.ts';
import type { CompiledPipeline } from '../../../actors/pipeline/compile.ts';
import { loadPipelineFile } from '../../pipeline/load.ts';
import { refusalLine } from '../../pipeline/summary.ts';
import {
  DEFAULT_RECONNECT_FOR_MS,
  clockedSimProviders,
  startWorker,
  type Worker,
} from '../../worker/index.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';

const OPTIONS = {
  'nats-url': { type: 'string' },
  concurrency: { type: 'string' },
  tenant: { type: 'string' },
  name: { type: 'string' },
  'connect-timeout-ms': { type: 'string' },
  'lease-ttl-ms': { type: 'string' },
  'reconnect-for-ms': { type: 'string' },
  'reap-orphans-every-ms': { type: 'string' },
  'nats-creds': { type: 'string' },
  pipeline: { type: 'string' },
} as const;

const USAGE = `rspp worker --nats-url URL [--concurrency N] [--tenant T] [--name ID] [--connect-timeout-ms MS] [--lease-ttl-ms MS] [--reconnect-for-ms MS] [--reap-orphans-every-ms MS] [--nats-creds FILE] [--pipeline FILE]

Joins the worker queue group on the assignment subject and runs the sessions it is assigned
(sim STT/LLM/TTS, real time) on the NATS bus. Prints one JSON line per lifecycle event.
SIGTERM or SIGINT drains: no new sessions, live turns end with exactly one terminal, exit 0.

  --nats-url URL            NATS server, e.g. nats://127.0.0.1:4222 (required)
  --concurrency N           sessions at once, 1..1024 (default 4); beyond it, refused at_capacity
  --tenant T                serve only tenant T (default: every tenant)
  --name ID                 worker id in replies and logs (default <host>-<pid>)
  --connect-timeout-ms MS   bound on connecting, 100..60000 (default 5000)
  --lease-ttl-ms MS         session lease lifetime, 1000..600000 (default ${String(DEFAULT_LEASE_TTL_MS)});
                            renewed every third of it, lost when a renewal is this late
  --reconnect-for-ms MS     how long to keep reconnecting to NATS, 1000..3600000 (default ${String(DEFAULT_RECONNECT_FOR_MS)});
                            no new sessions meanwhile; after it, exit 1 for a supervisor to restart
  --reap-orphans-every-ms MS
                            how often to close the turns of dead workers whose lease expired
                            with no taker, 0..600000 (default: the lease TTL; 0: never)
  --nats-creds FILE         NATS credentials file (JWT and seed) of the worker's user
  --pipeline FILE           run every session on a pipeline file (examples/offline.json; check
                            one with rspp pipeline check): its graph, policies and
                            pipeline_version, on the sims it names (-sim, -sim-b). Loaded before
                            connecting; a refused file exits 2. An assignment naming another
                            pipeline_version is refused (invalid_request)

OR-01 telemetry: with RSPP_TELEMETRY_OTLP_HTTP_ENDPOINT set, turn, node and provider spans are
exported over OTLP/HTTP (RSPP_TELEMETRY_QUEUE_CAPACITY, RSPP_TELEMETRY_EXPORT_TIMEOUT_MS,
RSPP_TELEMETRY_ENABLED=false turns it off; a bad value exits 2).

A server with per-user permissions (docs/operations.md) takes the worker's user either from
--nats-creds or from RSPP_NATS_USER and RSPP_NATS_PASSWORD in the environment (never a flag:
command lines are visible to every user of the machine).

Exit codes: 0 drained; 1 NATS unreachable, lease bucket of another TTL, or connection lost; 2 usage,
telemetry configuration error or a refused pipeline file.`;

/** Validated flags of a worker. */
export type WorkerFlags = {
  readonly natsUrl: string;
  readonly concurrency: number;
  readonly tenant?: string;
  readonly name: string;
  readonly connectTimeoutMs: number;
  readonly leaseTtlMs: number;
  /** Reconnect budget in ms; absent: the worker's default ({@link DEFAULT_RECONNECT_FOR_MS}). */
  readonly reconnectForMs?: number;
  /** Orphan search period in ms; absent: the lease TTL; 0: off (ADR 0035). */
  readonly reapOrphansEveryMs?: number;
  /** The worker's NATS user, when the server authorizes users. */
  readonly authenticator?: Authenticator;
  /** The pipeline file every session runs (as given); absent: the built-in graph. */
  readonly pipeline?: string;
};

/** The worker's NATS credentials: a creds file, or user and password from the environment. */
function credentials(
  creds: string | undefined,
  env: NodeJS.ProcessEnv,
): { authenticator?: Authenticator } | { error: string } {
  const user = env['RSPP_NATS_USER'];
  const password = env['RSPP_NATS_PASSWORD'];
  if (creds !== undefined) {
    if (user !== undefined || password !== undefined)
      return { error: '--nats-creds: expected either it or RSPP_NATS_USER, received both' };
    try {
      return { authenticator: credsAuthenticator(readFileSync(creds)) };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      return {
        error: `--nats-creds ${printable(creds)}: expected a readable file, received ${code}`,
      };
    }
  }
  if (user === undefined && password === undefined) return {};
  if (user === undefined || user === '')
    return {
      error: 'RSPP_NATS_USER: expected a user name beside RSPP_NATS_PASSWORD, received none',
    };
  if (password === undefined)
    return {
      error: 'RSPP_NATS_PASSWORD: expected a password beside RSPP_NATS_USER, received none',
    };
  return { authenticator: usernamePasswordAuthenticator(user, password) };
}

const integer = (flag: string, text: string, min: number, max: number): number | string => {
  if (!/^\d{1,7}$/.test(text) || Number(text) < min || Number(text) > max) {
    return `${flag}: expected an integer ${String(min)}..${String(max)}, received ${text}`;
  }
  return Number(text);
};

/** Parses and validates the flags; the error names the field, expected and received values. */
export function parseWorkerFlags(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): WorkerFlags | { error: string } {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return { error: parsed.message };
  if (parsed.positionals.length > 0) {
    return { error: `arguments: expected none, received ${parsed.positionals.join(' ')}` };
  }
  const v = parsed.values;
  const natsUrl = v['nats-url'];
  if (natsUrl === undefined)
    return { error: '--nats-url: expected nats://host:port, received nothing' };
  if (!/^(nats|tls|wss?):\/\/[^\s]+$|^[\w.-]+:\d+$/.test(natsUrl)) {
    return { error: `--nats-url: expected nats://host:port, received ${natsUrl}` };
  }
  const concurrency = integer('--concurrency', v.concurrency ?? '4', 1, 1024);
  if (typeof concurrency === 'string') return { error: concurrency };
  const timeout = integer('--connect-timeout-ms', v['connect-timeout-ms'] ?? '5000', 100, 60_000);
  if (typeof timeout === 'string') return { error: timeout };
  const ttl = integer(
    '--lease-ttl-ms',
    v['lease-ttl-ms'] ?? String(DEFAULT_LEASE_TTL_MS),
    1000,
    600_000,
  );
  if (typeof ttl === 'string') return { error: ttl };
  const reconnectFor =
    v['reconnect-for-ms'] === undefined
      ? undefined
      : integer('--reconnect-for-ms', v['reconnect-for-ms'], 1000, 3_600_000);
  if (typeof reconnectFor === 'string') return { error: reconnectFor };
  const reapEvery =
    v['reap-orphans-every-ms'] === undefined
      ? undefined
      : integer('--reap-orphans-every-ms', v['reap-orphans-every-ms'], 0, 600_000);
  if (typeof reapEvery === 'string') return { error: reapEvery };
  if (v.tenant !== undefined) {
    try {
      assertSubjectToken('tenant_id', v.tenant);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { error: `--tenant: ${printable(message)}` };
    }
  }
  const name = v.name ?? `${hostname()}-${String(process.pid)}`;
  if (!/^[\w-]{1,64}$/.test(name)) {
    return { error: `--name: expected 1-64 letters, digits, _ or -, received ${printable(name)}` };
  }
  const auth = credentials(v['nats-creds'], env);
  if ('error' in auth) return auth;
  if (v.pipeline === '')
    return { error: '--pipeline: expected a pipeline file path, received an empty string' };
  return {
    ...auth,
    natsUrl,
    concurrency,
    name,
    connectTimeoutMs: timeout,
    leaseTtlMs: ttl,
    ...(v.tenant === undefined ? {} : { tenant: v.tenant }),
    ...(reconnectFor === undefined ? {} : { reconnectForMs: reconnectFor }),
    ...(reapEvery === undefined ? {} : { reapOrphansEveryMs: reapEvery }),
    ...(v.pipeline === undefined ? {} : { pipeline: v.pipeline }),
  };
}

const RESTART_HINT = 'exiting with 1 so that a supervisor restarts the worker';

/** Resolves with the name of the first shutdown signal; the default listens on the process. */
export type ShutdownSignal = () => Promise<string>;

const processShutdown: ShutdownSignal = () =>
  new Promise((resolve) => {
    const on = (name: string) => () => {
      process.off('SIGTERM', term);
      process.off('SIGINT', int);
      resolve(name);
    };
    const term = on('SIGTERM');
    const int = on('SIGINT');
    process.once('SIGTERM', term);
    process.once('SIGINT', int);
  });

/** Runs a worker with validated flags until `shutdown` resolves, then drains. */
export async function runWorker(
  flags: WorkerFlags,
  io: CliIo,
  shutdown: ShutdownSignal = processShutdown,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let worker: Worker;
  let pipeline: CompiledPipeline | undefined;
  if (flags.pipeline !== undefined) {
    // Before NATS is dialled: a worker never joins the queue group with a refused file.
    const loaded = await loadPipelineFile(resolve(io.cwd, flags.pipeline), {
      providers: clockedSimProviders(),
    });
    if (!loaded.ok) {
      io.err(printable(`rspp worker: ${refusalLine(flags.pipeline, loaded.issues)}`));
      return EXIT.usage;
    }
    pipeline = loaded.pipeline;
  }
  let otel: OtelFromEnv | undefined;
  try {
    otel = otelTelemetryFromEnv(env);
  } catch (error) {
    io.err(`rspp worker: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.usage;
  }
  const stopping = shutdown();
  try {
    worker = await startWorker({
      natsUrl: flags.natsUrl,
      concurrency: flags.concurrency,
      worker_id: flags.name,
      connectTimeoutMs: flags.connectTimeoutMs,
      leaseTtlMs: flags.leaseTtlMs,
      log: (event) => io.out(JSON.stringify(event)),
      ...(flags.tenant === undefined ? {} : { tenant: flags.tenant }),
      ...(flags.reconnectForMs === undefined ? {} : { reconnectForMs: flags.reconnectForMs }),
      ...(flags.reapOrphansEveryMs === undefined
        ? {}
        : { reapOrphansEveryMs: flags.reapOrphansEveryMs }),
      ...(flags.authenticator === undefined ? {} : { authenticator: flags.authenticator }),
      ...(otel === undefined ? {} : { telemetry: otel.telemetry }),
      ...(pipeline === undefined ? {} : { pipeline }),
    });
  } catch (error) {
    await otel?.shutdown();
    io.err(
      `rspp worker: cannot start on ${flags.natsUrl}: ${error instanceof Error ? error.message : String(error)}`,
    );
    return EXIT.failure;
  }
  const outcome = await Promise.race([
    stopping.then((signal) => ({ signal })),
    worker.lost.then((reason) => ({ lost: reason })),
  ]);
  if ('lost' in outcome) {
    io.err(`rspp worker: NATS connection lost: ${outcome.lost}; ${RESTART_HINT}`);
    await otel?.shutdown();
    return EXIT.failure;
  }
  io.out(JSON.stringify({ event: 'signal', signal: outcome.signal }));
  try {
    await worker.drain();
  } catch (error) {
    // Draining offline: the reconnect budget ran out before the sessions could end.
    io.err(
      `rspp worker: ${error instanceof Error ? error.message : String(error)}; ${RESTART_HINT}`,
    );
    return EXIT.failure;
  } finally {
    // Spans of the last turns leave before the process does (bounded by the export timeout).
    await otel?.shutdown();
  }
  return EXIT.ok;
}

/** The `worker` command. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run a runtime worker: take sessions from the NATS queue group (sim providers).',
  usage: USAGE,
  async run(args, io) {
    const flags = parseWorkerFlags(args);
    if ('error' in flags) {
      io.err(`rspp worker: ${flags.error}`);
      io.err(USAGE);
      return EXIT.usage;
    }
    return runWorker(flags, io);
  },
};
