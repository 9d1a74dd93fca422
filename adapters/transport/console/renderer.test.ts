import { describe, expect, it } from 'vitest';
import { createConsoleRenderer, type Schedule } from './renderer.ts';

/** A hand-moved scheduler: `advance(ms)` runs what is due. */
function manualSchedule() {
  let now = 0;
  let timers: { at: number; run: () => void }[] = [];
  const schedule: Schedule = (run, ms) => {
    const timer = { at: now + ms, run };
    timers.push(timer);
    return () => {
      timers = timers.filter((t) => t !== timer);
    };
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.run();
    }
    now = end;
  };
  return { schedule, advance };
}

function renderer(tty: boolean) {
  let screen = '';
  const clock = manualSchedule();
  const r = createConsoleRenderer({
    write: (text) => (screen += text),
    tty,
    schedule: clock.schedule,
    word_ms: 100,
  });
  return { r, advance: clock.advance, screen: () => screen };
}

describe('createConsoleRenderer', () => {
  it('speaks one word per word_ms and holds commit and close behind the words', () => {
    const { r, advance, screen } = renderer(false);
    r.lifecycle('turn-1', 'turn_open', undefined);
    r.text('turn-1', 'one two three');
    r.lifecycle('turn-1', 'commit');
    r.lifecycle('turn-1', 'close');
    expect(screen()).toBe('[turn-1 open]\nagent: one');
    advance(100);
    expect(screen()).toBe('[turn-1 open]\nagent: one two');
    expect(r.speaking).toBe(true);
    advance(200);
    expect(screen()).toBe('[turn-1 open]\nagent: one two three\n[turn-1 commit]\n[turn-1 close]\n');
    expect(r.speaking).toBe(false);
  });

  it('drops unspoken words on an interrupt or an abort', () => {
    const { r, advance, screen } = renderer(false);
    r.text('turn-1', 'one two three four');
    advance(100);
    expect(r.interrupt()).toBe(2);
    r.lifecycle('turn-1', 'abort', 'cancelled');
    advance(1000);
    expect(screen()).toBe('agent: one two\n[turn-1 abort(cancelled)]\n');
    r.text('turn-2', 'again and');
    r.lifecycle('turn-2', 'abort', 'cancelled');
    advance(1000);
    expect(screen().endsWith('agent: again\n[turn-2 abort(cancelled)]\n')).toBe(true);
  });

  it('writes a TTY turn on one line with dimmed marks, ignoring signals it does not show', () => {
    const { r, advance, screen } = renderer(true);
    r.lifecycle('turn-1', 'turn_open_proposed');
    r.lifecycle('turn-1', 'output_accepted');
    r.lifecycle('turn-1', 'turn_open');
    r.text('turn-1', 'Hi there.');
    r.lifecycle('turn-1', 'commit');
    r.lifecycle('turn-1', 'close');
    advance(500);
    // eslint-disable-next-line no-control-regex -- stripping the dim escapes
    expect(screen().replace(/\u001b\[\d+m/g, '')).toBe(
      '‹turn-1 proposed› ‹open› Hi there. ‹commit› ‹close›\n',
    );
  });

  it('marks the user and notices in plain mode', () => {
    const { r, screen } = renderer(false);
    r.user('hello');
    r.notice('not taken (saturated): please repeat');
    expect(screen()).toBe('you: hello\n# not taken (saturated): please repeat\n');
  });
});
