/**
 * `npm start` (`rspp demo`): a person at a terminal gets the console chat with the sim agent,
 * including a barge-in; piped or with `--script`, the built-in scripted session that exits 0.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../tools/cli/main.ts';
import { createCapturingIo, runCli } from './helpers.ts';

/** A terminal whose keyboard the test types on and whose screen it reads. */
function terminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  // What a person reads: the screen without its colour codes.
  // eslint-disable-next-line no-control-regex
  return { input, output, tty: true, screen: () => screen.replace(/\u001b\[[0-9;]*m/g, '') };
}

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('rspp demo (npm start)', () => {
  it('in a terminal, is the console chat: the reply streams, typing during it barges in, Ctrl-D ends', async () => {
    const tty = terminal();
    const io = { ...createCapturingIo(process.cwd()), terminal: tty };
    const ran = main(['demo'], io);
    tty.input.write('hello there\n');
    // On a terminal the turn's marks sit on its line: ‹turn-1 proposed› ‹open› words ‹commit›.
    await until(() => /‹turn-1 proposed› ‹open›.*‹commit›/s.test(tty.screen()), 'the reply');
    // Typing while the agent speaks interrupts it.
    tty.input.write('tell me a long story\n');
    await until(() => tty.screen().includes('‹turn-2 proposed› ‹open›'), 'turn-2 open');
    tty.input.write('stop\n');
    await until(() => tty.screen().includes('‹turn-2 abort(cancelled)›'), 'the barge-in');
    await until(() => /‹turn-3 proposed› ‹open›.*‹commit›/s.test(tty.screen()), 'turn-3');
    tty.input.write('\u0004');
    tty.input.end();
    expect(await ran).toBe(0);
    // The scripted sequence did not run.
    expect(io.stdout.join('\n')).not.toContain('RSPP demo: user says');
  });

  it('with --script, or without a terminal, runs the built-in script and exits 0', async () => {
    const tty = terminal();
    const io = { ...createCapturingIo(process.cwd()), terminal: tty };
    expect(await main(['demo', '--script'], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('barge_in');
    const piped = await runCli(['demo'], process.cwd());
    expect(piped.code).toBe(0);
    expect(piped.stdout).toContain('barge_in');
  });

  it('refuses other arguments with exit 2', async () => {
    const run = await runCli(['demo', '--voice'], process.cwd());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'rspp demo: arguments: expected none or --script, received --voice',
    );
  });
});
