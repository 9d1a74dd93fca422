/**
 * The closed list of contract artifacts a document can be validated against, and where each
 * artifact's schema lives.
 */

/** Every artifact name: the six of the reference schema first, then the ones this project adds. */
export const ARTIFACT_NAMES = [
  'event_record',
  'control_signal',
  'turn_transition',
  'resolved_turn_plan',
  'decision_outcome',
  'artifact_bundle',
  'baseline_evidence',
  'invocation_outcome',
  'invocation_attempt',
  'pipeline_spec',
  'graph_definition',
] as const;

/** Name of one contract artifact. */
export type ArtifactName = (typeof ARTIFACT_NAMES)[number];

/** The six artifacts defined by the normative reference schema (`#/$defs/<name>`). */
export const REFERENCE_ARTIFACT_NAMES = [
  'event_record',
  'control_signal',
  'turn_transition',
  'resolved_turn_plan',
  'decision_outcome',
  'artifact_bundle',
] as const satisfies readonly ArtifactName[];

/**
 * Order in which `match()` tries artifacts; the first that accepts a document wins. Artifacts are
 * pairwise disjoint (closed objects with distinct required fields), so the order only matters for
 * determinism; `control_signal` comes before `event_record` so a ControlLane event is never
 * reported as a generic event even if the two ever overlap.
 */
export const MATCH_ORDER = [
  'control_signal',
  'event_record',
  'turn_transition',
  'resolved_turn_plan',
  'decision_outcome',
  'artifact_bundle',
  'baseline_evidence',
  'invocation_outcome',
  'invocation_attempt',
  'pipeline_spec',
  'graph_definition',
] as const satisfies readonly ArtifactName[];

/**
 * Schema id (`$id` plus JSON pointer) of each artifact's definition, resolvable by the ajv
 * instance `createContractValidator()` builds.
 */
export const ARTIFACT_SCHEMA_IDS = {
  event_record: 'urn:rspp:event-record.v1#/$defs/event_record',
  control_signal: 'urn:rspp:control-signal.v1#/$defs/control_signal',
  turn_transition: 'urn:rspp:turn-transition.v1#/$defs/turn_transition',
  resolved_turn_plan: 'urn:rspp:resolved-turn-plan.v1#/$defs/resolved_turn_plan',
  decision_outcome: 'urn:rspp:decision-outcome.v1#/$defs/decision_outcome',
  artifact_bundle: 'urn:rspp:artifact-bundle.v1#/$defs/artifact_bundle',
  baseline_evidence: 'urn:rspp:baseline-evidence.v1#/$defs/baseline_evidence',
  invocation_outcome: 'urn:rspp:invocation-outcome.v1#/$defs/invocation_outcome',
  invocation_attempt: 'urn:rspp:invocation-outcome.v1#/$defs/invocation_attempt',
  pipeline_spec: 'urn:rspp:pipeline-spec.v1#/$defs/pipeline_spec',
  graph_definition: 'urn:rspp:graph-definition.v1#/$defs/graph_definition',
} as const satisfies Record<ArtifactName, string>;

// A Set gives O(1) membership without widening ARTIFACT_NAMES' literal type.
const NAME_SET: ReadonlySet<string> = new Set(ARTIFACT_NAMES);

/** Tells whether a string names a contract artifact. */
export function isArtifactName(value: unknown): value is ArtifactName {
  return typeof value === 'string' && NAME_SET.has(value);
}

/** Schema id of a pipeline file (not an artifact: what a user writes, read by CP-02, ADR 0039). */
export const PIPELINE_FILE_SCHEMA_ID = 'urn:rspp:pipeline-file.v1#/$defs/pipeline_file';
