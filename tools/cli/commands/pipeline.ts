/**
 * `rspp pipeline check FILE`: loads a pipeline file the way `rspp run --pipeline` and
 * `rspp worker --pipeline` do (size cap, JSON, CP-02 normalization, CP-03 compilation against
 * the registered providers) and prints the compiled graph, or the one error that refuses it.
 */
import { resolve } from 'node:path';
import {
  NODE_KINDS,
  catalogueProviders,
  type AvailableProvider,
} from '../../../actors/pipeline/catalogue.ts';
import { BUILT_IN_PROVIDERS, loadPipelineFile } from '../../pipeline/load.ts';
import { formatSummary, refusalJson, refusalLine, summaryJson } from '../../pipeline/summary.ts';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';

const OPTIONS = {
  json: { type: 'boolean' },
  providers: { type: 'string' },
} as const;

const USAGE = `rspp pipeline check FILE [--json] [--providers LIST]

Checks a pipeline file (JSON; examples/ has documented ones) and prints the compiled graph: run
order, nodes with their providers in preference order, edge buffer policies, policies,
recording, budgets. A refused file gets one error naming the JSON pointer in the file, what
was expected and what was received (a syntax error names its line and column).

  --json            print one JSON object (the compiled graph, or the error and every issue)
  --providers LIST  check against these providers instead of the ones this build registers
                    (${BUILT_IN_PROVIDERS.map((p) => p.provider_id).join(', ')}): comma-separated
                    ids starting with stt-, llm- or tts-, or "catalogue" for the spec's nine

Limits: files over 1 MiB are refused without being read.
Exit codes: 0 the pipeline compiles; 2 usage error or the file is refused.`;

/** The `pipeline` command. */
export const pipelineCommand: Command = {
  name: 'pipeline',
  summary: 'Check a pipeline file and print its compiled graph.',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'check')
      return usage(io, `expected the subcommand check, received ${sub ?? 'none'}`);
    const parsed = parseFlags(rest, OPTIONS);
    if (!parsed.ok) return usage(io, parsed.message);
    const [file, ...extra] = parsed.positionals;
    if (file === undefined) return usage(io, 'missing FILE (a pipeline file)');
    if (extra.length > 0) return usage(io, `expected one FILE, received also ${extra.join(' ')}`);
    const providers = parseProviders(parsed.values.providers);
    if (typeof providers === 'string') return usage(io, providers);
    const json = parsed.values.json === true;
    const loaded = await loadPipelineFile(resolve(io.cwd, file), { providers });
    if (loaded.ok) {
      if (json) io.out(JSON.stringify(summaryJson(file, loaded.pipeline), null, 2));
      else for (const line of formatSummary(file, loaded.pipeline)) io.out(printable(line));
      return EXIT.ok;
    }
    if (json) io.out(JSON.stringify(refusalJson(file, loaded.issues), null, 2));
    else io.err(printable(`rspp pipeline check: ${refusalLine(file, loaded.issues)}`));
    return EXIT.usage;
  },
};

function usage(io: CliIo, message: string): number {
  io.err(`rspp pipeline: ${printable(message)}`);
  io.err(USAGE);
  return EXIT.usage;
}

/** `--providers`: the ids named (modality from the prefix), or the usage error. */
function parseProviders(value: string | undefined): readonly AvailableProvider[] | string {
  if (value === undefined) return BUILT_IN_PROVIDERS;
  const providers: AvailableProvider[] = [];
  for (const id of value.split(',').map((part) => part.trim())) {
    if (id === 'catalogue') {
      providers.push(...catalogueProviders());
      continue;
    }
    const modality = NODE_KINDS.find(
      (kind) => id.startsWith(`${kind}-`) && id.length > kind.length + 1,
    );
    if (modality === undefined)
      return `--providers: expected ids starting with stt-, llm- or tts- (or catalogue), received ${JSON.stringify(id)}`;
    providers.push({ provider_id: id, modality });
  }
  return providers;
}
