// Live smoke tests of the cloud TTS adapters against the real services. Each runs only when
// RSPP_LIVE_PROVIDER_SMOKE=1 and the provider's key variable are set (the loopback guard refuses
// every other host), so CI never needs them; vitest reports them apart, as skipped, otherwise.
import { describe, expect, it } from 'vitest';
import { invokeProvider, type TtsChunk, type TtsPort } from '../../contracts/index.ts';
import type { ProviderEnv } from '../../adapters/providers/kit/index.ts';
import {
  createElevenLabsTts,
  elevenLabsConfigFromEnv,
} from '../../adapters/providers/elevenlabs/index.ts';
import {
  createGoogleTts,
  googleTtsConfigFromEnv,
} from '../../adapters/providers/google-tts/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { allowLiveHosts } from '../harness/loopback-guard.ts';
import { attemptFields, fromArray, requestOf } from '../conformance/providers/fixtures.ts';

const env: ProviderEnv = process.env;
const live = (keyVariable: string) =>
  env['RSPP_LIVE_PROVIDER_SMOKE'] === '1' && (env[keyVariable] ?? '') !== '';

const targets = [
  {
    key: 'RSPP_TTS_ELEVENLABS_API_KEY',
    create: () =>
      createElevenLabsTts({
        config: elevenLabsConfigFromEnv(env),
        scheduler: createRealScheduler(),
      }),
    host: () => elevenLabsConfigFromEnv(env).base_url.hostname,
  },
  {
    key: 'RSPP_TTS_GOOGLE_API_KEY',
    create: () =>
      createGoogleTts({ config: googleTtsConfigFromEnv(env), scheduler: createRealScheduler() }),
    host: () => googleTtsConfigFromEnv(env).endpoint.hostname,
  },
] as const;

for (const target of targets) {
  describe.runIf(live(target.key))(`live: ${target.key.replace(/_API_KEY$/, '')}`, () => {
    it('speaks two streamed sentences as 20 ms frames of 16 kHz PCM16', async () => {
      allowLiveHosts([target.host()]);
      const tts: TtsPort = target.create();
      const collected: TtsChunk[] = [];
      const settled = await invokeProvider(
        tts,
        requestOf(
          attemptFields('tts', tts.capabilities.provider_id),
          fromArray([
            { type: 'text', text: 'Hello there. This is a' },
            { type: 'text', text: ' short test.' },
          ] as const),
          new AbortController().signal,
        ),
        (chunk) => void collected.push(chunk),
      );
      expect(settled.error).toBeNull();
      expect(settled.outcome.class).toBe('success');
      // Two sentences of speech last well over half a second.
      expect(collected.length).toBeGreaterThan(25);
      expect(collected.at(-1)?.input_index).toBe(1);
    });
  });
}
