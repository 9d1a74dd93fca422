/**
 * The Runtime: composes sessions from the adapters it is given (bus, providers, clock, evidence)
 * and the pure machines. One session = one session machine actor with its turns, graph runs,
 * egress fence and outbox (see session.ts).
 */
import type { Lane } from '../../contracts/index.ts';
import { assertSubjectToken, renderValue, SubjectTokenError } from '../../contracts/internal.ts';
import { createEventGateway, type EventGateway } from '../guard/gateway.ts';
import { compileRuntimeGraph, DEFAULT_GRAPH, type RuntimeGraph } from '../graph/graph.ts';
import { poolProviders } from '../pool/pooled-ports.ts';
import { RuntimeSession } from './session.ts';
import type {
  AuthorityChange,
  FeedResult,
  RuntimeLimits,
  RuntimeListener,
  RuntimeOptions,
  SessionOptions,
  TransportEvent,
} from './types.ts';

/** Default {@link RuntimeLimits}. */
export const RUNTIME_LIMIT_DEFAULTS: RuntimeLimits = {
  max_sessions: 64,
  outbox_capacity: 1024,
  audio_frames: 500,
  max_active_turns: 64,
  provider_queue: 64,
};

/** A running runtime. */
export type Runtime = {
  /**
   * Opens a session and starts its session actor; throws on an id the bus cannot carry (see
   * `assertSubjectToken`), a duplicate id, or when full.
   */
  openSession(options: SessionOptions): string;
  /** Feeds one transport event; invalid input is rejected with a diagnostic, never processed. */
  feed(session_id: string, event: TransportEvent): FeedResult;
  /** Subscribes to a session's outputs in order; returns the unsubscribe function. */
  subscribe(session_id: string, listener: RuntimeListener): () => void;
  /**
   * RK-24: tells a session its placement's authority changed (lease lost or new epoch); a live
   * turn of another epoch, or any once unauthorized, is fenced and revoked. True when one was;
   * false for a session that has ended (the runtime remembers the last `max_sessions` ended
   * ones). Throws `unknown_session` for any other id.
   */
  setAuthority(session_id: string, change: AuthorityChange): boolean;
  /** Envelopes a session has published, by lane. */
  published(session_id: string): Readonly<Record<Lane, number>>;
  /** Ends one session: its live turn ends with one terminal and `close`; resolves once drained. */
  closeSession(session_id: string): Promise<void>;
  /** Ends every session (as `closeSession`) and refuses new ones. */
  stop(): Promise<void>;
};

/** Codes of {@link RuntimeError}. */
export type RuntimeErrorCode =
  | 'invalid_graph'
  | 'invalid_session'
  | 'invalid_authority'
  | 'unknown_session'
  | 'duplicate_session'
  | 'capacity'
  | 'stopped';

/** Thrown for a configuration or usage mistake (bad graph, unknown or duplicate session). */
export class RuntimeError extends Error {
  /** Stable code. */
  readonly code: RuntimeErrorCode;

  /** Builds the error. */
  constructor(code: RuntimeErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = 'RuntimeError';
  }
}

