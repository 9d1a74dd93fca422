/**
 * The runtime's dependencies of one session, handed to the session actor as its input and
 * passed down the actor tree (session -> turn -> its actors; a generation builds each node's
 * I/O itself). The machines never read it; the actors and actions the runtime provides do.
 */
import type { RuntimeLink } from '../../machines/internal.ts';
import type { RuntimeGraph } from '../graph/graph.ts';
import type { ControlPlaneSnapshot } from '../turn-start/snapshot.ts';
import type { Conversation } from './conversation.ts';
import type { SessionOutputs } from './outputs.ts';
import type { TurnLedger } from './turn-ledger.ts';
import type { RuntimeLimits, RuntimeOptions, SessionIdentity } from './types.ts';

/** RK-24's view of this placement: the current epoch and whether it may still act. */
export type AuthorityView = { epoch: number; authorized: boolean };

/** What one session's services are made of. */
export type SessionServicesParts = {
  readonly identity: SessionIdentity;
  readonly options: RuntimeOptions;
  readonly limits: RuntimeLimits;
  readonly graph: RuntimeGraph;
  readonly snapshot: ControlPlaneSnapshot;
  /** Open turns across the runtime (RK-25 capacity), shared by every session. */
  readonly capacity: { active_turns: number };
  readonly authority: AuthorityView;
  readonly conversation: Conversation;
  readonly outputs: SessionOutputs;
  readonly ledger: TurnLedger;
  readonly system_prompt: string | undefined;
};

/** Everything the runtime's actors of one session use. */
export class SessionServices {
  readonly identity: SessionIdentity;
  readonly options: RuntimeOptions;
  readonly limits: RuntimeLimits;
  readonly graph: RuntimeGraph;
  readonly snapshot: ControlPlaneSnapshot;
  readonly capacity: { active_turns: number };
  readonly authority: AuthorityView;
  readonly conversation: Conversation;
  readonly outputs: SessionOutputs;
  readonly ledger: TurnLedger;
  readonly system_prompt: string | undefined;
  /** Turns of this session holding an RK-25 slot (released with the session if need be). */
  private readonly slots = new Set<string>();

  /** Creates the services of one session. */
  constructor(parts: SessionServicesParts) {
    this.identity = parts.identity;
    this.options = parts.options;
    this.limits = parts.limits;
    this.graph = parts.graph;
    this.snapshot = parts.snapshot;
    this.capacity = parts.capacity;
    this.authority = parts.authority;
    this.conversation = parts.conversation;
    this.outputs = parts.outputs;
    this.ledger = parts.ledger;
    this.system_prompt = parts.system_prompt;
  }

  /** A turn opened: it holds one RK-25 slot until it leaves `Active`. */
  claim(turn_id: string): void {
    if (this.slots.has(turn_id)) return;
    this.slots.add(turn_id);
    this.capacity.active_turns += 1;
  }

  /** A turn left `Active`: its slot is free. */
  release(turn_id: string): void {
    if (!this.slots.delete(turn_id)) return;
    this.capacity.active_turns -= 1;
  }

  /** Frees every slot a stopped session still holds. */
  releaseAll(): void {
    for (const turn_id of [...this.slots]) this.release(turn_id);
  }

  /** Runtime and wall-clock time now. */
  now(): { readonly at_ms: number; readonly wall_ms: number } {
    return { at_ms: this.options.clock.now(), wall_ms: this.options.clock.wallNow() };
  }
}

/** The session services an actor's input carries; throws when the runtime handed none. */
export function servicesOf(link: RuntimeLink | undefined): SessionServices {
  if (link instanceof SessionServices) return link;
  throw new TypeError('runtime actor: its input carries no session services');
}
