/**
 * `rspp run --transport wav`: reads the input WAV (a missing, malformed or unsupported file is a
 * usage error naming the field, expected and received), runs it through a sim session, prints
 * the ControlLane sequence as it happens and writes the agent's audio to the output WAV.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CompiledPipeline } from '../../../actors/pipeline/compile.ts';
import { openJsonlEvidenceSink } from '../../../adapters/evidence/jsonl/index.ts';
import {
  decodeWav,
  WavFormatError,
  type DecodedWav,
} from '../../../adapters/transport/wav/index.ts';
import type { EvidenceSinkPort } from '../../../contracts/index.ts';
import { formatSignal } from '../../run/format.ts';
import { createWallPacer, FAST } from '../../run/wall-pacer.ts';
import { runWavSession } from '../../run/wav-session.ts';
import { EXIT, type CliIo } from '../command.ts';
import { printable } from '../printable.ts';
import { writeFileAtomic } from '../write-atomic.ts';
import type { RunFlags } from './run.ts';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reads and decodes `--input`, or returns the usage error to print. */
async function readInput(path: string, cwd: string): Promise<DecodedWav | string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(resolve(cwd, path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? message(error);
    return `--input: expected a readable WAV file, received ${path} (${code})`;
  }
  try {
    return decodeWav(bytes);
  } catch (error) {
    if (error instanceof WavFormatError) return `--input ${path}: ${error.message}`;
    throw error;
  }
}

/** Runs `--transport wav` with validated flags (and the `--pipeline` file, loaded). */
export async function runWavTransport(
  flags: RunFlags,
  io: CliIo,
  pipeline?: CompiledPipeline,
): Promise<number> {
  const input = await readInput(flags.input ?? '', io.cwd);
  if (typeof input === 'string') {
    io.err(printable(`rspp run: ${input}`));
    return EXIT.usage;
  }
  let sink: EvidenceSinkPort | undefined;
  try {
    if (flags.evidence !== null)
      sink = await openJsonlEvidenceSink({ path: resolve(io.cwd, flags.evidence) });
    const result = await runWavSession({
      input,
      seed: flags.seed,
      pace: flags.realtime ? createWallPacer() : FAST,
      ...(sink === undefined ? {} : { sink }),
      ...(pipeline === undefined ? {} : { pipeline }),
      onOutput(output) {
        if (output.kind !== 'control') return;
        io.out(flags.json ? JSON.stringify(output.record) : formatSignal(output.record));
      },
    });
    const output = flags.output ?? '';
    try {
      await writeFileAtomic(resolve(io.cwd, output), result.wav);
    } catch (error) {
      io.err(printable(`rspp run: cannot write --output ${output}: ${message(error)}`));
      return EXIT.failure;
    }
    const turns = result.control.filter((s) => s.signal === 'turn_open').length;
    io.err(
      printable(
        `rspp run: wrote ${output} (${(result.duration_ms / 1000).toFixed(2)} s, 16 kHz mono PCM16): ` +
          `${String(result.utterances)} utterances, ${String(turns)} turns`,
      ),
    );
    return EXIT.ok;
  } catch (error) {
    io.err(printable(`rspp run: ${message(error)}`));
    return EXIT.failure;
  } finally {
    await sink?.close();
  }
}
