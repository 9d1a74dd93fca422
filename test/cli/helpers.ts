/**
 * Shared helpers for the CLI tests: an in-memory `CliIo`, temporary directories, and small
 * realistic contract documents.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../../tools/cli/command.ts';
import { main } from '../../tools/cli/main.ts';

/** A `CliIo` that records what a command prints. */
export type CapturingIo = CliIo & { stdout: string[]; stderr: string[] };

/** Creates a capturing io whose relative paths resolve against `cwd`. */
export function createCapturingIo(cwd: string): CapturingIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    cwd,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
  };
}

/** Exit code and output of one in-process CLI run. */
export type CliRun = { code: number; stdout: string; stderr: string };

/** Runs `rspp <argv>` in-process with `cwd` as the working directory. */
export async function runCli(argv: readonly string[], cwd: string): Promise<CliRun> {
  const io = createCapturingIo(cwd);
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/** Creates a fresh temporary directory; pair with `removeTempDir` in `afterEach`/`afterAll`. */
export function makeTempDir(prefix = 'rspp-cli-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a temporary directory and everything in it. */
export function removeTempDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A valid `event_record`: a turn-scoped DataLane text event. */
export function eventRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    schema_version: 'v1.0',
    event_scope: 'turn',
    session_id: 'sess-42',
    turn_id: 'turn-3',
    authority_epoch: 1,
    pipeline_version: 'voice-agent@1.0.0',
    event_id: 'evt-000101',
    lane: 'DataLane',
    transport_sequence: 101,
    runtime_sequence: 57,
    runtime_timestamp_ms: 12_340,
    wall_clock_timestamp_ms: 1_732_454_412_340,
    payload_class: 'text_raw',
    ...overrides,
  };
  for (const [key, value] of Object.entries(doc)) if (value === undefined) delete doc[key];
  return doc;
}

/** A valid `control_signal`: a barge-in on the ControlLane. */
export function controlSignal(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return eventRecord({
    event_id: 'evt-000102',
    lane: 'ControlLane',
    payload_class: 'metadata',
    signal: 'barge_in',
    emitted_by: 'RK-06',
    ...overrides,
  });
}

/** Serialises documents as JSON Lines. */
export function jsonLines(docs: readonly unknown[]): string {
  return `${docs.map((doc) => JSON.stringify(doc)).join('\n')}\n`;
}
