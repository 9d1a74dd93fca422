/**
 * `rspp run --transport console`: a text chat with the sim agent in this terminal, in real time.
 * Type a line to speak; typing during a reply barges in; Ctrl-D ends the session. The
 * ControlLane sequence is not printed: the lifecycle shows beside the text instead.
 */
import { resolve } from 'node:path';
import type { CompiledPipeline } from '../../../actors/pipeline/compile.ts';
import { openJsonlEvidenceSink } from '../../../adapters/evidence/jsonl/index.ts';
import type { EvidenceSinkPort } from '../../../contracts/index.ts';
import { runConsoleSession } from '../../run/console-session.ts';
import { createWallPacer } from '../../run/wall-pacer.ts';
import { EXIT, type CliIo } from '../command.ts';
import { printable } from '../printable.ts';
import type { RunFlags } from './run.ts';

/** Runs `--transport console` with validated flags (and the `--pipeline` file, loaded). */
export async function runConsoleTransport(
  flags: RunFlags,
  io: CliIo,
  pipeline?: CompiledPipeline,
): Promise<number> {
  const terminal = io.terminal;
  if (terminal === undefined) {
    io.err('rspp run: --transport: expected a terminal for console, received none');
    return EXIT.usage;
  }
  let sink: EvidenceSinkPort | undefined;
  try {
    if (flags.evidence !== null)
      sink = await openJsonlEvidenceSink({ path: resolve(io.cwd, flags.evidence) });
    if (terminal.tty)
      io.err(
        'rspp run: console chat with the sim agent; type to speak or to interrupt, Ctrl-D ends',
      );
    const end = await runConsoleSession(
      {
        input: terminal.input,
        output: terminal.output,
        tty: terminal.tty,
        seed: flags.seed,
        ...(sink === undefined ? {} : { sink }),
        ...(pipeline === undefined ? {} : { pipeline }),
      },
      createWallPacer(),
    );
    return end === 'ended' ? EXIT.ok : EXIT.failure;
  } catch (error) {
    io.err(printable(`rspp run: ${error instanceof Error ? error.message : String(error)}`));
    return EXIT.failure;
  } finally {
    await sink?.close();
  }
}
