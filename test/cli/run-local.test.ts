import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import wavefile from 'wavefile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWav, tone } from '../../adapters/transport/wav/build.ts';
import { parseRunFlags } from '../../tools/cli/commands/run.ts';
import { main } from '../../tools/cli/main.ts';
import { createCapturingIo, makeTempDir, removeTempDir, runCli } from './helpers.ts';

let dir: string;
beforeAll(async () => {
  dir = await makeTempDir('rspp-run-local-');
  // Two utterances at 22.05 kHz, 16-bit stereo, with a LIST chunk before the data.
  const speech = [
    tone(0.3, 22_050, 0, 0),
    tone(0.8, 22_050, 300, 0.3),
    tone(3.5, 22_050, 0, 0),
    tone(0.6, 22_050, 300, 0.3),
    tone(0.5, 22_050, 0, 0),
  ].flat();
  const list = Uint8Array.from('INFOISFT\x04\x00\x00\x00sox\x00', (c) => c.charCodeAt(0));
  await writeFile(
    join(dir, 'in.wav'),
    buildWav({
      sample_rate_hz: 22_050,
      bits_per_sample: 16,
      channels: [speech, speech],
      extra_chunks: [{ id: 'LIST', body: list }],
    }),
  );
  await writeFile(
    join(dir, 'truncated.wav'),
    (await readFile(join(dir, 'in.wav'))).subarray(0, 200),
  );
  await writeFile(
    join(dir, 'mulaw.wav'),
    buildWav({ sample_rate_hz: 8000, bits_per_sample: 8, channels: [[0, 0.1]], format_tag: 7 }),
  );
});
afterAll(() => removeTempDir(dir));

const bin = join(process.cwd(), 'bin', 'rspp.js');

/** Runs `node bin/rspp.js run <args>` in `dir`; resolves with the exit code and output. */
async function spawnRun(args: readonly string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, 'run', ...args], {
      cwd: dir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rspp run --transport wav', () => {
  it('runs whole turns with sim providers and writes a playable WAV', async () => {
    const run = await spawnRun(['--transport', 'wav', '--input', 'in.wav', '--output', 'out.wav']);
    expect(run.stderr).toMatch(
      /wrote out\.wav \(\d+\.\d\d s, 16 kHz mono PCM16\): 2 utterances, 2 turns/,
    );
    expect(run.code).toBe(0);
    const signals = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).slice(2, 4).join(' '));
    expect(signals.filter((s) => s.startsWith('RK-03 commit'))).toHaveLength(2);
    expect(signals.at(-1)).toBe('RK-23 ended');
    const wav = new wavefile.WaveFile(await readFile(join(dir, 'out.wav')));
    expect(wav.fmt).toMatchObject({
      audioFormat: 1,
      numChannels: 1,
      sampleRate: 16_000,
      bitsPerSample: 16,
    });
    const samples = wav.getSamples(false, Int16Array) as unknown as Int16Array;
    expect(samples.length).toBeGreaterThanOrEqual(5.7 * 16_000);
    expect(samples.some((s) => s !== 0)).toBe(true);
  });

  it.each([
    [
      'a truncated file',
      'truncated.wav',
      'rspp run: --input truncated.wav: data chunk size: expected',
    ],
    [
      'an unsupported format (mu-law)',
      'mulaw.wav',
      'rspp run: --input mulaw.wav: fmt.audio_format: expected 0x0001 (PCM), 0x0003 (IEEE float) or 0xFFFE (extensible), received 0x0007',
    ],
    [
      'a missing file',
      'nope.wav',
      'rspp run: --input: expected a readable WAV file, received nope.wav (ENOENT)',
    ],
  ])(
    'exits 2 on %s with a message naming field, expected and received',
    async (_name, file, message) => {
      const run = await spawnRun(['--transport', 'wav', '--input', file, '--output', 'x.wav']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(message);
      expect(run.stdout).toBe('');
    },
  );

  it.each([
    [
      ['--transport', 'phone'],
      '--transport: expected embedded-script, wav or console, received phone',
    ],
    [
      ['--transport', 'wav', '--output', 'o.wav'],
      '--input: expected a WAV file path with --transport wav, received nothing',
    ],
    [
      ['--transport', 'wav', '--input', 'i.wav'],
      '--output: expected a WAV file path with --transport wav, received nothing',
    ],
    [
      ['--input', 'i.wav'],
      '--input: expected only with --transport wav, received --transport embedded-script',
    ],
    [
      ['--transport', 'console', '--realtime'],
      '--realtime: expected only with --transport wav, received --transport console',
    ],
    [
      ['--transport', 'console', '--json'],
      '--json: expected only with --transport embedded-script or wav, received --transport console',
    ],
    [
      ['--transport', 'wav', '--input', 'i.wav', '--output', 'o.wav', '--bus', 'nats'],
      '--bus: expected embedded with --transport wav, received nats',
    ],
  ])('rejects %j with exit 2 naming field, expected and received', async (args, message) => {
    const run = await runCli(['run', ...args], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(parseRunFlags(args)).toEqual({ error: message });
  });
});

describe('rspp run --transport console', () => {
  it('holds a conversation with a barge-in on piped input and ends after the last answer', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const io = { ...createCapturingIo(dir), terminal: { input, output, tty: false } };
    // Both lines arrive together: the second barges in on the first reply.
    input.end('hello there\nactually stop\n');
    expect(await main(['run', '--transport', 'console'], io)).toBe(0);
    const lines = screen.trimEnd().split('\n');
    expect(lines.filter((l) => !l.startsWith('agent: '))).toEqual([
      'you: hello there',
      '[turn-1 proposed]',
      '[turn-1 open]',
      'you: actually stop',
      '[turn-1 abort(cancelled)]',
      '[turn-1 close]',
      '[turn-2 proposed]',
      '[turn-2 open]',
      '[turn-2 commit]',
      '[turn-2 close]',
    ]);
    expect(lines.filter((l) => l.startsWith('agent: '))).toHaveLength(1);
  });

  it('needs a terminal', async () => {
    const run = await runCli(['run', '--transport', 'console'], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--transport: expected a terminal for console, received none');
  });
});
