/**
 * `rspp demo` (what `npm start` runs). In a terminal: the console chat with the sim agent (type
 * to speak, type during a reply to barge in, Ctrl-D ends). Otherwise, or with `--script`: the
 * built-in script on the embedded bus with readable output: two user turns, a barge-in during
 * the second reply, and the turn that follows, under simulated time, finishing by itself.
 */
import { EXIT, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { SIGNAL_HEADER } from '../../run/format.ts';
import { runWithFlags } from './run.ts';

/** The `demo` command. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the embedded demo: a scripted voice session with a barge-in (sim providers).',
  usage: `rspp demo [--script]

In a terminal: a text chat with the sim agent (same as \`rspp run --transport console\`): type a
line to speak, type during a reply to interrupt it, Ctrl-D to end.
Otherwise (input not a terminal), or with --script: runs the built-in script (same as
\`rspp run\`) on the embedded bus and prints the ControlLane sequence, one line per signal:
time, emitted_by, signal, reason, turn.

Exit codes: 0 done; 1 the run failed; 2 usage error.`,
  async run(args, io) {
    const script = args.length === 1 && args[0] === '--script';
    if (args.length > 0 && !script) {
      io.err(
        printable(`rspp demo: arguments: expected none or --script, received ${args.join(' ')}`),
      );
      return EXIT.usage;
    }
    const chat = !script && io.terminal?.tty === true;
    if (!chat) {
      io.out('RSPP demo: user says "hello there", then "tell me a long story", then interrupts.');
      io.out(SIGNAL_HEADER);
    }
    return runWithFlags(
      {
        transport: chat ? 'console' : 'embedded-script',
        input: null,
        output: null,
        realtime: false,
        bus: 'embedded',
        natsUrl: '',
        json: false,
        evidence: null,
        seed: 1,
        pipeline: null,
      },
      io,
      'demo',
    );
  },
};
