/**
 * In-process bus: the default, deterministic implementation. A publish is routed synchronously
 * into the inbox of every subscription of that tenant and session; delivery happens when the
 * inbox pump runs on the injected scheduler (default: a microtask), so a test or a simulated
 * clock decides exactly when handlers see envelopes.
 */
import {
  BusError,
  DiagnosticsHub,
  checkDirection,
  SubscriptionInbox,
  assertSubjectToken,
  checkEnvelope,
  copyBytes,
  decodeEnvelope,
  encodeEnvelope,
  resolveLimits,
  type BusConnectionState,
  type BusDirection,
  type BusDiagnosticListener,
  type BusEnvelope,
  type BusHandler,
  type BusPort,
  type BusSubscribeOptions,
  type BusSubscription,
  type Schedule,
} from '../core/index.ts';

/** Options of {@link createEmbeddedBus}. */
export interface EmbeddedBusOptions {
  /** Runs inbox pumps; inject a simulated clock's scheduler for deterministic replay. */
  readonly schedule?: Schedule;
  /** Listener registered before anything can be emitted. */
  readonly onDiagnostic?: BusDiagnosticListener;
}

/** The embedded bus: a {@link BusPort} plus {@link EmbeddedBus.flush} for deterministic tests. */
export interface EmbeddedBus extends BusPort {
  /** Which implementation this is. */
  readonly kind: 'embedded';
  /** Resolves once every subscription is idle, including envelopes published by handlers meanwhile. */
  flush(): Promise<void>;
}

type Phase = 'open' | 'draining' | 'closed';

/** Creates an in-process bus. */
export function createEmbeddedBus(options: EmbeddedBusOptions = {}): EmbeddedBus {
  const schedule: Schedule = options.schedule ?? queueMicrotask;
  const diagnostics = new DiagnosticsHub();
  if (options.onDiagnostic !== undefined) diagnostics.add(options.onDiagnostic);
  // Routing table: one entry per tenant and session; the separator cannot occur in a valid token.
  const routes = new Map<string, Set<SubscriptionInbox>>();
  // The direction each inbox takes (absent: both), like the subject filter of a NATS subscription.
  const takes = new WeakMap<SubscriptionInbox, BusDirection>();
  const routeKey = (tenantId: string, sessionId: string): string => `${tenantId}\u0000${sessionId}`;
  let phase: Phase = 'open';

  const closedError = (): BusError =>
    new BusError('closed', 'the embedded bus is closed', { provider: 'embedded' });

  const allInboxes = (): SubscriptionInbox[] => [...routes.values()].flatMap((set) => [...set]);

  const flush = async (): Promise<void> => {
    // Handlers may publish to other subscriptions while we wait, so repeat until a full pass
    // finds every inbox already idle.
    for (;;) {
      await Promise.all(allInboxes().map((inbox) => inbox.whenIdle()));
      if (allInboxes().every((inbox) => inbox.isIdle())) return;
    }
  };

  const close = (): Promise<void> => {
    if (phase === 'closed') return Promise.resolve();
    phase = 'closed';
    for (const inbox of allInboxes()) inbox.close();
    routes.clear();
    diagnostics.emit({
      kind: 'connection',
      severity: 'info',
      state: 'disconnected',
      reason: 'closed',
    });
    return Promise.resolve();
  };

  return {
    kind: 'embedded',
    flush,
    close,
    // Not `async`: everything up to the routing must happen synchronously inside the caller's
    // turn, so N data publishes followed by a control publish are queued before any pump runs.
    publish(envelope: BusEnvelope): Promise<void> {
      try {
        if (phase !== 'open') throw closedError();
        const checked = checkEnvelope(envelope, 'embedded');
        const targets = routes.get(routeKey(envelope.tenant_id, checked.ref.session_id));
        if (targets === undefined || targets.size === 0) return Promise.resolve();
        const wire = encodeEnvelope(checked);
        let rejected = 0;
        for (const inbox of targets) {
          const only = takes.get(inbox);
          if (only !== undefined && only !== checked.direction) continue;
          // Each subscriber gets its own bytes, copied now: the publisher may reuse its buffer
          // as soon as this call returns, and subscribers must not see each other's changes.
          const binary = wire.binary === undefined ? undefined : copyBytes(wire.binary);
          const outcome = inbox.offer({ ...checked, envelope: decodeEnvelope(wire.json, binary) });
          if (outcome === 'rejected') rejected += 1;
        }
        if (rejected > 0) {
          throw new BusError(
            'control_queue_full',
            `ControlLane queue full at ${rejected} subscription(s); the signal was not delivered there`,
            { provider: 'embedded', retryable: true },
          );
        }
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    subscribe(
      tenantId: string,
      sessionId: string,
      handler: BusHandler,
      subscribeOptions: BusSubscribeOptions = {},
    ): Promise<BusSubscription> {
      try {
        if (phase !== 'open') throw closedError();
        assertSubjectToken('tenant_id', tenantId);
        assertSubjectToken('session_id', sessionId);
        const limits = resolveLimits(subscribeOptions.limits);
        const direction = checkDirection(subscribeOptions.direction, 'direction', 'embedded');
        const inbox = new SubscriptionInbox({ handler, limits, diagnostics, schedule });
        if (direction !== undefined) takes.set(inbox, direction);
        const key = routeKey(tenantId, sessionId);
        const set = routes.get(key) ?? new Set<SubscriptionInbox>();
        set.add(inbox);
        routes.set(key, set);
        const detach = (): void => {
          set.delete(inbox);
          if (set.size === 0 && routes.get(key) === set) routes.delete(key);
        };
        return Promise.resolve({
          tenant_id: tenantId,
          session_id: sessionId,
          stats: () => inbox.stats(),
          drain: async () => {
            detach();
            await inbox.drain();
          },
          close: () => {
            detach();
            inbox.close();
            return Promise.resolve();
          },
        });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    onDiagnostic: (listener) => diagnostics.add(listener),
    connectionState: (): BusConnectionState => (phase === 'closed' ? 'disconnected' : 'connected'),
    drain: async () => {
      if (phase !== 'open') return close();
      phase = 'draining';
      await Promise.all(allInboxes().map((inbox) => inbox.drain()));
      return close();
    },
  };
}
