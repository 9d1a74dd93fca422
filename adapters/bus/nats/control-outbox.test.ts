import { JetStreamApiError, type JetStreamClient, type PubAck } from '@nats-io/jetstream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControlSignal } from '../../../contracts/index.ts';
import {
  DiagnosticsHub,
  checkEnvelope,
  type BusEnvelope,
  type CheckedEnvelope,
} from '../core/index.ts';
import { ControlOutbox, type ControlOutboxOptions } from './control-outbox.ts';

type Diagnostic = Parameters<Parameters<DiagnosticsHub['add']>[0]>[0];

interface Send {
  /** `c<seq>`: the idempotency key of the signal this attempt carries. */
  readonly id: string;
  /** `EV` for a record of another stream (subject `ev.*`), else the ControlLane stream `S`. */
  readonly stream: string;
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A JetStream stand-in whose test decides the fate of every publish attempt: stored and
 * acknowledged, stored with the acknowledgement lost, lost, or refused. It dedupes by message id
 * like the server's duplicate window.
 */
class FakeJetStream {
  readonly sends: Send[] = [];
  private readonly stored = new Map<string, number>();
  // Sequences per stream; the other stream starts far ahead, so comparing across streams shows.
  private readonly seqs = new Map<string, number>([
    ['S', 0],
    ['EV', 100],
  ]);
  readonly client = {
    publish: (subject: string, _data: unknown, opts: { msgID: string }) =>
      new Promise<PubAck>((resolve, reject) => {
        const stream = subject.startsWith('ev.') ? 'EV' : 'S';
        this.sends.push({ id: opts.msgID.split('|')[1] ?? '', stream, resolve, reject });
      }),
  } as unknown as JetStreamClient;

  /** Ids of the attempts sent so far, in send order. */
  sent(): string[] {
    return this.sends.map((send) => send.id);
  }

  /** Stores attempt `index` (or finds its duplicate) and acknowledges it. */
  ack(index: number): void {
    const send = this.attempt(index);
    const known = this.stored.get(send.id);
    send.resolve({
      stream: send.stream,
      seq: known ?? this.store(send.id, send.stream),
      duplicate: known !== undefined,
    });
  }

  /** Stores attempt `index` but its acknowledgement never arrives (times out). */
  storeAndLoseAck(index: number): void {
    const send = this.attempt(index);
    if (!this.stored.has(send.id)) this.store(send.id, send.stream);
    send.reject(new Error('TIMEOUT'));
  }

  /** Attempt `index` never reached the stream (times out). */
  lose(index: number): void {
    this.attempt(index).reject(new Error('TIMEOUT'));
  }

  /** The stream refuses attempt `index` for good. */
  refuse(index: number): void {
    this.attempt(index).reject(
      new JetStreamApiError({
        code: 400,
        err_code: 10077,
        description: 'maximum messages exceeded',
      }),
    );
  }

