/**
 * Types shared by node actors and the graph: what travels on edges and the provider catalogue a
 * runtime is given.
 */
import type { LlmPort, SttPort, TtsPort } from '../../contracts/index.ts';
import type { AnyProviderPort } from '../../contracts/internal.ts';

/**
 * One item on an edge: text (transcripts, token deltas) or one PCM16 mono audio frame. A frame a
 * TTS node produced names the input text item it speaks (`spoken_index`, 0-based in the order
 * the node read its text), so what the transport played maps back to the words of the reply.
 */
export type GraphItem =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'audio';
      readonly pcm: Int16Array;
      readonly sample_rate_hz: number;
      readonly duration_ms: number;
      readonly spoken_index?: number;
    };

/** Providers by modality; the first of each list is the default when the plan binds none. */
export type ProviderCatalogue = {
  readonly stt?: readonly SttPort[];
  readonly llm?: readonly LlmPort[];
  readonly tts?: readonly TtsPort[];
};

/** The ports of one modality, looked up by provider id. */
export function portsOf(
  catalogue: ProviderCatalogue,
  modality: 'stt' | 'llm' | 'tts',
): readonly AnyProviderPort[] {
  return catalogue[modality] ?? [];
}
