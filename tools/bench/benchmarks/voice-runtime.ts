/**
 * The runtime of a voice rig: seeded sims on real time whose LLM and TTS keep a set pace, so a
 * scenario states how much faster the LLM writes than the TTS speaks. The LLM reports every
 * delta it yields, so a scenario can compare what the transport got with what was produced.
 */
import { createRuntime, type Runtime, type RuntimeClock } from '../../../actors/index.ts';
import {
  createRealScheduler,
  createSimLlm,
  createSimStt,
  createSimTts,
} from '../../../adapters/providers/sim/index.ts';
import { createContractValidator, type BusPort, type LlmPort } from '../../../contracts/index.ts';
import { createStageAEvidence } from '../../run/evidence.ts';
import type { VoicePacing } from './runtime-kit.ts';

/** Sees one LLM delta: its index in the attempt's stream (0 starts an attempt) and text. */
type DeltaListener = (session_id: string, turn_id: string, index: number, text: string) => void;

/** `port`, reporting each delta it yields. */
function reportingLlm(port: LlmPort, onDelta: DeltaListener): LlmPort {
  return {
    capabilities: port.capabilities,
    async *stream(request) {
      for await (const chunk of port.stream(request)) {
        onDelta(request.session_id, request.turn_id, chunk.index, chunk.text);
        yield chunk;
      }
    },
  };
}

/** A runtime on `bus` and `clock` whose sims keep `pacing`; room for `max_sessions` talking at once. */
export function buildVoiceRuntime(
  bus: BusPort,
  clock: RuntimeClock,
  pacing: VoicePacing,
  max_sessions: number,
): Runtime {
  const validator = createContractValidator();
  // Every session may stream at once: the runtime's limits are the bound being measured.
  const common = { seed: 1, scheduler: createRealScheduler(), max_concurrency: max_sessions * 2 };
  const llm = createSimLlm({ ...common, ...pacing.llm });
  const onDelta = pacing.onLlmDelta;
  return createRuntime({
    bus,
    clock,
    validator,
    providers: {
      // The user has finished: the transcript is final at once, so the reply side is measured.
      stt: [createSimStt({ ...common, chunk_count: 1, first_chunk_ms: 0, chunk_interval_ms: 0 })],
      llm: [onDelta === undefined ? llm : reportingLlm(llm, onDelta)],
      tts: [createSimTts({ ...common, ...pacing.tts })],
    },
    evidence: createStageAEvidence({ validator }),
    // RK-25: every session may have its turn open at once.
    limits: { max_sessions, max_active_turns: max_sessions, audio_frames: 50 },
  });
}
