/**
 * What the `attempt` actor of one node's invocation reads and writes: the node's replayable
 * input, where its output items go (with backpressure), and its provider ports. A generation
 * builds one per node (and one for a fallback branch) and hands it down through the
 * invocation's input, so the actor logic itself holds no state and is shared by every node.
 */
import type { AnyProviderPort, ChunkAck } from '../../contracts/internal.ts';
import type { RuntimeClock } from '../edges/index.ts';
import type { GraphItem } from './types.ts';

/** The I/O of one node's invocation. */
export class NodeIo {
  /** Items forwarded downstream so far by this invocation's attempts (a resume skips them). */
  forwarded = 0;
  readonly clock: RuntimeClock;
  /** The node's ports, by provider id. */
  readonly port: (provider_id: string) => AnyProviderPort | undefined;
  /** The node's input as the port's input type, read from the start. */
  readonly input: (signal: AbortSignal) => AsyncIterable<unknown>;
  /** False once the input log forgot accepted items, so no attempt can re-read all of it. */
  readonly replayable: () => boolean;
  /**
   * Takes one new output item; a returned promise asks the attempt to read its provider more
   * slowly until it settles (a lossless edge or the egress is full).
   */
  readonly emit: (item: GraphItem, provider_invocation_id: string) => ChunkAck;

  /** Creates the I/O of one node. */
  constructor(parts: Omit<NodeIo, 'forwarded'>) {
    this.clock = parts.clock;
    this.port = parts.port;
    this.input = parts.input;
    this.replayable = parts.replayable;
    this.emit = parts.emit;
  }
}

/** The node I/O an invocation's input carries; throws when the runtime handed none. */
export function nodeIoOf(link: unknown): NodeIo {
  if (link instanceof NodeIo) return link;
  throw new TypeError('attempt: the invocation input carries no node I/O');
}
