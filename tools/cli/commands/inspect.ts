/**
 * `rspp inspect`: a local page (127.0.0.1, offline) showing RSPP's statecharts with the current
 * state of every actor highlighted, the live actor tree and the ControlLane timeline, fed by a
 * scripted session in this process, or stepping through a recorded evidence file (ADR 0046).
 */
import { resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { EvidenceFileError, loadEvidenceFile } from '../../inspect/evidence.ts';
import { createInspectorHub } from '../../inspect/hub.ts';
import { runInspectedScript } from '../../inspect/script-session.ts';
import { startInspectorServer, type InspectorServer } from '../../inspect/server.ts';
import { createWallPacer, FAST } from '../../run/wall-pacer.ts';

const OPTIONS = {
  script: { type: 'boolean' },
  evidence: { type: 'string' },
  port: { type: 'string' },
  speed: { type: 'string' },
  seed: { type: 'string' },
  once: { type: 'boolean' },
} as const;

const USAGE = `rspp inspect --script [--speed X] [--seed N] [--port N] [--once]
rspp inspect --evidence FILE [--port N] [--once]

Serves a page on http://127.0.0.1:PORT/ (no internet needed) with the session, turn, node and
invocation statecharts, the current state of each actor highlighted, the live actor tree and
the ControlLane timeline. User content never reaches the page.

  --script          run the built-in scripted session (sim providers, simulated time) in this
                    process with the inspector attached; the session stays open at its end
  --speed X         simulated seconds per wall second for --script (default 0.5; 0: no pacing)
  --evidence FILE   step through a recorded evidence file (rspp run --evidence) with the
                    back/forward buttons or the arrow keys; turn states are derived from the
                    ControlLane signals
  --port N          port on 127.0.0.1 (default 0: any free port; the URL is printed)
  --once            stop after the script ended (--script) or once the file is loaded
                    (--evidence) instead of serving until Ctrl-C

Exit codes: 0 served and stopped; 1 the evidence file cannot be read or holds no steps, or the
port is taken; 2 usage error.`;

/** The `inspect` command. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'Serve a local page with live statecharts, the actor tree and the ControlLane timeline.',
  usage: USAGE,
  run: (args, io) => runInspect(args, io),
};

/** Resolves once the operator asks to stop (the default listens for SIGINT and SIGTERM). */
type StopSignal = () => Promise<void>;

const processStop: StopSignal = () =>
  new Promise((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

function number(
  value: string | undefined,
  flag: string,
  fallback: number,
  integer: boolean,
): number | string {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    return `--${flag}: expected a ${integer ? 'non-negative integer' : 'non-negative number'}, received "${value}"`;
  return n;
}

async function runInspect(
  args: readonly string[],
  io: CliIo,
  stopSignal: StopSignal = processStop,
): Promise<number> {
  const parsed = parseFlags(args, OPTIONS);
  if (!parsed.ok) return usage(io, parsed.message);
  const v = parsed.values;
  if (parsed.positionals.length > 0)
    return usage(io, `unexpected argument ${parsed.positionals[0]}`);
  if ((v.script === true) === (v.evidence !== undefined))
    return usage(io, 'give exactly one of --script or --evidence FILE');
  const port = number(v.port, 'port', 0, true);
  const speed = number(v.speed, 'speed', 0.5, false);
  const seed = number(v.seed, 'seed', 1, true);
  for (const value of [port, speed, seed]) if (typeof value === 'string') return usage(io, value);
  if (typeof port !== 'number' || port > 65_535)
    return usage(io, `--port: expected 0..65535, received "${v.port}"`);
  const until = v.once === true ? null : stopSignal;
  if (v.script === true) return serveScript(io, port, speed as number, seed as number, until);
  if (v.speed !== undefined || v.seed !== undefined)
    return usage(io, '--speed and --seed go with --script');
  return serveEvidence(io, resolve(io.cwd, v.evidence!), port, until);
}

async function listen(
  io: CliIo,
  start: () => Promise<InspectorServer>,
): Promise<InspectorServer | null> {
  try {
    const server = await start();
    io.out(`inspector: ${server.url}`);
    return server;
  } catch (error) {
    io.err(`rspp inspect: cannot listen: ${printable((error as Error).message)}`);
    return null;
  }
}

async function serveScript(
  io: CliIo,
  port: number,
  speed: number,
  seed: number,
  until: StopSignal | null,
): Promise<number> {
  const hub = createInspectorHub();
  const server = await listen(io, () =>
    startInspectorServer({ hub, port, label: `scripted session, seed ${seed}` }),
  );
  if (server === null) {
    hub.close();
    return EXIT.failure;
  }
  const wall = createWallPacer();
  const run = runInspectedScript({
    hub,
    seed,
    pace: speed === 0 ? FAST : (target_ms) => wall(target_ms / speed),
  });
  // Without --once the session stays open at the script's end, until the operator stops.
  if (until === null) {
    await run.done;
    io.out('script ended');
  } else await until();
  await run.stop();
  hub.flush();
  hub.close();
  await server.close();
  return EXIT.ok;
}

async function serveEvidence(
  io: CliIo,
  file: string,
  port: number,
  until: StopSignal | null,
): Promise<number> {
  let loaded;
  try {
    loaded = await loadEvidenceFile(file);
  } catch (error) {
    if (!(error instanceof EvidenceFileError)) throw error;
    io.err(`rspp inspect: ${printable(error.message)}`);
    return EXIT.failure;
  }
  const server = await listen(io, () =>
    startInspectorServer({ evidence: { ...loaded, file }, port }),
  );
  if (server === null) return EXIT.failure;
  io.out(
    `${loaded.steps.length} steps` +
      (loaded.skipped_lines > 0 ? ` (${loaded.skipped_lines} unreadable lines skipped)` : ''),
  );
  if (until !== null) await until();
  await server.close();
  return EXIT.ok;
}

function usage(io: CliIo, message: string): number {
  io.err(`rspp inspect: ${printable(message)}`);
  io.err(USAGE);
  return EXIT.usage;
}
