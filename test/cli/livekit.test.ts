// `rspp livekit`: the dry-run mapping report, the probe's exit codes against a loopback
// RoomService fake, and settings that fail closed (exit 2) naming the variable, never a secret.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLiveKit } from '../../tools/cli/commands/livekit.ts';
import { startRoomServiceFake, type RoomServiceFake } from '../harness/livekit-room-service.ts';
import { createCapturingIo, makeTempDir, removeTempDir, runCli } from './helpers.ts';

const KEY = 'APIclikey';
const SECRET = 'cli-secret-0123456789-0123456789';
let dir: string;
let fake: RoomServiceFake;
beforeAll(async () => {
  dir = await makeTempDir('rspp-livekit-');
  fake = await startRoomServiceFake({
    api_key: KEY,
    api_secret: SECRET,
    rooms: ['rspp-default-room'],
  });
});
afterAll(async () => {
  await fake.close();
  await removeTempDir(dir);
});

async function livekit(args: readonly string[], env: Record<string, string> = {}) {
  const io = createCapturingIo(dir);
  const code = await runLiveKit(args, io, env);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

type Report = {
  mode: string;
  config: Record<string, unknown>;
  ingress_records: {
    event_id: string;
    kind: string;
    lane: string;
    payload_class: string;
    pts_ms?: number;
    signal?: string;
    accepted: boolean;
  }[];
  control_signals: {
    signal: string;
    emitted_by: string;
    reason?: string;
    mapping_reason?: string;
  }[];
  lifecycle_events: { event: string }[];
  output_decisions: {
    event_id: string;
    accepted: boolean;
    signal: string;
    reason: string;
    emitted_by: string;
  }[];
  fence: { captured_after_fence: number; fenced_outputs: number };
  probe: { status: string; http_status: number | null; room_count: number | null };
};

describe('rspp livekit --dry-run', () => {
  it('writes the mapping report of the default scenario without a server', async () => {
    const run = await livekit(['--dry-run']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.mode).toBe('dry_run');
    expect(report.config).toMatchObject({
      url: null,
      room: 'rspp-default-room',
      session_id: 'sess-livekit-runtime',
      api_key_set: false,
      api_secret_set: false,
    });
    const kinds = report.ingress_records.map((r) => r.event_id.replace(/^evt-livekit-\d{3}-/, ''));
    expect(kinds[0]).toBe('connected');
    expect(kinds).toEqual(
      expect.arrayContaining(['speech_started', 'ingress_audio', 'ingress_data', 'cancel']),
    );
    expect(kinds.at(-1)).toBe('ended');
    const audio = report.ingress_records.filter((r) => r.kind === 'audio_frame');
    expect(
      audio.every(
        (r) =>
          r.lane === 'DataLane' && r.payload_class === 'audio_raw' && typeof r.pts_ms === 'number',
      ),
    ).toBe(true);
    expect(report.ingress_records.every((r) => r.accepted)).toBe(true);
    const signals = report.control_signals.map((s) => s.signal);
    expect(signals).toEqual(
      expect.arrayContaining([
        'connected',
        'turn_open_proposed',
        'turn_open',
        'output_accepted',
        'cancel',
        'playback_cancelled',
        'abort',
        'close',
        'ended',
      ]),
    );
    expect(
      report.control_signals.filter((s) => s.emitted_by === 'RK-23').map((s) => s.mapping_reason),
    ).toEqual(['livekit_connected', 'livekit_ended']);
    expect(report.control_signals.find((s) => s.signal === 'playback_cancelled')?.reason).toBe(
      'cancel_fence_applied',
    );
    // The reply's output was accepted, then the late output after the cancel was fenced.
    expect(report.output_decisions[0]).toMatchObject({
      accepted: true,
      signal: 'output_accepted',
      reason: 'output_accepted',
      emitted_by: 'RK-22',
    });
    expect(report.output_decisions.at(-1)).toMatchObject({
      accepted: false,
      signal: 'playback_cancelled',
      reason: 'cancel_fence_applied',
      emitted_by: 'RK-22',
    });
    expect(report.fence).toMatchObject({ captured_after_fence: 0, fenced_outputs: 1 });
    expect(report.lifecycle_events.map((e) => e.event)).toEqual(
      expect.arrayContaining(['room_connected', 'track_subscribed', 'participant_disconnected']),
    );
    expect(report.probe).toEqual({ status: 'skipped', http_status: null, room_count: null });
  });

  it('is the default mode, writes --report FILE, and never puts a secret in the report', async () => {
    const run = await livekit(['--report', 'report.json', '--room', 'lobby'], {
      RSPP_LIVEKIT_API_SECRET: SECRET,
      RSPP_LIVEKIT_API_KEY: KEY,
    });
    expect(run.code).toBe(0);
    const text = await readFile(join(dir, 'report.json'), 'utf8');
    const report = JSON.parse(text) as Report;
    expect(report.config).toMatchObject({ room: 'lobby', api_key_set: true, api_secret_set: true });
    expect(text).not.toContain(SECRET);
  });

  it('runs as `node bin/rspp.js livekit --dry-run`', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(process.cwd(), 'bin', 'rspp.js'), 'livekit', '--dry-run'],
      { cwd: dir },
    );
    expect((JSON.parse(stdout) as Report).fence.captured_after_fence).toBe(0);
  });
});

