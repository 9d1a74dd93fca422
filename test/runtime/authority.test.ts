import { describe, expect, it } from 'vitest';
import { RuntimeError, type RuntimeOutput } from '../../actors/index.ts';
import { createEmbeddedBus } from '../../adapters/bus/embedded/index.ts';
import { createContractValidator } from '../../contracts/index.ts';
import { checkTurnInvariants } from '../../machines/invariants.ts';
import { transportEvent, type ScriptStep } from '../../tools/run/script.ts';
import { buildSimRuntime } from '../../tools/run/session-run.ts';
import { machineOutputs, summarize } from './kit.ts';

const validator = createContractValidator();

/** A runtime with one open session `s1` (epoch 1) whose outputs are collected. */
function open() {
  const { runtime, time } = buildSimRuntime({ bus: createEmbeddedBus() });
  runtime.openSession({ session_id: 's1', tenant_id: 't1', authority_epoch: 1 });
  const outputs: RuntimeOutput[] = [];
  runtime.subscribe('s1', (o) => outputs.push(o));
  let n = 0;
  const feed = (step: Omit<ScriptStep, 'at_ms'>, epoch = 1) =>
    runtime.feed('s1', transportEvent('s1', { ...step, at_ms: time.clock.now() }, (n += 1), epoch));
  const control = () => summarize(outputs.flatMap((o) => (o.kind === 'control' ? [o.record] : [])));
  return { runtime, time, outputs, feed, control };
}

describe('Runtime authority (RK-24)', () => {
  it('revokes a speaking turn when the lease is lost: fenced at once, deauthorized_drain, abort(authority_loss), close', async () => {
    const { runtime, time, outputs, feed, control } = open();
    feed({ kind: 'transcript_final', text: 'hello there' });
    await time.advanceTo(620);
    expect(outputs.some((o) => o.kind === 'data')).toBe(true);
    expect(runtime.setAuthority('s1', { authorized: false })).toBe(true);
    const revokedAt = outputs.length;
    await time.advanceTo(3000);
    const lines = control();
    expect(lines).toContain('RK-03 abort(authority_loss) turn-1');
    expect(lines.filter((l) => l.includes('commit'))).toEqual([]);
    expect(lines.at(-1)).toBe('RK-03 close turn-1');
    expect(outputs.slice(revokedAt).filter((o) => o.kind === 'data')).toEqual([]);
    expect(checkTurnInvariants(machineOutputs(outputs), { complete: true })).toEqual([]);
  });

  it('refuses a new turn after the lease is lost, with a pre-turn outcome and no abort or close', async () => {
    const { runtime, time, outputs, feed, control } = open();
    runtime.setAuthority('s1', { authorized: false });
    feed({ kind: 'transcript_final', text: 'are you there' });
    await time.advanceTo(2000);
    const lines = control();
    expect(lines.filter((l) => /abort|close|commit/.test(l))).toEqual([]);
    const kinds = outputs.flatMap((o) => (o.kind === 'outcome' ? [o.outcome.outcome_kind] : []));
    expect(kinds).toContain('deauthorized_drain');
    expect(outputs.some((o) => o.kind === 'data')).toBe(false);
  });

  it('moves to a new epoch: the old-epoch turn is revoked, old-epoch ingress is rejected, new-epoch turns run', async () => {
    const { runtime, time, outputs, feed, control } = open();
    feed({ kind: 'transcript_final', text: 'first question' });
    await time.advanceTo(620);
    expect(runtime.setAuthority('s1', { authority_epoch: 2 })).toBe(true);
    await time.advanceTo(3000);
    expect(control()).toContain('RK-03 abort(authority_loss) turn-1');

    const stale = feed({ kind: 'transcript_final', text: 'from the old placement' }, 1);
    expect(stale).toMatchObject({
      accepted: false,
      rejection: { code: 'stale_epoch', message: 'authority_epoch: expected 2, received 1' },
    });
    const rejectSignals = outputs.flatMap((o) =>
      o.kind === 'control' && o.record.signal === 'stale_epoch_reject' ? [o.record] : [],
    );
    expect(rejectSignals).toHaveLength(1);
    expect(validator.validate('control_signal', rejectSignals[0]).valid).toBe(true);

    expect(feed({ kind: 'transcript_final', text: 'second question' }, 2)).toEqual({
      accepted: true,
    });
    await time.advanceTo(8000);
    const lines = control();
    expect(lines).toContain('RK-03 commit turn-2');
    const opened = outputs.flatMap((o) =>
      o.kind === 'control' && o.record.signal === 'turn_open' ? [o.record.authority_epoch] : [],
    );
    expect(opened).toEqual([1, 2]);
    expect(checkTurnInvariants(machineOutputs(outputs), { complete: true })).toEqual([]);
  });

  it('leaves a turn of the current epoch alone and reports no revoke', async () => {
    const { runtime, time, feed, control } = open();
    feed({ kind: 'transcript_final', text: 'hello there' });
    await time.advanceTo(300);
    expect(runtime.setAuthority('s1', { authority_epoch: 1, authorized: true })).toBe(false);
    await time.advanceTo(5000);
    expect(control()).toContain('RK-03 commit turn-1');
  });

  it('rejects a malformed authority change, naming the field, expected and received', () => {
    const { runtime } = open();
    expect(() => runtime.setAuthority('s1', { authority_epoch: -1 })).toThrow(
      /authority_epoch: expected an integer >= 0, received -1/,
    );
    expect(() => runtime.setAuthority('s1', { authorized: 'no' as never })).toThrow(RuntimeError);
    expect(() => runtime.setAuthority('nope', { authorized: false })).toThrow(/unknown session/);
  });

  it('reports no revoke for a session that has already ended, instead of throwing', async () => {
    const { runtime } = open();
    await runtime.closeSession('s1');
    expect(runtime.setAuthority('s1', { authorized: false })).toBe(false);
    expect(() => runtime.setAuthority('s1', { authority_epoch: -1 })).toThrow(/authority_epoch/);
  });
});