/** Creates a runtime; the graph is compiled once, up front (a bad graph fails at startup). */
export function createRuntime(options: RuntimeOptions): Runtime {
  const limits: RuntimeLimits = { ...RUNTIME_LIMIT_DEFAULTS, ...options.limits };
  const compiled = compileRuntimeGraph(options.graph ?? DEFAULT_GRAPH);
  if (!compiled.ok) throw new RuntimeError('invalid_graph', compiled.message);
  const graph: RuntimeGraph = compiled.graph;
  const gateway: EventGateway = createEventGateway(options.validator);
  // RK-26: one bounded FIFO pool per provider, shared by every session of this runtime.
  const pooled = poolProviders(options.providers, limits.provider_queue, () => options.clock.now());
  const sessionOptions: RuntimeOptions = { ...options, providers: pooled.providers };
  const sessions = new Map<string, RuntimeSession>();
  // Counters of closed sessions stay readable (bounded: the oldest is forgotten first).
  const closed = new Map<string, Readonly<Record<Lane, number>>>();
  const retire = async (session_id: string, session: RuntimeSession) => {
    await session.stop();
    sessions.delete(session_id);
    closed.set(session_id, { ...session.published });
    if (closed.size > limits.max_sessions) closed.delete(closed.keys().next().value ?? '');
  };
  let stopped = false;
  const capacity = { active_turns: 0 };
  const get = (session_id: string): RuntimeSession => {
    const session = sessions.get(session_id);
    if (session === undefined)
      throw new RuntimeError('unknown_session', `unknown session ${session_id}`);
    return session;
  };
  return {
    openSession(session) {
      if (stopped) throw new RuntimeError('stopped', 'runtime stopped');
      checkSessionIds(session);
      if (session.authority_epoch !== undefined)
        checkAuthorityChange({ authority_epoch: session.authority_epoch });
      if (sessions.has(session.session_id)) {
        throw new RuntimeError('duplicate_session', `session ${session.session_id} is open`);
      }
      if (sessions.size >= limits.max_sessions) {
        throw new RuntimeError('capacity', `at most ${String(limits.max_sessions)} sessions`);
      }
      sessions.set(
        session.session_id,
        new RuntimeSession({
          options: sessionOptions,
          limits,
          graph,
          gateway,
          snapshot: options.snapshot ?? {},
          tenant_id: session.tenant_id ?? 'default',
          session_id: session.session_id,
          pipeline_version: session.pipeline_version ?? 'pipeline-v1',
          authority_epoch: session.authority_epoch ?? 1,
          system_prompt: session.system_prompt,
          policies: session.policies,
          incarnation: session.incarnation,
          capacity,
        }),
      );
      return session.session_id;
    },
    feed(session_id, event) {
      const session = sessions.get(session_id);
      if (session === undefined) {
        const rejection = stopped
          ? { code: 'stopped' as const, message: 'runtime stopped' }
          : { code: 'unknown_session' as const, message: `unknown session ${String(session_id)}` };
        return { accepted: false, rejection };
      }
      return session.feed(event);
    },
    subscribe(session_id, listener) {
      return get(session_id).subscribe(listener);
    },
    setAuthority(session_id, change) {
      const checked = checkAuthorityChange(change);
      // A session that already ended has no turn left to revoke: not a usage error.
      if (!sessions.has(session_id) && closed.has(session_id)) return false;
      const session = get(session_id);
      const epoch = checked.authority_epoch;
      if (epoch !== undefined && epoch < session.epoch) {
        throw new RuntimeError(
          'invalid_authority',
          `authority_epoch: expected an integer >= ${String(session.epoch)} (epochs never go back), received ${String(epoch)}`,
        );
      }
      return session.setAuthority(checked);
    },
    published(session_id) {
      return closed.get(session_id) ?? get(session_id).published;
    },
    async closeSession(session_id) {
      await retire(session_id, get(session_id));
    },
    async stop() {
      stopped = true;
      for (const [id, session] of [...sessions]) await retire(id, session);
      await pooled.drain();
    },
  };
}

/** What an incarnation may be: short, and safe inside ids and subject tokens. */
const INCARNATION = /^[A-Za-z0-9_-]{1,32}$/;

/** Checks that a session's ids can be bus subject tokens; throws `invalid_session` with the rule. */
function checkSessionIds(session: SessionOptions): void {
  try {
    assertSubjectToken('session_id', session.session_id);
    if (session.tenant_id !== undefined) assertSubjectToken('tenant_id', session.tenant_id);
  } catch (error) {
    if (error instanceof SubjectTokenError)
      throw new RuntimeError('invalid_session', error.message);
    throw error;
  }
  const incarnation: unknown = session.incarnation;
  if (
    incarnation !== undefined &&
    (typeof incarnation !== 'string' || !INCARNATION.test(incarnation))
  )
    throw new RuntimeError(
      'invalid_session',
      `incarnation: expected 1-32 of A-Z a-z 0-9 _ -, received ${renderValue(incarnation)}`,
    );
}

/** Checks an authority change; throws `invalid_authority` naming the field, expected and received. */
function checkAuthorityChange(change: AuthorityChange): AuthorityChange {
  const epoch: unknown = change.authority_epoch;
  if (
    epoch !== undefined &&
    (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 0)
  ) {
    throw new RuntimeError(
      'invalid_authority',
      `authority_epoch: expected an integer >= 0, received ${renderValue(epoch)}`,
    );
  }
  const authorized: unknown = change.authorized;
  if (authorized !== undefined && typeof authorized !== 'boolean') {
    throw new RuntimeError(
      'invalid_authority',
      `authorized: expected a boolean, received ${renderValue(authorized)}`,
    );
  }
  return change;
}
