// Live smoke tests of the streaming STT adapters against the real services. Each runs only when
// RSPP_LIVE_PROVIDER_SMOKE=1 and the provider's key variable are set (the loopback guard refuses
// every other host), so CI never needs them; vitest reports them apart, as skipped, otherwise.
// The audio is one second of a tone, so the check is the protocol (a final arrives), not words.
import { describe, expect, it } from 'vitest';
import { invokeProvider, type SttChunk, type SttPort } from '../../contracts/index.ts';
import type { ProviderEnv } from '../../adapters/providers/kit/index.ts';
import {
  assemblyAiConfigFromEnv,
  createAssemblyAiStt,
} from '../../adapters/providers/assemblyai/index.ts';
import {
  createDeepgramStt,
  deepgramConfigFromEnv,
} from '../../adapters/providers/deepgram/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { allowLiveHosts } from '../harness/loopback-guard.ts';
import { attemptFields, fromArray, requestOf } from '../conformance/providers/fixtures.ts';
import { toneFrames } from '../conformance/providers/stt-port-conformance.ts';

const env: ProviderEnv = process.env;
const live = (keyVariable: string) =>
  env['RSPP_LIVE_PROVIDER_SMOKE'] === '1' && (env[keyVariable] ?? '') !== '';

const targets = [
  {
    key: 'RSPP_STT_DEEPGRAM_API_KEY',
    create: () =>
      createDeepgramStt({ config: deepgramConfigFromEnv(env), scheduler: createRealScheduler() }),
    host: () => deepgramConfigFromEnv(env).url.hostname,
  },
  {
    key: 'RSPP_STT_ASSEMBLYAI_API_KEY',
    create: () =>
      createAssemblyAiStt({
        config: assemblyAiConfigFromEnv(env),
        scheduler: createRealScheduler(),
      }),
    host: () => assemblyAiConfigFromEnv(env).url.hostname,
  },
] as const;

for (const target of targets) {
  describe.runIf(live(target.key))(`live: ${target.key.replace(/_API_KEY$/, '')}`, () => {
    it('streams a second of 48 kHz audio and ends with one final', async () => {
      allowLiveHosts([target.host()]);
      const stt: SttPort = target.create();
      const collected: SttChunk[] = [];
      const settled = await invokeProvider(
        stt,
        requestOf(
          attemptFields('stt', stt.capabilities.provider_id),
          fromArray(toneFrames(50, 48_000)),
          new AbortController().signal,
        ),
        (chunk) => void collected.push(chunk),
      );
      expect(settled.error).toBeNull();
      expect(settled.outcome.class).toBe('success');
      expect(collected.at(-1)?.type).toBe('final');
    }, 30_000);
  });
}
