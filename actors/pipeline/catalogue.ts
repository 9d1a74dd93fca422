/**
 * The node kinds a compiled pipeline may use and the providers its nodes may name: the RK-10
 * catalogue of the spec, and the providers a runtime actually has (passed in by the composition
 * root, never looked up by side effect).
 */
import type { ProviderCatalogue } from '../nodes/types.ts';

/** Node kinds the runtime executes; each is also the modality of its providers. */
export const NODE_KINDS = ['stt', 'llm', 'tts'] as const;

/** One executable node kind. */
export type NodeKind = (typeof NODE_KINDS)[number];

/** Tells whether a node type is executable. */
export function isNodeKind(value: string): value is NodeKind {
  return (NODE_KINDS as readonly string[]).includes(value);
}

/** The spec's provider catalogue (providers-transport.md), in its documented order. */
export const PROVIDER_CATALOGUE: Readonly<Record<NodeKind, readonly string[]>> = {
  stt: ['stt-deepgram', 'stt-google', 'stt-assemblyai'],
  llm: ['llm-anthropic', 'llm-gemini', 'llm-cohere'],
  tts: ['tts-elevenlabs', 'tts-google', 'tts-amazon-polly'],
};

/** A provider a runtime can call: its id and the modality it serves. */
export type AvailableProvider = { readonly provider_id: string; readonly modality: NodeKind };

/** The providers of a runtime's catalogue, as CP-03 checks a pipeline against them. */
export function availableProvidersOf(catalogue: ProviderCatalogue): AvailableProvider[] {
  return NODE_KINDS.flatMap((modality) =>
    (catalogue[modality] ?? []).map((port) => ({
      provider_id: port.capabilities.provider_id,
      modality,
    })),
  );
}

/** Every provider of the spec's catalogue as available (to check a file against the catalogue). */
export function catalogueProviders(): AvailableProvider[] {
  return NODE_KINDS.flatMap((modality) =>
    PROVIDER_CATALOGUE[modality].map((provider_id) => ({ provider_id, modality })),
  );
}
