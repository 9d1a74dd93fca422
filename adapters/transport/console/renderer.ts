/**
 * The egress side of the console transport: the agent's reply written word by word at speaking
 * pace (`word_ms` a word), with the turn's lifecycle beside the text. A TTY gets one compact line
 * per turn (`‹turn-1 proposed› ‹open› Hello there. ‹commit› ‹close›`, marks dimmed); anything
 * else gets plain lines (`[turn-1 open]`, `agent: Hello there.`). Words not yet spoken when the
 * user interrupts are dropped, so nothing more of that reply appears.
 */

/** Runs `run` after `ms`; returns the cancel. */
export type Schedule = (run: () => void, ms: number) => () => void;

/** Options of {@link createConsoleRenderer}. */
export type ConsoleRendererOptions = {
  readonly write: (text: string) => void;
  readonly tty: boolean;
  readonly schedule: Schedule;
  /** Speaking time of one word (default 300 ms: about 200 words a minute). */
  readonly word_ms?: number;
};

/** Lifecycle signals shown beside the text. */
export const SHOWN_SIGNALS = ['turn_open_proposed', 'turn_open', 'commit', 'abort', 'close'];

type Item =
  | { readonly type: 'word'; readonly turn_id: string; readonly text: string }
  | { readonly type: 'mark'; readonly turn_id: string; readonly label: string };

/** Writes a session's replies and lifecycle. */
export type ConsoleRenderer = {
  /** A lifecycle signal of a turn (commit and close wait behind the turn's unspoken words). */
  lifecycle(turn_id: string, signal: string, reason?: string): void;
  /** Reply text as delivered; spoken word by word. */
  text(turn_id: string, text: string): void;
  /** The user's line (echoed in plain mode; a TTY echoed it already). */
  user(text: string): void;
  /** A line about the session itself (never user content). */
  notice(text: string): void;
  /** The user started speaking: unspoken words are dropped; returns how many. */
  interrupt(): number;
  /** Whether words are waiting to be spoken. */
  readonly speaking: boolean;
  /** Drops the queue and any pending timer. */
  close(): void;
};

const DIM = '\u001b[2m';
const UNDIM = '\u001b[22m';

/** Creates a renderer. */
export function createConsoleRenderer(options: ConsoleRendererOptions): ConsoleRenderer {
  const { write, tty, schedule } = options;
  const wordMs = options.word_ms ?? 300;
  const queue: Item[] = [];
  let cancelTimer: (() => void) | null = null;
  let lineOpen = false;
  let turnOnLine: string | null = null;
  // On a TTY line, the first word after a mark needs its own space.
  let afterMark = false;

  const endLine = () => {
    if (lineOpen) write('\n');
    lineOpen = false;
    turnOnLine = null;
  };
  const showMark = (item: Extract<Item, { type: 'mark' }>) => {
    if (!tty) {
      endLine();
      write(`[${item.turn_id} ${item.label}]\n`);
      return;
    }
    if (turnOnLine !== item.turn_id) {
      endLine();
      write(`${DIM}‹${item.turn_id} ${item.label}›${UNDIM}`);
    } else write(` ${DIM}‹${item.label}›${UNDIM}`);
    lineOpen = true;
    turnOnLine = item.turn_id;
    afterMark = true;
    if (item.label === 'close') endLine();
  };
  const showWord = (item: Extract<Item, { type: 'word' }>) => {
    if (turnOnLine !== item.turn_id || (!tty && !lineOpen)) {
      if (tty && turnOnLine !== item.turn_id) endLine();
      write(tty ? item.text.trimStart() : `agent: ${item.text.trimStart()}`);
    } else write(afterMark ? ` ${item.text.trimStart()}` : item.text);
    afterMark = false;
    lineOpen = true;
    turnOnLine = item.turn_id;
  };
  const pump = () => {
    while (cancelTimer === null && queue.length > 0) {
      const item = queue.shift();
      if (item === undefined) break;
      if (item.type === 'mark') {
        showMark(item);
        continue;
      }
      showWord(item);
      // The word takes its speaking time before anything after it appears.
      cancelTimer = schedule(() => {
        cancelTimer = null;
        pump();
      }, wordMs);
    }
  };
  const dropWords = () => {
    const kept = queue.filter((item) => item.type === 'mark');
    const dropped = queue.length - kept.length;
    queue.splice(0, queue.length, ...kept);
    return dropped;
  };
  return {
    lifecycle(turn_id, signal, reason) {
      if (!SHOWN_SIGNALS.includes(signal)) return;
      const label =
        signal === 'turn_open_proposed'
          ? 'proposed'
          : signal === 'turn_open'
            ? 'open'
            : signal === 'abort'
              ? `abort(${reason ?? '-'})`
              : signal;
      // An abort is heard at once: what was not spoken yet never will be.
      if (signal === 'abort') dropWords();
      queue.push({ type: 'mark', turn_id, label });
      pump();
    },
    text(turn_id, text) {
      for (const word of text.match(/\s*\S+/g) ?? [])
        queue.push({ type: 'word', turn_id, text: word });
      pump();
    },
    user(text) {
      endLine();
      if (!tty) write(`you: ${text}\n`);
    },
    notice(text) {
      endLine();
      write(tty ? `${DIM}${text}${UNDIM}\n` : `# ${text}\n`);
    },
    interrupt() {
      const dropped = dropWords();
      if (dropped > 0 && tty) write(` ${DIM}—${UNDIM}`);
      return dropped;
    },
    get speaking() {
      return queue.some((item) => item.type === 'word') || cancelTimer !== null;
    },
    close() {
      cancelTimer?.();
      cancelTimer = null;
      queue.length = 0;
      endLine();
    },
  };
}
