/**
 * `rspp demo` (what `npm start` runs). Until the embedded demo exists it prints the help text, so
 * `npm start` on a fresh clone shows what the CLI can do instead of failing.
 */
import { EXIT, type Command } from '../command.ts';

/** Creates the placeholder demo command; `renderHelp` is injected to avoid an import cycle with main. */
export function createDemoCommand(renderHelp: () => string): Command {
  return {
    name: 'demo',
    summary:
      'Run the embedded demo (today: prints this help; the live demo arrives with the runtime).',
    usage: 'rspp demo',
    run(_args, io) {
      io.out(renderHelp());
      return Promise.resolve(EXIT.ok);
    },
  };
}
