import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CONNECTION_SIGNALS } from '../../adapters/transport/core/index.ts';
import type { RuntimeOutput } from '../../actors/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { startConsoleSession } from '../../tools/run/console-session.ts';

const validator = createContractValidator();

/** A console session on injected streams (plain output unless `tty`), time moved by hand. */
function chat(options: { tty?: boolean; silence_ms?: number; highWaterMark?: number } = {}) {
  const input = new PassThrough();
  let screen = '';
  const output = new Writable({
    highWaterMark: options.highWaterMark ?? 16_384,
    write(chunk: Buffer, _encoding, done) {
      screen += chunk.toString('utf8');
      // A terminal that never drains when the buffer is tiny (a stalled output).
      if (options.highWaterMark === undefined) done();
    },
  });
  const outputs: RuntimeOutput[] = [];
  const session = startConsoleSession({
    input,
    output,
    tty: options.tty ?? false,
    onOutput: (o) => outputs.push(o),
    ...(options.silence_ms === undefined ? {} : { silence_ms: options.silence_ms }),
  });
  const { time } = session;
  /** Types a line and lets the stream deliver it. */
  const type = async (line: string) => {
    input.write(`${line}\n`);
    await time.settle();
    await time.settle();
  };
  const at = async (ms: number) => time.advanceTo(ms);
  const control = () =>
    outputs.flatMap((o) =>
      o.kind === 'control'
        ? [
            `${o.record.signal}${typeof o.record.reason === 'string' && o.record.reason !== o.record.signal ? `(${o.record.reason})` : ''} ${o.record.turn_id ?? '-'}`,
          ]
        : [],
    );
  const texts = (from = 0) => outputs.slice(from).filter((o) => o.kind === 'data').length;
  return { ...session, input, outputs, screen: () => screen, type, at, control, texts };
}

