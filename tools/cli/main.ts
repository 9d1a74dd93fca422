/**
 * Entry point of the `rspp` CLI: picks the subcommand from the command table and runs it.
 * To add a command, create `commands/<name>.ts` exporting a `Command` and add it to `COMMANDS`.
 */
import { createProcessIo, EXIT, type CliIo, type Command } from './command.ts';
import { renderHelp } from './help.ts';
import { printable } from './printable.ts';
import { benchCommand } from './commands/bench.ts';
import { demoCommand } from './commands/demo.ts';
import { inspectCommand } from './commands/inspect.ts';
import { liveKitCommand } from './commands/livekit.ts';
import { machinesCommand } from './commands/machines.ts';
import { pathsCommand } from './commands/paths.ts';
import { pipelineCommand } from './commands/pipeline.ts';
import { runCommand } from './commands/run.ts';
import { validateContractsCommand } from './commands/validate-contracts.ts';
import { workerCommand } from './commands/worker.ts';

const COMMANDS: readonly Command[] = [
  validateContractsCommand,
  pipelineCommand,
  pathsCommand,
  machinesCommand,
  benchCommand,
  runCommand,
  demoCommand,
  workerCommand,
  liveKitCommand,
  inspectCommand,
];

const HELP_WORDS = new Set(['help', '--help', '-h']);

/** Runs `rspp` with the arguments after the executable and resolves to the exit code. */
export async function main(
  argv: readonly string[],
  io: CliIo = createProcessIo(),
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || HELP_WORDS.has(name)) return help(rest, io);
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.err(
      printable(
        name.startsWith('-') ? `rspp: unknown flag ${name}` : `rspp: unknown command "${name}"`,
      ),
    );
    io.err(renderHelp(COMMANDS));
    return EXIT.usage;
  }
  if (rest.some((arg) => arg === '--help' || arg === '-h')) {
    io.out(command.usage);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // A command should return its own failures; this is the last line against a stack trace.
    io.err(
      `rspp ${command.name}: internal error: ${printable(error instanceof Error ? error.message : String(error))}`,
    );
    return EXIT.failure;
  }
}

function help(args: readonly string[], io: CliIo): number {
  const topic = args[0];
  if (topic === undefined) {
    io.out(renderHelp(COMMANDS));
    return EXIT.ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === topic);
  if (command === undefined) {
    io.err(printable(`rspp help: unknown command "${topic}"`));
    io.err(renderHelp(COMMANDS));
    return EXIT.usage;
  }
  io.out(command.usage);
  return EXIT.ok;
}
