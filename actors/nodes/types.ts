/**
 * Types shared by node actors and the graph executor: what travels on edges, the provider
 * catalogue a runtime is given, and what a node reports back.
 */
import type {
  AnyProviderPort,
  ControlSignal,
  InvocationAttempt,
  LlmPort,
  SttPort,
  TtsPort,
} from '../../contracts/index.ts';
import type { NodeAbortRequested } from '../../machines/index.ts';

/** One item on an edge: text (transcripts, token deltas) or one PCM16 audio frame. */
export type GraphItem =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'audio';
      readonly pcm: Int16Array;
      readonly sample_rate_hz: number;
      readonly duration_ms: number;
    };

/** Providers by modality; the first of each list is the default when the plan binds none. */
export type ProviderCatalogue = {
  readonly stt?: readonly SttPort[];
  readonly llm?: readonly LlmPort[];
  readonly tts?: readonly TtsPort[];
};

/** Everything a node reports to its graph, in the order it happened. */
export type NodeReport =
  | { readonly kind: 'signal'; readonly signal: ControlSignal }
  | { readonly kind: 'attempt'; readonly record: InvocationAttempt }
  | {
      readonly kind: 'item';
      readonly node_id: string;
      readonly item: GraphItem;
      readonly provider_invocation_id: string;
    }
  | { readonly kind: 'done'; readonly node_id: string }
  | { readonly kind: 'failed'; readonly node_id: string; readonly request: NodeAbortRequested };

/** The ports of one modality, looked up by provider id. */
export function portsOf(
  catalogue: ProviderCatalogue,
  modality: 'stt' | 'llm' | 'tts',
): readonly AnyProviderPort[] {
  return catalogue[modality] ?? [];
}
