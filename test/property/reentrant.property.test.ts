/**
 * Issue 10: re-entrant subscribers. Random sessions on the Runtime whose listeners call back into
 * it (feed, setAuthority, closeSession) from inside random deliveries keep the lifecycle
 * invariants the machine properties check: every opened turn ends exactly once then closes,
 * nothing of a turn is delivered after its terminal, the OR-02 evidence names the terminal the
 * ControlLane says, and every RK-25 slot comes back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRuntime,
  type IngressKind,
  type Runtime,
  type RuntimeOutput,
} from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createSimLlm, createSimStt, createSimTts } from '../../adapters/providers/sim/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { createStageAEvidence } from '../../tools/run/evidence.ts';
import { ingressRecord } from '../../tools/run/script.ts';
import { createSimTime } from '../../tools/run/sim-time.ts';
import { machineOutputs } from '../runtime/kit.ts';

/** One validator for every run: compiling one costs ~150 ms. */
const validator = createContractValidator();
const bus = createEmbeddedBus();

/** A call into the runtime, from the test or from inside a delivery. */
type Op =
  | { readonly op: 'feed'; readonly kind: IngressKind; readonly text?: string }
  | { readonly op: 'epoch' }
  | { readonly op: 'unauthorize' }
  | { readonly op: 'close' };

/** What a listener reacts to: a ControlLane signal by name, or another output kind. */
type Trigger = string;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constant<Op>({ op: 'feed', kind: 'transcript_final', text: 'hello there' }),
  },
  { weight: 3, arbitrary: fc.constant<Op>({ op: 'feed', kind: 'speech_started' }) },
  { weight: 3, arbitrary: fc.constant<Op>({ op: 'feed', kind: 'cancel' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('disconnected', 'ended', 'stall', 'connected')
      .map((text): Op => ({ op: 'feed', kind: 'connection', text })),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'epoch' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'unauthorize' }) },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'close' }) },
);

const triggerArb: fc.Arbitrary<Trigger> = fc.constantFrom(
  'turn_open_proposed',
  'turn_open',
  'output_accepted',
  'commit',
  'abort',
  'close',
  'playback_cancelled',
  'barge_in',
  'cancel',
  'data',
  'evidence',
  'reply',
  'outcome',
  'transition',
);

