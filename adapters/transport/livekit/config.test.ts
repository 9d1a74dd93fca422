import { describe, expect, it } from 'vitest';
import { LiveKitConfigError, liveKitConfigFrom } from './config.ts';

const SERVER = {
  RSPP_LIVEKIT_URL: 'wss://example.livekit.cloud',
  RSPP_LIVEKIT_API_KEY: 'APIkey123',
  RSPP_LIVEKIT_API_SECRET: 'very-secret-value-123',
};

/** The error `liveKitConfigFrom` throws for these settings. */
function refusal(...args: Parameters<typeof liveKitConfigFrom>): LiveKitConfigError {
  try {
    liveKitConfigFrom(...args);
  } catch (error) {
    if (error instanceof LiveKitConfigError) return error;
    throw error;
  }
  throw new Error('expected a LiveKitConfigError');
}

describe('liveKitConfigFrom', () => {
  it('gives the spec defaults for an empty environment (a dry run needs no credentials)', () => {
    expect(liveKitConfigFrom({})).toEqual({
      url: undefined,
      api_key: undefined,
      api_secret: undefined,
      room: 'rspp-default-room',
      session_id: 'sess-livekit-runtime',
      turn_id: 'turn-livekit-runtime',
      pipeline_version: 'pipeline-v1',
      authority_epoch: 1,
      default_data_class: 'audio_raw',
      dry_run: true,
      probe: false,
      request_timeout_ms: 5000,
    });
  });

  it('reads every RSPP_LIVEKIT_* variable, and flags override them', () => {
    const env = {
      ...SERVER,
      RSPP_LIVEKIT_ROOM: 'support-42',
      RSPP_LIVEKIT_SESSION_ID: 'sess-9',
      RSPP_LIVEKIT_TURN_ID: 'turn-9',
      RSPP_LIVEKIT_PIPELINE_VERSION: 'voice@2',
      RSPP_LIVEKIT_AUTHORITY_EPOCH: '7',
      RSPP_LIVEKIT_DEFAULT_DATA_CLASS: 'text_raw',
      RSPP_LIVEKIT_DRY_RUN: 'false',
      RSPP_LIVEKIT_PROBE: 'true',
      RSPP_LIVEKIT_REQUEST_TIMEOUT_MS: '250',
    };
    expect(liveKitConfigFrom(env)).toMatchObject({
      room: 'support-42',
      session_id: 'sess-9',
      turn_id: 'turn-9',
      pipeline_version: 'voice@2',
      authority_epoch: 7,
      default_data_class: 'text_raw',
      dry_run: false,
      probe: true,
      request_timeout_ms: 250,
    });
    expect(
      liveKitConfigFrom(env, { room: 'other', authority_epoch: '8', dry_run: true, probe: false }),
    ).toMatchObject({ room: 'other', authority_epoch: 8, dry_run: true, probe: false });
  });

  it.each([
    [{ RSPP_LIVEKIT_DRY_RUN: 'false' }, 'RSPP_LIVEKIT_URL', 'nothing'],
    [
      { RSPP_LIVEKIT_PROBE: 'true', RSPP_LIVEKIT_URL: SERVER.RSPP_LIVEKIT_URL },
      'RSPP_LIVEKIT_API_KEY',
      'nothing',
    ],
    [{ RSPP_LIVEKIT_URL: 'ftp://host' }, 'RSPP_LIVEKIT_URL', '"ftp://host"'],
    [{ RSPP_LIVEKIT_URL: 'not a url' }, 'RSPP_LIVEKIT_URL', '"not a url"'],
    [{ RSPP_LIVEKIT_ROOM: 'has space' }, 'RSPP_LIVEKIT_ROOM', '"has space"'],
    [{ RSPP_LIVEKIT_SESSION_ID: 'a.b' }, 'RSPP_LIVEKIT_SESSION_ID', '"a.b"'],
    [{ RSPP_LIVEKIT_AUTHORITY_EPOCH: '-1' }, 'RSPP_LIVEKIT_AUTHORITY_EPOCH', '"-1"'],
    [{ RSPP_LIVEKIT_DEFAULT_DATA_CLASS: 'PII' }, 'RSPP_LIVEKIT_DEFAULT_DATA_CLASS', '"PII"'],
    [{ RSPP_LIVEKIT_DRY_RUN: 'yes' }, 'RSPP_LIVEKIT_DRY_RUN', '"yes"'],
    [{ RSPP_LIVEKIT_REQUEST_TIMEOUT_MS: '0' }, 'RSPP_LIVEKIT_REQUEST_TIMEOUT_MS', '"0"'],
  ])('fails closed on %j naming the variable, expected and received', (env, variable, received) => {
    const error = refusal(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(
      new RegExp(
        `^${variable} must be .+, received ${received.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      ),
    );
  });

  it('names the flag when the flag is wrong', () => {
    expect(refusal({}, { room: 'a b' }).variable).toBe('--room');
    expect(refusal({}, { authority_epoch: 'x' }).message).toBe(
      `--authority-epoch must be an integer from 0 to ${Number.MAX_SAFE_INTEGER}, received "x"`,
    );
  });

  it('never prints a secret: neither the API secret nor credentials in the URL', () => {
    const secret = 'super secret with spaces';
    const bad = refusal({ ...SERVER, RSPP_LIVEKIT_API_SECRET: secret, RSPP_LIVEKIT_PROBE: 'true' });
    expect(bad.variable).toBe('RSPP_LIVEKIT_API_SECRET');
    expect(bad.message).not.toContain('secret with');
    expect(bad.message).toContain('(not shown)');
    const url = refusal({ RSPP_LIVEKIT_URL: 'wss://user:hunter2@host' });
    expect(url.message).not.toContain('hunter2');
    expect(url.message).toContain('a URL with credentials in it');
  });
});
