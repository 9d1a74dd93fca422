import { inject, describe, expect, it } from 'vitest';
import { createNatsBus } from '../../adapters/bus/nats/index.ts';
import type { ControlSignal } from '../../contracts/index.ts';
import { withoutWallClock } from '../../tools/run/format.ts';
import { runScriptedSession } from '../../tools/run/session-run.ts';
import { runEmbedded } from './kit.ts';

/**
 * The records with the session id replaced and the idempotency key (a hash over the session id)
 * left out: JetStream dedupes message ids across runs, so each NATS run needs its own session.
 */
function normalized(control: readonly ControlSignal[], session_id: string): string {
  const records = control.map((signal) => {
    const { idempotency_key: _key, ...rest } = withoutWallClock(signal);
    return rest;
  });
  return JSON.stringify(records).split(session_id).join('<session>');
}

describe('runtime on the NATS bus', () => {
  it('delivers the same ControlLane sequence as the embedded bus, byte for byte', async () => {
    const bus = await createNatsBus({ servers: inject('natsUrl'), name: 'runtime-test' });
    const session_id = `nats-${String(process.pid)}-${String(Date.now())}`;
    try {
      const viaNats = await runScriptedSession({ bus, session_id, seed: 3 });
      const embedded = await runEmbedded({ session_id: 'embedded', seed: 3 });
      expect(viaNats.control.length).toBe(embedded.control.length);
      expect(normalized(viaNats.control, session_id)).toBe(
        normalized(embedded.control, 'embedded'),
      );
    } finally {
      await bus.close();
    }
  });
});
