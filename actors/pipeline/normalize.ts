/**
 * CP-02 spec normalizer for pipeline files: checks the file against its schema (closed objects,
 * so an unknown field is an error), refuses any execution profile but `simple`, fills what the
 * file leaves out from the simple profile (edge ids, budgets, adaptive actions, pre-turn
 * policies, recording) and checks that budgets fit in the turn budget. Pure: the schema check is
 * passed in.
 */
import type { ValidationResult } from '../../contracts/index.ts';
import type {
  AdaptiveAction,
  EdgeBufferSpec,
  PipelineFile,
  ResolvedTurnPlan,
} from '../../contracts/internal.ts';
import { TURN_POLICY_DEFAULTS, type TurnPolicies } from '../../machines/index.ts';
import {
  DEFAULT_ADAPTIVE_ACTIONS,
  SIMPLE_BUDGETS,
  SIMPLE_PROFILE,
  SIMPLE_RECORDING,
  normalizeAdaptiveActions,
} from '../turn-start/defaults.ts';
import {
  fromSchemaIssue,
  pipelineIssue,
  quote,
  refused,
  type PipelineIssue,
  type PipelineResult,
} from './issues.ts';

/** A node after CP-02; `pointer` is where the file declares it. */
export type NormalizedNode = {
  readonly node_id: string;
  readonly node_type: string;
  /** Provider ids, most preferred first (possibly empty: CP-03 refuses that). */
  readonly providers: readonly string[];
  readonly budget_ms?: number;
  readonly pointer: string;
};

/** An edge after CP-02, with its id filled in. */
export type NormalizedEdge = {
  readonly edge_id: string;
  readonly from: string;
  readonly to: string;
  readonly buffer?: EdgeBufferSpec;
  readonly allow_lossy_text: boolean;
  readonly pointer: string;
};

/** The pre-turn outcomes a pipeline chooses (turn policies, spec/lifecycle.md steps 1, 2, 5, 8). */
type PreTurnPolicies = Pick<
  TurnPolicies,
  'snapshot_invalid' | 'capacity' | 'bundle_failure' | 'plan_failure'
>;

/** A pipeline file after CP-02: complete, simple profile, nothing left to default. */
export type NormalizedPipeline = {
  readonly pipeline_version: string;
  readonly graph_definition_ref: string;
  readonly execution_profile: typeof SIMPLE_PROFILE;
  readonly nodes: readonly NormalizedNode[];
  readonly edges: readonly NormalizedEdge[];
  readonly fallback_branches: readonly { node_id: string; fallback_node_id: string }[];
  readonly budgets: ResolvedTurnPlan['budgets'];
  readonly allowed_adaptive_actions: readonly AdaptiveAction[];
  readonly pre_turn: PreTurnPolicies;
  readonly opening_proposal: 'drop' | 'queue';
  readonly recording_policy: ResolvedTurnPlan['recording_policy'];
};

/** The schema check of a pipeline file (`createDefinitionValidator(PIPELINE_FILE_SCHEMA_ID)`). */
export type PipelineFileCheck = (doc: unknown) => ValidationResult;

/** CP-02: the normalized pipeline of a parsed file, or every issue that refuses it. */
export function normalizePipelineFile(
  doc: unknown,
  check: PipelineFileCheck,
): PipelineResult<NormalizedPipeline> {
  const verdict = check(doc);
  if (!verdict.valid) return refused(verdict.issues.map(fromSchemaIssue));
  const file = doc as PipelineFile;
  const profile = (file.execution_profile ?? '').trim();
  if (profile !== '' && profile !== SIMPLE_PROFILE) {
    const expected = `${quote(SIMPLE_PROFILE)} or absent (the only execution profile)`;
    return refused([
      pipelineIssue('unsupported_profile', '/execution_profile', expected, quote(profile)),
    ]);
  }
  const budgets = { ...SIMPLE_BUDGETS, ...file.budgets };
  const issues = budgetIssues(file, budgets);
  if (issues.length > 0) return refused(issues);
  const policies = file.policies ?? {};
  return {
    ok: true,
    value: {
      pipeline_version: file.pipeline_version,
      graph_definition_ref: file.graph_definition_ref ?? `graph/${file.pipeline_version}`,
      execution_profile: SIMPLE_PROFILE,
      nodes: file.nodes.map((node, i) => ({
        node_id: node.node_id,
        node_type: node.node_type,
        providers: node.providers ?? [],
        ...(node.budget_ms === undefined ? {} : { budget_ms: node.budget_ms }),
        pointer: `/nodes/${String(i)}`,
      })),
      edges: (file.edges ?? []).map((edge, i) => ({
        edge_id: edge.edge_id ?? `${edge.from}-${edge.to}`,
        from: edge.from,
        to: edge.to,
        ...(edge.buffer === undefined ? {} : { buffer: edge.buffer }),
        allow_lossy_text: edge.allow_lossy_text === true,
        pointer: `/edges/${String(i)}`,
      })),
      fallback_branches: file.fallback_branches ?? [],
      budgets,
      allowed_adaptive_actions: normalizeAdaptiveActions(
        policies.adaptive_actions ?? DEFAULT_ADAPTIVE_ACTIONS,
      ),
      pre_turn: {
        snapshot_invalid:
          policies.pre_turn?.snapshot_invalid ?? TURN_POLICY_DEFAULTS.snapshot_invalid,
        capacity: policies.pre_turn?.capacity ?? TURN_POLICY_DEFAULTS.capacity,
        bundle_failure: policies.pre_turn?.bundle_failure ?? TURN_POLICY_DEFAULTS.bundle_failure,
        plan_failure: policies.pre_turn?.plan_failure ?? TURN_POLICY_DEFAULTS.plan_failure,
      },
      opening_proposal: policies.opening_proposal ?? 'drop',
      recording_policy: {
        recording_level: file.recording?.recording_level ?? SIMPLE_RECORDING.recording_level,
        // The schema's minItems 1 holds for both sources; the tuple type is the generator's.
        allowed_replay_modes: [
          ...(file.recording?.allowed_replay_modes ?? SIMPLE_RECORDING.allowed_replay_modes),
        ] as ResolvedTurnPlan['recording_policy']['allowed_replay_modes'],
      },
    },
  };
}

/** Every budget (plan defaults and per-node) must fit in the turn budget. */
function budgetIssues(file: PipelineFile, budgets: ResolvedTurnPlan['budgets']): PipelineIssue[] {
  const turn = budgets.turn_budget_ms;
  const expected = `at most turn_budget_ms (${String(turn)})`;
  const issues: PipelineIssue[] = [];
  for (const key of [
    'node_budget_ms_default',
    'path_budget_ms_default',
    'edge_budget_ms_default',
  ] as const) {
    if (budgets[key] > turn)
      issues.push(
        pipelineIssue('budget_exceeds_turn', `/budgets/${key}`, expected, String(budgets[key])),
      );
  }
  file.nodes.forEach((node, i) => {
    if (node.budget_ms !== undefined && node.budget_ms > turn)
      issues.push(
        pipelineIssue(
          'budget_exceeds_turn',
          `/nodes/${String(i)}/budget_ms`,
          expected,
          String(node.budget_ms),
        ),
      );
  });
  return issues;
}
