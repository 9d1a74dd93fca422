/**
 * `rspp demo` (what `npm start` runs): the built-in script on the embedded bus with readable
 * output: two user turns, a barge-in during the second reply, and the turn that follows. It runs
 * under simulated time, needs no input and finishes by itself.
 */
import { EXIT, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { SIGNAL_HEADER } from '../../run/format.ts';
import { runWithFlags } from './run.ts';

/** The `demo` command. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Run the embedded demo: a scripted voice session with a barge-in (sim providers).',
  usage: `rspp demo

Runs the built-in script (same as \`rspp run\`) on the embedded bus and prints the ControlLane
sequence, one line per signal: time, emitted_by, signal, reason, turn.

Exit codes: 0 done; 1 the run failed.`,
  async run(args, io) {
    if (args.length > 0) {
      io.err(printable(`rspp demo: arguments: expected none, received ${args.join(' ')}`));
      return EXIT.usage;
    }
    io.out('RSPP demo: user says "hello there", then "tell me a long story", then interrupts.');
    io.out(SIGNAL_HEADER);
    return runWithFlags(
      {
        transport: 'embedded-script',
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
