/**
 * A loopback fake of LiveKit's RoomService API (Twirp JSON over HTTP on 127.0.0.1): `ListRooms`
 * checks the bearer token with `TokenVerifier` (key, secret, `roomList` grant) and lists the
 * rooms it holds that the request names; `fail_with` makes every call answer that status with a
 * Twirp error body. Every request is recorded with its verified claims.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenVerifier, type ClaimGrants } from 'livekit-server-sdk';

/** One request as received. */
export type RoomServiceRequest = {
  readonly path: string;
  readonly body: unknown;
  readonly claims: ClaimGrants | null;
};

/** The running fake. */
export type RoomServiceFake = {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: readonly RoomServiceRequest[];
  close(): Promise<void>;
};

/** Starts the fake with `rooms` and the credentials it accepts. */
export async function startRoomServiceFake(options: {
  readonly api_key: string;
  readonly api_secret: string;
  readonly rooms?: readonly string[];
  readonly fail_with?: number;
}): Promise<RoomServiceFake> {
  const requests: RoomServiceRequest[] = [];
  const verifier = new TokenVerifier(options.api_key, options.api_secret);
  const twirpError = (res: http.ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, msg: code }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = null;
        }
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        let claims: ClaimGrants | null;
        try {
          claims = bearer === undefined ? null : await verifier.verify(bearer);
        } catch {
          claims = null;
        }
        requests.push({ path: req.url ?? '', body, claims });
        if (options.fail_with !== undefined) return twirpError(res, options.fail_with, 'internal');
        if (req.method !== 'POST' || req.url !== '/twirp/livekit.RoomService/ListRooms')
          return twirpError(res, 404, 'bad_route');
        if (claims?.video?.roomList !== true) return twirpError(res, 401, 'unauthenticated');
        const names = (body as { names?: string[] } | null)?.names ?? [];
        const rooms = (options.rooms ?? [])
          .filter((name) => names.length === 0 || names.includes(name))
          .map((name, i) => ({ sid: `RM_${String(i)}`, name }));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ rooms }));
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
