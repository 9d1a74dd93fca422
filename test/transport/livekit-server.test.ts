// Tokens and the RoomService probe of the LiveKit transport, against a loopback fake of the
// RoomService API (Twirp JSON over HTTP); tokens decoded with the SDK's TokenVerifier.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentIdentity,
  createAgentToken,
  createProbeToken,
  probeLiveKit,
} from '../../adapters/transport/livekit/index.ts';
import { startRoomServiceFake, type RoomServiceFake } from '../harness/livekit-room-service.ts';

const KEY = 'APItestkey';
const SECRET = 'test-secret-0123456789-0123456789';
const who = { api_key: KEY, api_secret: SECRET, room: 'support-42', session_id: 'sess-7' };

let fake: RoomServiceFake | null = null;
afterEach(async () => {
  await fake?.close();
  fake = null;
});

describe('LiveKit tokens', () => {
  it('gives the agent only what it needs: join one room, subscribe, publish its microphone', async () => {
    const claims = await new TokenVerifier(KEY, SECRET).verify(await createAgentToken(who));
    expect(claims.sub).toBe(agentIdentity('sess-7'));
    expect(claims.iss).toBe(KEY);
    expect(claims.video).toEqual({
      roomJoin: true,
      room: 'support-42',
      canSubscribe: true,
      canPublish: true,
      canPublishSources: ['microphone'],
      canPublishData: false,
      canUpdateOwnMetadata: false,
      agent: true,
    });
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(600);
  });

  it('gives the probe list and admin on the one room, for 5 minutes, as the session', async () => {
    const claims = await new TokenVerifier(KEY, SECRET).verify(await createProbeToken(who));
    expect(claims.sub).toBe('sess-7');
    expect(claims.video).toEqual({ roomList: true, roomAdmin: true, room: 'support-42' });
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(300);
  });

  it('is refused by a verifier holding another secret', async () => {
    await expect(
      new TokenVerifier(KEY, 'another-secret-0123456789-01234').verify(await createAgentToken(who)),
    ).rejects.toThrow();
  });
});

describe('probeLiveKit', () => {
  const target = (url: string, secret = SECRET) => ({
    ...who,
    api_secret: secret,
    url,
    request_timeout_ms: 5000,
  });

  it('passes when RoomService lists rooms, asking for the configured one with the probe token', async () => {
    fake = await startRoomServiceFake({
      api_key: KEY,
      api_secret: SECRET,
      rooms: ['support-42', 'other'],
    });
    expect(await probeLiveKit(target(fake.url))).toEqual({
      status: 'passed',
      http_status: 200,
      room_count: 1,
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      path: '/twirp/livekit.RoomService/ListRooms',
      body: { names: ['support-42'] },
      claims: { sub: 'sess-7', video: { roomList: true, room: 'support-42' } },
    });
  });

  it('passes with 0 rooms when the room does not exist yet (LiveKit creates rooms on join)', async () => {
    fake = await startRoomServiceFake({ api_key: KEY, api_secret: SECRET, rooms: [] });
    expect(await probeLiveKit(target(fake.url))).toMatchObject({ status: 'passed', room_count: 0 });
  });

  it('fails with the HTTP status when the server refuses the credentials', async () => {
    fake = await startRoomServiceFake({
      api_key: KEY,
      api_secret: 'server-side-secret-0123456789-0',
    });
    expect(await probeLiveKit(target(fake.url))).toEqual({
      status: 'failed',
      http_status: 401,
      room_count: null,
      error: 'HTTP 401 (unauthenticated)',
    });
  });

  it('fails with the HTTP status on a server error, without failing over elsewhere', async () => {
    fake = await startRoomServiceFake({ api_key: KEY, api_secret: SECRET, fail_with: 503 });
    expect(await probeLiveKit(target(fake.url))).toMatchObject({
      status: 'failed',
      http_status: 503,
    });
    expect(fake.requests).toHaveLength(1);
  });

  it('fails with no status when nothing listens', async () => {
    fake = await startRoomServiceFake({ api_key: KEY, api_secret: SECRET });
    const url = fake.url;
    await fake.close();
    fake = null;
    const result = await probeLiveKit(target(url));
    expect(result).toMatchObject({ status: 'failed', http_status: null, room_count: null });
    expect(result.error).toMatch(/ECONNREFUSED/);
    expect(result.error).not.toContain(SECRET);
  });
});
