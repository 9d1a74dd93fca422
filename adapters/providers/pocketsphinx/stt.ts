/**
 * The pocketsphinx STT adapter (ADR 0043): one long-lived `pocketsphinx_continuous` process per
 * stream (loading the model takes ~0.9 s, so never one per utterance) reading raw 16 kHz PCM16
 * from stdin. It prints one line per utterance its voice activity detection closes; each line
 * settles a segment of the transcript (a `partial` of the whole), and the end of its output after
 * the end of audio gives the `final`. An abort kills the process group at once.
 *
 * pocketsphinx 0.8 opens `-infile /dev/stdin` itself, which fails (ENXIO) on node's socket
 * stdio, so `sh` puts a real pipe in between (`cat | pocketsphinx_continuous`), in its own process
 * group so that a kill reaches all three. Its log (which quotes hypotheses) goes to /dev/null.
 */
import { toAdapterError, type SttCapabilities, type SttPort } from '../../../contracts/index.ts';
import type { ProviderScheduler } from '../../../contracts/internal.ts';
import {
  missingToolMessage,
  runSttAttempt,
  startTool,
  type SpawnFunction,
  type SttSession,
} from '../kit/index.ts';
import type { PocketsphinxConfig } from './config.ts';

/** Options of {@link createPocketsphinxStt}. */
export interface PocketsphinxSttOptions {
  /** Validated settings. */
  readonly config: PocketsphinxConfig;
  /** Where the idle deadline waits. */
  readonly scheduler: ProviderScheduler;
  /** Declared id (default `stt-pocketsphinx`). */
  readonly provider_id?: string;
  /** Declared and enforced concurrent streams (default 4: each decodes on one core). */
  readonly max_concurrency?: number;
  /** The spawn to use (default node's; tests wrap it to watch the processes). */
  readonly spawn?: SpawnFunction;
}

const SAMPLE_RATE_HZ = 16_000;
/** Audio is written in pieces of at least 100 ms (fewer, larger pipe writes). */
const MIN_CHUNK_MS = 100;
/** Exit 127 (as `sh` does) when the program is missing, else a real pipe into it. */
const PIPE_SCRIPT =
  'command -v "$1" >/dev/null 2>&1 || exit 127; program=$1; shift; cat | "$program" "$@"';

/** The non-blank lines of a byte stream, as they complete. */
async function* linesOf(
  output: AsyncIterable<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const bytes of output) {
    pending += decoder.decode(bytes, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') yield line.trim();
  }
  pending += decoder.decode();
  if (pending.trim() !== '') yield pending.trim();
}

/** Creates the pocketsphinx STT adapter. */
export function createPocketsphinxStt(options: PocketsphinxSttOptions): SttPort {
  const { config } = options;
  const provider = options.provider_id ?? 'stt-pocketsphinx';
  const capabilities: SttCapabilities = {
    provider_id: provider,
    modality: 'stt',
    max_concurrency: options.max_concurrency ?? 4,
    streaming: {
      input: ['audio'],
      sample_rate_hz: SAMPLE_RATE_HZ,
      partials: true,
      rollback: false,
    },
  };
  const active = { count: 0 };
  const args = [
    '-c',
    PIPE_SCRIPT,
    'sh',
    config.binary,
    '-infile',
    '/dev/stdin',
    '-samprate',
    String(SAMPLE_RATE_HZ),
    '-logfn',
    '/dev/null',
    ...(config.jsgf_path === null ? [] : ['-jsgf', config.jsgf_path]),
  ];

  function open(signal: AbortSignal): Promise<SttSession | null> {
    if (signal.aborted) return Promise.resolve(null);
    const run = startTool({
      provider,
      command: 'sh',
      args,
      signal,
      missing: missingToolMessage(config.binary, ['pocketsphinx', 'pocketsphinx-en-us']),
      stdin: 'pipe',
      group: true,
      ...(options.spawn === undefined ? {} : { spawn: options.spawn }),
    });
    const lines = linesOf(run.output)[Symbol.asyncIterator]();
    const stdin = run.child.stdin;
    return Promise.resolve({
      send(pcm) {
        // PCM16 little-endian, as the host stores it (every platform node runs on here).
        stdin?.write(
          Buffer.from(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)),
        );
      },
      finish() {
        stdin?.end();
      },
      async next() {
        const step = await lines.next();
        return step.done === true ? null : { text: step.value, final: true };
      },
    });
  }

  return {
    capabilities,
    stream: (request) =>
      runSttAttempt({
        provider,
        request,
        scheduler: options.scheduler,
        idle_timeout_ms: config.timeout_ms,
        sample_rate_hz: SAMPLE_RATE_HZ,
        min_chunk_ms: MIN_CHUNK_MS,
        concurrency: { max: capabilities.max_concurrency, active },
        open,
        classify: (failure) => toAdapterError(failure, provider),
      }),
  };
}

/** The `-jsgf` grammar file of `sentences` (lowercase words), for exact-word recognition. */
export function jsgfGrammar(sentences: readonly string[]): string {
  const alternatives = sentences
    .map((sentence) =>
      sentence
        .toLowerCase()
        .replace(/[^a-z']+/g, ' ')
        .trim(),
    )
    .filter((sentence) => sentence !== '');
  return `#JSGF V1.0;\ngrammar rspp;\npublic <utterance> = ${alternatives.join(' | ')};\n`;
}
