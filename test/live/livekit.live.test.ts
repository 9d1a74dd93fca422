// Live smoke test of the LiveKit transport against a real server. It runs only when
// RSPP_LIVEKIT_URL, RSPP_LIVEKIT_API_KEY and RSPP_LIVEKIT_API_SECRET are set; a non-loopback
// server also needs RSPP_LIVE_PROVIDER_SMOKE=1 (the loopback guard refuses other hosts), so CI
// never needs one. It probes the room, joins it as the agent, publishes the agent track and
// leaves; vitest reports it as skipped otherwise.
import { describe, expect, it } from 'vitest';
import {
  createAgentToken,
  createRtcBinding,
  liveKitConfigFrom,
  probeLiveKit,
} from '../../adapters/transport/livekit/index.ts';
import { startLiveKitSession } from '../../tools/run/livekit-session.ts';
import { allowLiveHosts } from '../harness/loopback-guard.ts';

const env = process.env;
const live = ['RSPP_LIVEKIT_URL', 'RSPP_LIVEKIT_API_KEY', 'RSPP_LIVEKIT_API_SECRET'].every(
  (name) => (env[name] ?? '') !== '',
);

describe.runIf(live)('LiveKit live smoke', { timeout: 60_000 }, () => {
  const config = () => liveKitConfigFrom(env, { probe: true, dry_run: false });
  const allow = (url: string) => {
    const host = new URL(url).hostname;
    if (!/^(127\.|localhost$|\[::1\]$)/.test(host)) allowLiveHosts([host]);
  };

  it('probes the server through RoomService', async () => {
    const c = config();
    allow(c.url ?? '');
    const result = await probeLiveKit({
      url: c.url ?? '',
      api_key: c.api_key ?? '',
      api_secret: c.api_secret ?? '',
      room: c.room,
      session_id: c.session_id,
      request_timeout_ms: c.request_timeout_ms,
    });
    expect(result.status).toBe('passed');
  });

  it('joins the room as the agent, reports connected, publishes its track and leaves', async () => {
    const c = config();
    allow(c.url ?? '');
    const token = await createAgentToken({
      api_key: c.api_key ?? '',
      api_secret: c.api_secret ?? '',
      room: c.room,
      session_id: c.session_id,
    });
    const session = await startLiveKitSession({
      config: c,
      binding: createRtcBinding(),
      url: c.url ?? '',
      token,
    });
    expect(session.lifecycle.map((e) => e.event)).toEqual(
      expect.arrayContaining(['agent_track_published']),
    );
    expect(session.fed[0]?.event.record).toMatchObject({
      lane: 'ControlLane',
      signal: 'connected',
    });
    await session.stop();
  });
});
