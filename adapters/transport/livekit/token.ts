/**
 * Access tokens with `livekit-server-sdk`'s `AccessToken`, each with only the grants its use
 * needs: the agent joins one room, subscribes to the caller and publishes its microphone track
 * (no data, no metadata updates, no admin); the probe lists that room (the spec's probe claims).
 */
import { AccessToken, TrackSource } from 'livekit-server-sdk';

/** Who a token is for and the credentials that sign it. */
export type TokenIdentity = {
  readonly api_key: string;
  readonly api_secret: string;
  readonly room: string;
};

/** The identity the agent joins with. */
export function agentIdentity(session_id: string): string {
  return `rspp-agent-${session_id}`;
}

/** The agent's join token (valid 10 minutes; a session longer than that keeps its connection). */
export async function createAgentToken(
  identity: TokenIdentity & { readonly session_id: string },
): Promise<string> {
  const token = new AccessToken(identity.api_key, identity.api_secret, {
    identity: agentIdentity(identity.session_id),
    ttl: '10m',
  });
  token.addGrant({
    roomJoin: true,
    room: identity.room,
    canSubscribe: true,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canPublishData: false,
    canUpdateOwnMetadata: false,
    agent: true,
  });
  return token.toJwt();
}

/** The probe's token: `sub` the session id, list and administer the one room, 5 minutes. */
export async function createProbeToken(
  identity: TokenIdentity & { readonly session_id: string },
): Promise<string> {
  const token = new AccessToken(identity.api_key, identity.api_secret, {
    identity: identity.session_id,
    ttl: '5m',
  });
  token.addGrant({ roomList: true, roomAdmin: true, room: identity.room });
  return token.toJwt();
}