describe('console transport', () => {
  it('holds a conversation: each line is answered, paced as spoken, with its lifecycle', async () => {
    const c = chat();
    await c.type('hello there');
    await c.at(2000);
    // 12 words at 300 ms: the reply is still being spoken.
    expect(c.screen()).toMatch(/agent: \w+ \w+ \w+ \w+/);
    expect(c.screen()).not.toContain('[turn-1 commit]');
    await c.at(5000);
    await c.type('and then');
    await c.at(10_000);
    const lines = c.screen().trimEnd().split('\n');
    expect(lines.map((l) => (l.startsWith('agent: ') ? 'agent: …' : l))).toEqual([
      'you: hello there',
      '[turn-1 proposed]',
      '[turn-1 open]',
      'agent: …',
      '[turn-1 commit]',
      '[turn-1 close]',
      'you: and then',
      '[turn-2 proposed]',
      '[turn-2 open]',
      'agent: …',
      '[turn-2 commit]',
      '[turn-2 close]',
    ]);
    expect(lines[3]?.split(' ')).toHaveLength(13);
    await c.stop();
  });

  it('barges in when the user types during a reply: no more of it appears, abort then close', async () => {
    const c = chat();
    await c.type('tell me a long story');
    await c.at(1500);
    const shownBefore = c.screen();
    const words =
      shownBefore
        .split('\n')
        .find((l) => l.startsWith('agent: '))
        ?.split(' ').length ?? 0;
    expect(words).toBeGreaterThan(2);
    const from = c.outputs.length;
    await c.type('stop');
    await c.at(6000);
    // Not one more word of turn-1, nor one more delivered text frame of it.
    const after = c.screen().slice(shownBefore.length);
    expect(after.split('\n')[0]).toBe('');
    expect(
      c.outputs.slice(from).filter((o) => o.kind === 'data' && o.record.turn_id === 'turn-1'),
    ).toEqual([]);
    expect(after.split('\n').slice(1, 5)).toEqual([
      'you: stop',
      '[turn-1 abort(cancelled)]',
      '[turn-1 close]',
      '[turn-2 proposed]',
    ]);
    expect(c.control()).toContain('barge_in turn-1');
    expect(c.control()).toContain('commit turn-2');
    await c.stop();
  });

  it('shows the lifecycle compactly beside the text on a TTY', async () => {
    const c = chat({ tty: true });
    await c.type('hello');
    await c.at(5000);
    // eslint-disable-next-line no-control-regex -- stripping the dim escapes
    const plain = c.screen().replace(/\u001b\[\d+m/g, '');
    // readline echoes the typed line on a terminal; the turn follows on one line.
    expect(plain).toMatch(/^hello\r\n‹turn-1 proposed› ‹open›( \w+)+\.? ‹commit› ‹close›\n/);
    expect(c.screen()).toContain('\u001b[2m‹open›\u001b[22m');
    await c.stop();
  });

  it('feeds contract-valid records the runtime classifies: speech, words, connection, cancel', async () => {
    const c = chat();
    const fed: unknown[] = [];
    const feed = c.runtime.feed.bind(c.runtime);
    c.runtime.feed = (id, event) => {
      fed.push(event);
      return feed(id, event);
    };
    await c.type('hello');
    await c.at(1000);
    c.transport.cancel();
    await c.at(2000);
    const kinds = (fed as { kind: string; record: { lane: string } }[]).map((e) => e.kind);
    expect(kinds).toEqual(['speech_started', 'transcript_final', 'cancel']);
    for (const event of fed as { record: { lane: string } }[]) {
      const artifact = event.record.lane === 'ControlLane' ? 'control_signal' : 'event_record';
      expect(validator.validate(artifact, event.record)).toEqual({ valid: true });
    }
    expect(c.outputs.filter((o) => o.kind === 'rejected')).toEqual([]);
    await c.stop();
  });
});

describe('console transport connection signals (RK-23)', () => {
  it('reports connected at start, silence when quiet, ended at the end of input', async () => {
    const c = chat({ silence_ms: 1000 });
    await c.at(1500);
    c.input.end();
    await c.time.settle();
    await c.at(2000);
    expect(await c.transport.done).toBe('ended');
    expect(c.control()).toEqual(['connected -', 'silence -', 'ended -']);
    await c.stop();
  });

  it('reports disconnected when the input fails, ending a live turn', async () => {
    const c = chat();
    await c.type('hello');
    await c.at(1000);
    c.input.destroy(new Error('EIO'));
    await c.time.settle();
    expect(await c.transport.done).toBe('disconnected');
    await c.at(2000);
    expect(c.control()).toContain('disconnected(transport_disconnect_or_stall) turn-1');
    expect(c.control()).toContain('abort(transport_disconnect_or_stall) turn-1');
    await c.stop();
  });

  it('reports stall when the output stays full', async () => {
    const c = chat({ highWaterMark: 1 });
    await c.type('hello');
    await c.at(7000);
    expect(c.control().filter((l) => l.startsWith('stall'))).toHaveLength(1);
    await c.stop();
  });

  it.each(CONNECTION_SIGNALS)('reports %s as an RK-23 ControlLane signal', async (signal) => {
    const c = chat();
    c.transport.connection(signal);
    await c.at(10);
    const emitted = c.outputs.flatMap((o) =>
      o.kind === 'control' ? [`${o.record.emitted_by} ${o.record.signal}`] : [],
    );
    expect(emitted).toEqual(
      signal === 'connected'
        ? ['RK-23 connected', 'RK-23 connected']
        : ['RK-23 connected', `RK-23 ${signal}`],
    );
    await c.stop();
  });
});

describe('console transport egress fence', () => {
  it('delivers 0 text frames after a cancel (Esc)', async () => {
    const c = chat();
    await c.type('tell me a story');
    await c.at(1200);
    expect(c.texts()).toBeGreaterThan(0);
    const from = c.outputs.length;
    const shown = c.screen();
    c.transport.cancel();
    await c.at(5000);
    expect(c.texts(from)).toBe(0);
    expect(c.screen().slice(shown.length).split('\n').slice(1, 3)).toEqual([
      '[turn-1 abort(cancelled)]',
      '[turn-1 close]',
    ]);
    await c.stop();
  });

  it('delivers 0 text frames from a stale epoch and tells the user a stale line was not taken', async () => {
    const c = chat();
    await c.type('tell me a story');
    await c.at(1200);
    const from = c.outputs.length;
    expect(c.runtime.setAuthority('console', { authority_epoch: 2 })).toBe(true);
    await c.at(3000);
    expect(c.texts(from)).toBe(0);
    expect(c.control()).toContain('abort(authority_loss) turn-1');
    await c.type('are you there');
    expect(c.screen()).toContain('# not taken (stale_epoch): please repeat');
    c.stamper.setEpoch(2);
    await c.type('are you there');
    await c.at(8000);
    expect(c.control()).toContain('commit turn-2');
    await c.stop();
  });
});
