/**
 * CP-03 provider checks: every node names at least one provider of its modality, at most five
 * (RK-11 tries at most five candidates), each registered with the runtime. A provider of the
 * spec's catalogue whose adapter is not registered is `unavailable_provider`; any other unknown
 * id is `unknown_provider`. RK-11 tries the preferred (first) provider, then the others by id
 * ascending (spec/providers-transport.md), so the list after its first entry must be in that
 * order: the file states the fallback order that really runs (`provider_order`).
 */
import { PROVIDER_CATALOGUE, type AvailableProvider, type NodeKind } from './catalogue.ts';
import { pipelineIssue, quote, type PipelineIssue } from './issues.ts';
import type { NormalizedNode } from './normalize.ts';

/** RK-11's default cap on provider candidates per invocation. */
const MAX_PROVIDERS = 5;

/** The issues of one node's provider list (the node's kind already checked). */
export function providerIssues(
  node: NormalizedNode,
  kind: NodeKind,
  available: readonly AvailableProvider[],
): PipelineIssue[] {
  const registered = available.filter((p) => p.modality === kind).map((p) => p.provider_id);
  const listed =
    registered.length === 0 ? 'none registered' : `registered: ${registered.join(', ')}`;
  const at = `${node.pointer}/providers`;
  if (node.providers.length === 0)
    return [
      pipelineIssue(
        'missing_provider',
        at,
        `at least one ${kind} provider (${listed})`,
        '(absent)',
      ),
    ];
  if (node.providers.length > MAX_PROVIDERS) {
    const expected = `at most ${String(MAX_PROVIDERS)} providers (RK-11 candidates)`;
    return [pipelineIssue('too_many_providers', at, expected, String(node.providers.length))];
  }
  const issues: PipelineIssue[] = [];
  node.providers.forEach((id, i) => {
    if (registered.includes(id)) return;
    const pointer = `${at}/${String(i)}`;
    const expected = `a registered ${kind} provider (${listed})`;
    const other = available.find((p) => p.provider_id === id);
    if (other !== undefined) {
      const received = `${quote(id)} (a ${other.modality} provider)`;
      issues.push(pipelineIssue('unknown_provider', pointer, expected, received));
    } else if (PROVIDER_CATALOGUE[kind].includes(id)) {
      const received = `${quote(id)} (in the spec catalogue; its adapter is not registered)`;
      issues.push(pipelineIssue('unavailable_provider', pointer, expected, received));
    } else {
      issues.push(pipelineIssue('unknown_provider', pointer, expected, quote(id)));
    }
  });
  const rest = node.providers.slice(1);
  const sorted = [...rest].sort();
  const wrong = rest.findIndex((id, i) => id !== sorted[i]);
  if (issues.length === 0 && wrong >= 0) {
    const expected = `${quote(sorted[wrong] ?? '')} (after the preferred provider RK-11 tries the others by id ascending: ${sorted.join(', ')})`;
    const pointer = `${at}/${String(wrong + 1)}`;
    issues.push(pipelineIssue('provider_order', pointer, expected, quote(rest[wrong] ?? '')));
  }
  return issues;
}
