/**
 * The console transport: a text chat in the terminal with barge-in by typing, the reply shown at
 * speaking pace with its lifecycle beside it (compact on a TTY, plain lines otherwise). Sole
 * entry point of adapters/transport/console.
 */
export {
  createConsoleTransport,
  type ConsoleFeedResult,
  type ConsoleOutput,
  type ConsoleTransport,
  type ConsoleTransportOptions,
} from './console-transport.ts';
export {
  createConsoleRenderer,
  SHOWN_SIGNALS,
  type ConsoleRenderer,
  type ConsoleRendererOptions,
  type Schedule,
} from './renderer.ts';