describe('rspp livekit --probe', () => {
  const server = (secret = SECRET) => ({
    RSPP_LIVEKIT_URL: fake.url,
    RSPP_LIVEKIT_API_KEY: KEY,
    RSPP_LIVEKIT_API_SECRET: secret,
  });

  it('exits 0 when RoomService answers, with the probe in the report', async () => {
    const run = await livekit(['--probe', '--join'], server());
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.mode).toBe('probe');
    expect(report.probe).toEqual({ status: 'passed', http_status: 200, room_count: 1 });
    expect(run.stderr).toContain('probe passed');
  });

  it('exits 1 and still writes the report when the server refuses', async () => {
    const run = await livekit(['--probe'], server('wrong-secret-0123456789-01234567'));
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.mode).toBe('dry_run');
    expect(report.probe).toMatchObject({ status: 'failed', http_status: 401 });
    expect(run.stderr).toContain('probe failed: HTTP 401');
    expect(run.stderr + run.stdout).not.toContain('wrong-secret');
  });

  it('exits 1 when nothing answers', async () => {
    const run = await livekit(['--probe', '--join'], {
      ...server(),
      RSPP_LIVEKIT_URL: 'http://127.0.0.1:1',
    });
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Report).probe).toMatchObject({
      status: 'failed',
      http_status: null,
    });
  });

  it('also reads RSPP_LIVEKIT_PROBE', async () => {
    const run = await livekit([], {
      ...server(),
      RSPP_LIVEKIT_PROBE: 'true',
      RSPP_LIVEKIT_DRY_RUN: 'false',
    });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as Report).probe.status).toBe('passed');
  });
});

describe('rspp livekit settings', () => {
  it.each([
    [
      ['--probe'],
      {},
      'RSPP_LIVEKIT_URL must be a server URL when probing or joining a room, received nothing',
    ],
    [
      ['--join'],
      { RSPP_LIVEKIT_URL: 'wss://x.livekit.cloud' },
      'RSPP_LIVEKIT_API_KEY must be set when probing or joining a room, received nothing',
    ],
    [
      [],
      { RSPP_LIVEKIT_DEFAULT_DATA_CLASS: 'bogus' },
      'RSPP_LIVEKIT_DEFAULT_DATA_CLASS must be one of audio_raw, text_raw, derived_summary, received "bogus"',
    ],
    [['--authority-epoch', 'one'], {}, '--authority-epoch must be an integer from 0 to'],
    [['--dry-run', '--join'], {}, '--dry-run and --join exclude each other'],
    [['--api-secret', 'x'], {}, 'unknown flag --api-secret'],
  ] as const)('refuses %j %j with exit 2', async (args, env, text) => {
    const run = await livekit(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(text);
    expect(run.stdout).toBe('');
  });

  it('does not print a malformed secret', async () => {
    const run = await livekit(['--probe'], {
      RSPP_LIVEKIT_URL: fake.url,
      RSPP_LIVEKIT_API_KEY: KEY,
      RSPP_LIVEKIT_API_SECRET: 'my secret\tvalue',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('RSPP_LIVEKIT_API_SECRET must be');
    expect(run.stderr).not.toContain('my secret');
  });

  it('is listed by rspp help', async () => {
    expect((await runCli(['help'], dir)).stdout).toContain('livekit');
    expect((await runCli(['help', 'livekit'], dir)).stdout).toContain('--dry-run');
  });
});
