/**
 * The console transport: a text chat in the terminal. Each line the user types is one utterance
 * (`speech_started`, then `transcript_final` with the line); on a TTY the first key of a line
 * already counts as speech, so typing during a reply barges in before Enter, and Esc cancels the
 * reply without a word (`cancel`). The reply is shown by the renderer. RK-23: `connected` at start, `silence` after `silence_ms` without input or
 * reply, `stall` when the output has not drained for `stall_ms`, `disconnected` when the input
 * fails, `ended` when it ends: at once on a TTY (Ctrl-D), else once the agent has answered what
 * was piped in (at most `drain_ms` later); `connection()` reports any other (ADR 0040).
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ConnectionSignalName, IngressStamper, LocalTransportEvent } from '../core/index.ts';
import { createConsoleRenderer, type ConsoleRenderer, type Schedule } from './renderer.ts';

/** What the runtime answered to one fed event (its `FeedResult`, narrowed). */
export type ConsoleFeedResult =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly rejection: { readonly code: string } };

/** Options of {@link createConsoleTransport}. */
export type ConsoleTransportOptions = {
  readonly input: Readable;
  readonly output: Writable;
  /** A terminal: compact lifecycle, key-press barge-in (default: plain lines). */
  readonly tty: boolean;
  readonly stamper: IngressStamper;
  /** The session's current time. */
  readonly now: () => number;
  readonly schedule: Schedule;
  readonly feed: (event: LocalTransportEvent) => ConsoleFeedResult;
  readonly word_ms?: number;
  /** Quiet time after which `silence` is reported once (default 30 000 ms). */
  readonly silence_ms?: number;
  /** How long a full output may stay undrained before `stall` (default 5000 ms). */
  readonly stall_ms?: number;
  /** Longest wait for the agent after piped input ended (default 30 000 ms). */
  readonly drain_ms?: number;
};

/** What the console shows of one runtime output. */
export type ConsoleOutput =
  | {
      readonly kind: 'lifecycle';
      readonly turn_id: string;
      readonly signal: string;
      readonly reason?: string;
    }
  | { readonly kind: 'text'; readonly turn_id: string; readonly text: string };

/** A running console session. */
export type ConsoleTransport = {
  /** Shows one output of the session. */
  receive(output: ConsoleOutput): void;
  /** Reports an RK-23 signal. */
  connection(signal: ConnectionSignalName): void;
  /** Cancels the live reply (Esc on a TTY): unspoken words are dropped, a `cancel` is fed. */
  cancel(): void;
  /** Settles with the input's end: `ended` (end of input) or `disconnected` (input error). */
  readonly done: Promise<'ended' | 'disconnected'>;
  readonly renderer: ConsoleRenderer;
  /** Stops reading and drops what was not shown. */
  close(): void;
};

/** Starts a console session on `input` / `output` and reports `connected`. */
export function createConsoleTransport(options: ConsoleTransportOptions): ConsoleTransport {
  const { stamper, now, schedule, output } = options;
  let stallTimer: (() => void) | null = null;
  const write = (text: string) => {
    if (output.write(text) || stallTimer !== null) return;
    stallTimer = schedule(() => {
      stallTimer = null;
      report('stall');
    }, options.stall_ms ?? 5000);
  };
  output.on('drain', () => {
    stallTimer?.();
    stallTimer = null;
  });
  const renderer = createConsoleRenderer({
    write,
    tty: options.tty,
    schedule,
    ...(options.word_ms === undefined ? {} : { word_ms: options.word_ms }),
  });
  const feed = (event: LocalTransportEvent) => {
    const result = options.feed(event);
    // Nothing is lost silently: the user learns the line was not taken (codes only).
    if (!result.accepted) renderer.notice(`not taken (${result.rejection.code}): please repeat`);
    return result.accepted;
  };
  const report = (signal: ConnectionSignalName) => feed(stamper.connection(now(), signal));
  let cancelSilence: (() => void) | null = null;
  const armSilence = () => {
    cancelSilence?.();
    cancelSilence = schedule(() => {
      cancelSilence = null;
      report('silence');
    }, options.silence_ms ?? 30_000);
  };
  let speaking = false;
  const speechStarted = () => {
    if (speaking) return;
    speaking = true;
    renderer.interrupt();
    feed(stamper.speechStarted(now()));
  };
  const lines = createInterface({
    input: options.input,
    ...(options.tty ? { output, terminal: true } : { terminal: false }),
  });
  const cancel = () => {
    renderer.interrupt();
    feed(stamper.cancel(now()));
  };
  if (options.tty)
    options.input.on('keypress', (_text: string, key?: { name?: string }) => {
      if (key?.name === 'escape') cancel();
      else if (key?.name !== 'return' && key?.name !== 'enter') speechStarted();
    });
  lines.on('line', (line) => {
    armSilence();
    const text = line.trim();
    if (text === '') {
      speaking = false;
      return;
    }
    speechStarted();
    speaking = false;
    renderer.user(text);
    feed(stamper.transcript(now(), text));
  });
  let settle: (how: 'ended' | 'disconnected') => void = () => undefined;
  const done = new Promise<'ended' | 'disconnected'>((resolve) => {
    let settled = false;
    settle = (how) => {
      if (settled) return;
      settled = true;
      cancelSilence?.();
      report(how);
      resolve(how);
    };
  });
  // Turns proposed and not yet closed, as the lifecycle shows them.
  const live = new Set<string>();
  const endWhenAnswered = (waited_ms: number) => {
    if (options.tty || waited_ms >= (options.drain_ms ?? 30_000)) return settle('ended');
    if (live.size === 0 && !renderer.speaking && waited_ms > 0) return settle('ended');
    schedule(() => endWhenAnswered(waited_ms + 100), 100);
  };
  // readline re-emits an input error on the interface; either one is a lost terminal.
  options.input.on('error', () => settle('disconnected'));
  lines.on('error', () => settle('disconnected'));
  lines.on('close', () => endWhenAnswered(0));
  report('connected');
  armSilence();
  return {
    receive(out) {
      armSilence();
      if (out.kind === 'text') return renderer.text(out.turn_id, out.text);
      if (out.signal === 'turn_open_proposed') live.add(out.turn_id);
      if (out.signal === 'close') live.delete(out.turn_id);
      renderer.lifecycle(out.turn_id, out.signal, out.reason);
    },
    connection: report,
    cancel,
    done,
    renderer,
    close() {
      cancelSilence?.();
      stallTimer?.();
      settle('ended');
      lines.close();
      renderer.close();
    },
  };
}
