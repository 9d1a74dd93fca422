/**
 * RK-16 cancellation tokens: one per scope (session > turn > node > provider_invocation), each
 * backed by an AbortController. Cancelling a token aborts it and then its descendants, depth
 * first in creation order, synchronously. A child created under a cancelled parent is born
 * cancelled. Children per token are bounded.
 */

/** Cancellation scopes, outermost first. */
export type CancelScope = 'session' | 'turn' | 'node' | 'provider_invocation';

/** Why a token was cancelled. */
export type CancelCause =
  'cancel' | 'barge_in' | 'stop' | 'session_cancelled' | 'authority_epoch_changed';

/** The `AbortSignal.reason` of a cancelled token: an abort is not an error. */
export interface CancelReason {
  readonly cause: CancelCause;
  /** Scope and key of the token the cancel was aimed at. */
  readonly origin_scope: CancelScope;
  readonly origin_key: string;
  readonly at_ms: number;
}

const CHILD_SCOPE: Readonly<Record<CancelScope, CancelScope | undefined>> = {
  session: 'turn',
  turn: 'node',
  node: 'provider_invocation',
  provider_invocation: undefined,
};

/** Default bound on live children of one token. */
export const DEFAULT_MAX_CHILDREN = 256;

/** One cancellable scope. */
export class CancelToken {
  /** Scope of this token. */
  readonly scope: CancelScope;
  /** Id within its parent (session, turn, node or invocation id). */
  readonly id: string;
  /** Unique path, e.g. `sess-1/turn-1/tts/inv-3`. */
  readonly key: string;
  /** The enclosing token, if any. */
  readonly parent: CancelToken | undefined;
  private readonly controller = new AbortController();
  private readonly children = new Map<string, CancelToken>();
  private readonly maxChildren: number;

  /** Creates a root (session) token; use `child` for inner scopes. */
  constructor(
    scope: CancelScope,
    id: string,
    parent?: CancelToken,
    maxChildren = DEFAULT_MAX_CHILDREN,
  ) {
    this.scope = scope;
    this.id = id;
    this.parent = parent;
    this.key = parent === undefined ? id : `${parent.key}/${id}`;
    this.maxChildren = maxChildren;
  }

  /** Aborted when this scope or any enclosing scope is cancelled. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once cancelled. */
  get cancelled(): boolean {
    return this.controller.signal.aborted;
  }

  /** The reason this token was cancelled with, if it was. */
  get reason(): CancelReason | undefined {
    return this.cancelled ? (this.controller.signal.reason as CancelReason) : undefined;
  }

  /** The live child with this id, if any. */
  find(id: string): CancelToken | undefined {
    return this.children.get(id);
  }

  /** Live children, in creation order. */
  list(): CancelToken[] {
    return [...this.children.values()];
  }

  /** Returns the child token for `id`, creating it (born cancelled under a cancelled parent). */
  child(id: string): CancelToken {
    const existing = this.children.get(id);
    if (existing !== undefined) return existing;
    const scope = CHILD_SCOPE[this.scope];
    if (scope === undefined) throw new RangeError(`${this.scope} tokens have no children`);
    if (this.children.size >= this.maxChildren) {
      throw new RangeError(`${this.key}: more than ${this.maxChildren} live ${scope} tokens`);
    }
    const token = new CancelToken(scope, id, this, this.maxChildren);
    this.children.set(id, token);
    const reason = this.reason;
    if (reason !== undefined) token.abort(reason);
    return token;
  }

  /** Cancels this scope and every descendant; returns false when it was already cancelled. */
  cancel(cause: CancelCause, atMs: number): boolean {
    if (this.cancelled) return false;
    this.abort({ cause, origin_scope: this.scope, origin_key: this.key, at_ms: atMs });
    return true;
  }

  /** Forgets a finished child (its signal keeps its state). */
  release(id: string): void {
    this.children.delete(id);
  }

  private abort(reason: CancelReason): void {
    if (this.cancelled) return;
    this.controller.abort(reason);
    for (const child of this.children.values()) child.abort(reason);
  }
}
