/**
 * The probe: `RoomServiceClient.listRooms([room])` against the configured server (Twirp JSON
 * over HTTP, `POST /twirp/livekit.RoomService/ListRooms`), signed with the probe token. A
 * non-2xx answer or no answer within the request timeout is a failure; no region failover, so
 * the configured host is the one checked.
 */
import { RoomServiceClient, TwirpError } from 'livekit-server-sdk';
import { createProbeToken } from './token.ts';

/** What the probe found (the report's `probe` section). */
export type ProbeResult = {
  readonly status: 'skipped' | 'passed' | 'failed';
  /** The server's HTTP status; null when skipped or nothing answered. */
  readonly http_status: number | null;
  /** Rooms listed (0 or 1: the probe asks for the configured room only); null unless passed. */
  readonly room_count: number | null;
  /** Why it failed, without secrets; absent otherwise. */
  readonly error?: string;
};

/** What a probe needs. */
export type ProbeTarget = {
  readonly url: string;
  readonly api_key: string;
  readonly api_secret: string;
  readonly room: string;
  readonly session_id: string;
  readonly request_timeout_ms: number;
};

/** The report's `probe` section when no probe ran. */
export const PROBE_SKIPPED: ProbeResult = {
  status: 'skipped',
  http_status: null,
  room_count: null,
};

/** Lists the configured room; resolves to the result, never rejects. */
export async function probeLiveKit(target: ProbeTarget): Promise<ProbeResult> {
  try {
    const client = new RoomServiceClient(target.url, undefined, undefined, {
      token: await createProbeToken(target),
      requestTimeout: target.request_timeout_ms / 1000,
      failover: false,
    });
    const rooms = await client.listRooms([target.room]);
    return { status: 'passed', http_status: 200, room_count: rooms.length };
  } catch (error) {
    if (error instanceof TwirpError)
      return {
        status: 'failed',
        http_status: error.status,
        room_count: null,
        error: `HTTP ${error.status}${error.code === undefined ? '' : ` (${error.code})`}`,
      };
    return { status: 'failed', http_status: null, room_count: null, error: describe(error) };
  }
}

/** A network failure in a few words (fetch wraps the system error as its `cause`). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'request failed';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? `${error.message} (${cause.code})` : error.message;
}
