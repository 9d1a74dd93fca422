/**
 * Renders the top-level help: every command's synopsis (the first line of its usage) and summary.
 */
import type { Command } from './command.ts';

/** The top-level help text listing every command, one synopsis and summary each. */
export function renderHelp(commands: readonly Command[]): string {
  const lines = ['Usage: rspp <command> [flags]', '', 'Commands:'];
  for (const command of commands) {
    lines.push(`  ${synopsis(command)}`, `      ${command.summary}`);
  }
  lines.push(
    `  rspp help [COMMAND]`,
    `      Show this help, or one command's full usage.`,
    '',
    'Run `rspp help <command>` or `rspp <command> --help` for flags and exit codes.',
  );
  return lines.join('\n');
}

/** The first line of a command's usage, which by convention is its synopsis. */
function synopsis(command: Command): string {
  return command.usage.split('\n', 1)[0] ?? `rspp ${command.name}`;
}
