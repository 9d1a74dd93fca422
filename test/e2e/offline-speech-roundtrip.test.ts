// Issue 11, offline round trip with real audio (ADR 0043): flite speaks a known sentence as the
// user, pocketsphinx (general language model, one process for the stream) hears it from 20 ms
// PCM frames, the sim LLM answers the transcript, and flite speaks the reply as the LLM streams
// it. Checks the transcript's key words and that the reply audio is non-silent and as long as
// its text. No clock is read: durations are sample counts. A missing program fails the test
// with the install command (.ci/run installs them).
import { beforeEach, describe, expect, it } from 'vitest';
import {
  invokeProvider,
  type LlmChunk,
  type LlmInput,
  type SttChunk,
  type SttInput,
  type TtsChunk,
  type TtsInput,
} from '../../contracts/index.ts';
import { createFliteTts, fliteConfigFromEnv } from '../../adapters/providers/flite/index.ts';
import {
  createPocketsphinxStt,
  pocketsphinxConfigFromEnv,
} from '../../adapters/providers/pocketsphinx/index.ts';
import {
  createRealScheduler,
  createSimLlm,
  createZeroLatencyScheduler,
} from '../../adapters/providers/sim/index.ts';
import {
  requireOfflineSpeech,
  rmsDbfs,
  silenceFrames,
  spokenFrames,
} from '../harness/offline-speech.ts';
import { attemptFields, fromArray, requestOf } from '../conformance/providers/fixtures.ts';

const USER_SENTENCE = 'What is the weather like in London today?';
/** Words the general model must hear (it may miss others: WER is ~14 % on flite audio). */
const KEY_WORDS = ['weather', 'london', 'today'];

/** One attempt of `port`, its chunks collected; fails on anything but success. */
async function attempt<TChunk>(
  run: (onChunk: (chunk: TChunk) => void) => Promise<{ outcome: { class: string } }>,
): Promise<TChunk[]> {
  const chunks: TChunk[] = [];
  const settled = await run((chunk) => void chunks.push(chunk));
  expect(settled.outcome.class).toBe('success');
  return chunks;
}

describe('offline speech round trip (flite -> pocketsphinx -> sim LLM -> flite)', () => {
  beforeEach(requireOfflineSpeech(['flite', 'pocketsphinx']));

  it('hears the user, answers, and speaks a non-silent reply as long as its text', async () => {
    const signal = new AbortController().signal;
    const scheduler = createRealScheduler();

    // The user: a male flite voice, with quiet before and after, as a transport would feed it.
    const user: SttInput[] = [
      ...silenceFrames(300),
      ...(await spokenFrames(USER_SENTENCE, 'rms')),
      ...silenceFrames(600),
    ];

    const stt = createPocketsphinxStt({ config: pocketsphinxConfigFromEnv({}), scheduler });
    const heard = await attempt<SttChunk>((onChunk) =>
      invokeProvider(
        stt,
        requestOf(attemptFields('stt', 'stt-pocketsphinx'), fromArray(user), signal),
        onChunk,
      ),
    );
    const final = heard.at(-1)!;
    expect(final.type).toBe('final');
    const words = final.text.split(/\s+/);
    for (const word of KEY_WORDS) expect(words).toContain(word);

    const llm = createSimLlm({ seed: 11, scheduler: createZeroLatencyScheduler() });
    const context: LlmInput[] = [
      { type: 'message', role: 'system', text: 'You are a terse voice agent.' },
      { type: 'message', role: 'user', text: final.text },
    ];
    const deltas = await attempt<LlmChunk>((onChunk) =>
      invokeProvider(
        llm,
        requestOf(attemptFields('llm', 'llm-sim'), fromArray(context), signal),
        onChunk,
      ),
    );
    const reply = deltas.map((delta) => delta.text).join('');
    expect(reply).toMatch(/^\S.*\.$/);

    // The agent: flite's default voice, fed the deltas as the LLM streamed them.
    const tts = createFliteTts({ config: fliteConfigFromEnv({}), scheduler });
    const input = deltas.map((delta): TtsInput => ({ type: 'text', text: delta.text }));
    const spoken = await attempt<TtsChunk>((onChunk) =>
      invokeProvider(
        tts,
        requestOf(attemptFields('tts', 'tts-flite'), fromArray(input), signal),
        onChunk,
      ),
    );
    expect(spoken.every((frame) => frame.pcm.length === 320 && frame.duration_ms === 20)).toBe(
      true,
    );
    expect(spoken.at(-1)?.input_index).toBe(deltas.length - 1);
    expect(rmsDbfs(spoken.map((frame) => frame.pcm))).toBeGreaterThan(-35);
    // Speech runs at 8-25 characters a second (flite's slt: ~14), plus up to 0.5 s of pauses.
    const seconds = (spoken.length * 20) / 1000;
    expect(seconds).toBeGreaterThan(reply.length / 25);
    expect(seconds).toBeLessThan(reply.length / 8 + 0.5);
  });
});