const planArb = fc.record({
  steps: fc.array(fc.record({ op: opArb, wait_ms: fc.integer({ min: 0, max: 700 }) }), {
    minLength: 1,
    maxLength: 6,
  }),
  hooks: fc.array(fc.record({ on: triggerArb, op: opArb, times: fc.integer({ min: 1, max: 2 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
});

type Plan = typeof planArb extends fc.Arbitrary<infer T> ? T : never;

const matches = (trigger: Trigger, o: RuntimeOutput): boolean =>
  o.kind === 'control' ? o.record.signal === trigger : o.kind === trigger;

/** Runs one plan on a fresh runtime with one session; returns what it delivered. */
async function run(plan: Plan): Promise<{ outputs: RuntimeOutput[]; runtime: Runtime }> {
  const time = createSimTime();
  const scheduler = time.scheduler;
  const runtime = createRuntime({
    bus,
    clock: time.clock,
    validator,
    providers: {
      stt: [createSimStt({ seed: 1, scheduler })],
      llm: [createSimLlm({ seed: 1, scheduler })],
      tts: [createSimTts({ seed: 1, scheduler, chunk_count: 1, chunk_interval_ms: 40 })],
    },
    evidence: createStageAEvidence({ validator }),
    limits: { max_active_turns: 1 },
  });
  const session_id = 's1';
  runtime.openSession({ session_id, tenant_id: 't1', authority_epoch: 1 });
  const outputs: RuntimeOutput[] = [];
  let n = 0;
  let epoch = 1;
  let closing: Promise<void> | undefined;
  const perform = (op: Op): void => {
    switch (op.op) {
      case 'feed': {
        const step = {
          at_ms: time.clock.now(),
          kind: op.kind,
          ...(op.text === undefined ? {} : { text: op.text }),
        };
        const record = ingressRecord(session_id, step, (n += 1), epoch);
        runtime.feed(session_id, {
          kind: op.kind,
          record,
          ...(op.kind === 'transcript_final' ? { text: op.text ?? 'hi' } : {}),
        });
        return;
      }
      case 'epoch':
        epoch += 1;
        runtime.setAuthority(session_id, { authority_epoch: epoch });
        return;
      case 'unauthorize':
        runtime.setAuthority(session_id, { authorized: false });
        return;
      case 'close':
        closing ??= runtime.closeSession(session_id);
    }
  };
  const left = plan.hooks.map((h) => h.times);
  runtime.subscribe(session_id, (o) => {
    outputs.push(o);
    plan.hooks.forEach((hook, i) => {
      if ((left[i] ?? 0) <= 0 || !matches(hook.on, o)) return;
      left[i] = (left[i] ?? 0) - 1;
      if (closing === undefined) perform(hook.op);
    });
  });
  for (const step of plan.steps) {
    if (closing !== undefined) break;
    perform(step.op);
    await time.advanceTo(time.clock.now() + step.wait_ms);
  }
  perform({ op: 'close' });
  let settled = false;
  void closing?.then(() => (settled = true));
  for (let i = 0; i < 2000 && !settled; i++) await time.advanceTo(time.clock.now() + 10);
  expect(settled).toBe(true);
  return { outputs, runtime };
}

/** Violations of the re-entrant properties in one run's outputs (empty when none). */
function violations(outputs: readonly RuntimeOutput[]): string[] {
  const found = checkTurnInvariants(machineOutputs(outputs), { complete: true });
  const ended = new Set<string>();
  const terminal = new Map<string, string>();
  for (const o of outputs) {
    if (o.kind === 'control' && typeof o.record.turn_id === 'string') {
      const { signal, turn_id, reason } = o.record;
      if (signal === 'commit' || signal === 'abort') {
        ended.add(turn_id);
        terminal.set(turn_id, signal === 'abort' ? `abort(${String(reason)})` : 'commit');
      }
    }
    if (o.kind === 'data' && typeof o.record.turn_id === 'string' && ended.has(o.record.turn_id))
      found.push(`data of ${o.record.turn_id} after its terminal`);
  }
  const evidence = new Map<string, string>();
  for (const o of outputs) {
    if (o.kind !== 'evidence' || !o.appended) continue;
    const t = o.terminal;
    evidence.set(o.turn_id, t.signal === 'abort' ? `abort(${String(t.reason)})` : 'commit');
  }
  for (const [turn_id, said] of terminal) {
    const recorded = evidence.get(turn_id);
    if (recorded !== undefined && recorded !== said)
      found.push(`${turn_id}: evidence says ${recorded}, ControlLane says ${said}`);
  }
  return found;
}

describe('re-entrant subscribers (issue 10)', () => {
  it(
    'keep the lifecycle invariants, the fence, evidence agreement and RK-25 slots',
    { timeout: 240_000 },
    async () => {
      await fc.assert(
        fc.asyncProperty(planArb, async (plan) => {
          const { outputs, runtime } = await run(plan);
          expect(violations(outputs)).toEqual([]);
          // Every RK-25 slot came back: with one slot, a new session still opens a turn.
          runtime.openSession({ session_id: 's2', tenant_id: 't1' });
          const seen: RuntimeOutput[] = [];
          runtime.subscribe('s2', (o) => seen.push(o));
          const record = ingressRecord(
            's2',
            { at_ms: 0, kind: 'transcript_final', text: 'hi' },
            1,
            1,
          );
          runtime.feed('s2', { kind: 'transcript_final', text: 'hi', record });
          expect(seen.some((o) => o.kind === 'control' && o.record.signal === 'turn_open')).toBe(
            true,
          );
          await runtime.stop();
        }),
        { seed: 20_261_207, numRuns: 1000 },
      );
    },
  );
});
