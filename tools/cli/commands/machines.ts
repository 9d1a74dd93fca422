/**
 * `rspp machines`: lists RSPP's statecharts and exports one (or any user machine module) as
 * JSON, Graphviz DOT or Mermaid, offline.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlags } from '../args.ts';
import { EXIT, type CliIo, type Command } from '../command.ts';
import { printable } from '../printable.ts';
import { EXPORT_FORMATS, exportMachine, isExportFormat } from '../../paths/formats.ts';
import { LoadError, REPO_ROOT, RSPP_MACHINES, loadMachine } from '../../paths/load.ts';

const OPTIONS = {
  machine: { type: 'string' },
  module: { type: 'string' },
  export: { type: 'string' },
  format: { type: 'string' },
} as const;

const NAMES = RSPP_MACHINES.map((m) => m.name);

const USAGE = `rspp machines export (--machine ${NAMES.join('|')} | --module FILE --export NAME) --format ${EXPORT_FORMATS.join('|')}
rspp machines list

Prints a statechart: json (the machine definition, implementations by name), dot (Graphviz;
guards in edge labels, final states double-bordered, eventless edges dotted; render with
\`dot -Tsvg\`) or mermaid (stateDiagram-v2). \`list\` shows RSPP's machines and their modules.

Exit codes: 0 printed; 1 the module cannot be loaded or does not export a machine;
2 usage error (unknown subcommand, machine or format, missing flags or file).`;

/** The `machines` command. */
export const machinesCommand: Command = {
  name: 'machines',
  summary: "List RSPP's statecharts or export one as JSON, DOT or Mermaid.",
  usage: USAGE,
  run: runMachines,
};

async function runMachines(args: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list' && rest.length === 0) {
    for (const m of RSPP_MACHINES) {
      const present = existsSync(resolve(REPO_ROOT, m.module)) ? '' : ' (module missing)';
      io.out(`${m.name}\t${m.exportName}\t${m.module}${present}`);
    }
    return EXIT.ok;
  }
  if (sub !== 'export')
    return usage(
      io,
      sub === undefined
        ? 'missing subcommand (export or list)'
        : `unknown subcommand "${sub}" (valid: export, list)`,
    );
  const parsed = parseFlags(rest, OPTIONS);
  if (!parsed.ok) return usage(io, parsed.message);
  const { machine: name, module, export: exportName, format } = parsed.values;
  if (parsed.positionals.length > 0)
    return usage(io, `unexpected argument ${parsed.positionals[0]}`);
  if (format === undefined || !isExportFormat(format))
    return usage(
      io,
      `${format === undefined ? 'missing --format' : `unknown format "${format}"`} (valid: ${EXPORT_FORMATS.join(', ')})`,
    );
  let file: string;
  let symbol: string;
  if (name !== undefined) {
    const entry = RSPP_MACHINES.find((m) => m.name === name);
    if (entry === undefined)
      return usage(io, `unknown machine "${name}" (valid: ${NAMES.join(', ')})`);
    if (module !== undefined || exportName !== undefined)
      return usage(io, '--machine cannot be combined with --module/--export');
    file = resolve(REPO_ROOT, entry.module);
    symbol = entry.exportName;
  } else if (module !== undefined && exportName !== undefined) {
    file = resolve(io.cwd, module);
    symbol = exportName;
  } else {
    return usage(
      io,
      `give --machine NAME (${NAMES.join(', ')}) or both --module FILE and --export NAME`,
    );
  }
  try {
    io.out(exportMachine(await loadMachine(file, symbol), format));
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof LoadError)) throw error;
    io.err(`rspp machines: ${printable(error.message)}`);
    return error.usage ? EXIT.usage : EXIT.failure;
  }
}

function usage(io: CliIo, message: string): number {
  io.err(`rspp machines: ${printable(message)}`);
  io.err(USAGE);
  return EXIT.usage;
}