  /** Ids in stream order. */
  streamOrder(): string[] {
    return [...this.stored.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  }

  private store(id: string, stream: string): number {
    const seq = (this.seqs.get(stream) ?? 0) + 1;
    this.seqs.set(stream, seq);
    this.stored.set(id, seq);
    return seq;
  }

  private attempt(index: number): Send {
    const send = this.sends[index];
    if (send === undefined) throw new Error(`no attempt ${index}; sent: ${this.sent().join(',')}`);
    return send;
  }
}

function signal(seq: number): CheckedEnvelope {
  const record = {
    schema_version: 'v1.0',
    session_id: 'call-1',
    event_id: `c${seq}`,
    idempotency_key: `c${seq}`,
    runtime_sequence: seq,
    lane: 'ControlLane',
  } as unknown as ControlSignal;
  const envelope: BusEnvelope = { tenant_id: 'acme', record };
  return checkEnvelope(envelope, 'nats');
}

/** Lets promise callbacks (acknowledgements) run; timers stay under the test's control. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('ControlOutbox', () => {
  let fake: FakeJetStream;
  let diagnostics: Diagnostic[];
  let connection: string | undefined;
  let connected: { resolve: () => void } | undefined;

  const create = (options: Partial<ControlOutboxOptions> = {}): ControlOutbox => {
    const hub = new DiagnosticsHub();
    hub.add((d) => void diagnostics.push(d));
    return new ControlOutbox({
      js: fake.client,
      capacity: 64,
      window: 4,
      attemptTimeoutMs: 2000,
      whenConnected: () =>
        connection !== undefined
          ? Promise.resolve()
          : new Promise((resolve) => {
              connected = { resolve };
            }),
      connectionId: () => connection,
      diagnostics: hub,
      ...options,
    });
  };

  /** Publishes c<from>..c<to - 1>; returns their promises and the ids resolved so far. */
  const publish = (outbox: ControlOutbox, from: number, to: number, resolved: string[]) =>
    Array.from({ length: to - from }, (_, i) => {
      const checked = signal(from + i);
      return outbox.enqueue(checked, { data: '{}', headers: undefined }).then(() => {
        resolved.push(checked.ref.event_id);
      });
    });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    fake = new FakeJetStream();
    diagnostics = [];
    connection = 'server-1/7';
    connected = undefined;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends records of another stream in publish order between the signals, checking order per stream (ADR 0035)', async () => {
    const outbox = create({ window: 8 });
    const resolved: string[] = [];
    const record = (n: number) => {
      const ref = { ...signal(n).ref, event_id: `e${n}` };
      return outbox
        .enqueueRecord(
          { subject: 'ev.acme.call-1', msgID: `ev|e${n}`, ref },
          { data: '{}', headers: undefined },
        )
        .then(() => void resolved.push(`e${n}`));
    };
    const all = [
      record(0),
      ...publish(outbox, 0, 1, resolved),
      record(1),
      ...publish(outbox, 1, 2, resolved),
    ];
    expect(fake.sent()).toEqual(['e0', 'c0', 'e1', 'c1']);
    for (const index of [0, 1, 2, 3]) fake.ack(index);
    await Promise.all(all);
    expect(resolved).toEqual(['e0', 'c0', 'e1', 'c1']);
    expect(diagnostics).toEqual([]);
  });

  it('sends up to the window back to back and resolves each signal on its own acknowledgement', async () => {
    const outbox = create({ window: 3 });
    const resolved: string[] = [];
    const all = publish(outbox, 0, 5, resolved);
    expect(fake.sent()).toEqual(['c0', 'c1', 'c2']);
    expect(outbox.size).toBe(5);
    fake.ack(0);
    await settle();
    expect(resolved).toEqual(['c0']);
    expect(fake.sent()).toEqual(['c0', 'c1', 'c2', 'c3']);
    for (const index of [1, 2, 3]) fake.ack(index);
    await settle();
    fake.ack(4);
    await Promise.all(all);
    expect(resolved).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(fake.streamOrder()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(outbox.size).toBe(0);
    expect(diagnostics).toEqual([]);
  });

  it('after a failure stops sending, then re-sends every unacknowledged signal in publish order with the same message ids', async () => {
    const outbox = create({ window: 4 });
    const resolved: string[] = [];
    const all = publish(outbox, 0, 6, resolved);
    fake.ack(0);
    await settle();
    expect(fake.sent()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    // The connection dies: c1 was stored but its acknowledgement is lost, c2.. never arrived.
    fake.storeAndLoseAck(1);
    await settle();
    all.push(...publish(outbox, 6, 7, resolved));
    fake.lose(2);
    await settle();
    expect(fake.sent()).toHaveLength(5); // halted: c5 and c6 wait, c3 and c4 are still in flight
    fake.lose(3);
    fake.lose(4);
    await settle();
    await vi.advanceTimersByTimeAsync(1000); // backoff
    expect(fake.sent().slice(5)).toEqual(['c1', 'c2', 'c3', 'c4']);
    for (let index = 5; index < 9; index += 1) fake.ack(index);
    await settle();
    expect(fake.sent().slice(9)).toEqual(['c5', 'c6']);
    fake.ack(9);
    fake.ack(10);
    await Promise.all(all);
    expect(resolved).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(fake.streamOrder()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    expect(
      diagnostics.map((d) =>
        d.kind === 'control_publish_retry' ? `${d.envelope.event_id}#${d.attempt}` : d.kind,
      ),
    ).toEqual(['c1#1', 'c2#1', 'c3#1', 'c4#1']);
  });

  it('sends nothing on a new connection while attempts sent on the previous one are unsettled', async () => {
    const outbox = create({ window: 4 });
    const resolved: string[] = [];
    const all = publish(outbox, 0, 2, resolved);
    connection = 'server-2/7'; // the client reconnected (a restarted server reuses client ids)
    all.push(...publish(outbox, 2, 3, resolved));
    expect(fake.sent()).toEqual(['c0', 'c1']);
    fake.ack(0);
    fake.lose(1);
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.sent()).toEqual(['c0', 'c1', 'c1', 'c2']);
    fake.ack(2);
    fake.ack(3);
    await Promise.all(all);
    expect(fake.streamOrder()).toEqual(['c0', 'c1', 'c2']);
    // With nothing in flight, a new connection is taken at once.
    connection = 'server-2/8';
    const later = publish(outbox, 3, 4, resolved);
    expect(fake.sent().at(-1)).toBe('c3');
    fake.ack(4);
    await Promise.all(later);
    expect(resolved).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('waits for a connection before sending', async () => {
    connection = undefined;
    const outbox = create();
    const resolved: string[] = [];
    const all = publish(outbox, 0, 2, resolved);
    await settle();
    expect(fake.sent()).toEqual([]);
    connection = 'server-1/9';
    connected?.resolve();
    await settle();
    expect(fake.sent()).toEqual(['c0', 'c1']);
    fake.ack(0);
    fake.ack(1);
    await Promise.all(all);
    expect(resolved).toEqual(['c0', 'c1']);
  });

  it('reports a stream order that differs from publish order instead of passing it silently', async () => {
    const outbox = create({ window: 2 });
    const resolved: string[] = [];
    const all = publish(outbox, 0, 2, resolved);
    // What one connection cannot do: lose c0 yet store c1 (e.g. a transient refusal of c0).
    fake.lose(0);
    fake.ack(1);
    await settle();
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.sent()).toEqual(['c0', 'c1', 'c0']);
    fake.ack(2);
    await Promise.all(all);
    expect(fake.streamOrder()).toEqual(['c1', 'c0']);
    expect(diagnostics.filter((d) => d.kind === 'transport_error')).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(
          /stream order differs from publish order: c1 stored at sequence 1, before a signal published earlier \(sequence 2\)/,
        ),
      }),
    ]);
  });

  it('refuses beyond its capacity and fails only the signal JetStream refuses', async () => {
    const outbox = create({ capacity: 2, window: 1 });
    const resolved: string[] = [];
    const [c0, c1] = publish(outbox, 0, 2, resolved);
    await expect(
      outbox.enqueue(signal(2), { data: '{}', headers: undefined }),
    ).rejects.toMatchObject({ code: 'control_outbox_full', retryable: true });
    fake.refuse(0);
    await expect(c0).rejects.toMatchObject({ code: 'control_publish_failed' });
    expect(fake.sent()).toEqual(['c0', 'c1']);
    fake.ack(1);
    await c1;
    expect(resolved).toEqual(['c1']);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        kind: 'control_publish_failed',
        envelope: expect.objectContaining({ event_id: 'c0' }),
      }),
    ]);
  });

  it('rejects every waiting signal with closed and ignores acknowledgements that come later', async () => {
    const outbox = create({ window: 1 });
    const resolved: string[] = [];
    const [c0, c1] = publish(outbox, 0, 2, resolved);
    outbox.close();
    await expect(c0).rejects.toMatchObject({ code: 'closed' });
    await expect(c1).rejects.toMatchObject({ code: 'closed' });
    fake.ack(0);
    await settle();
    await expect(outbox.whenEmpty()).resolves.toBeUndefined();
    expect(fake.sent()).toEqual(['c0']);
    await expect(
      outbox.enqueue(signal(3), { data: '{}', headers: undefined }),
    ).rejects.toMatchObject({
      code: 'closed',
    });
  });
});
