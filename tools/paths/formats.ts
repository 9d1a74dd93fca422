/**
 * Offline statechart renderings: the JSON definition, Graphviz DOT (from `toDirectedGraph`,
 * guards in edge labels, final states double-bordered) and Mermaid `stateDiagram-v2`.
 */
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { guardName } from './transitions.ts';

/** The formats `rspp machines export` supports. */
export const EXPORT_FORMATS = ['json', 'dot', 'mermaid'] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** True when `value` is a supported export format. */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

/** Renders `machine` in `format`. */
export function exportMachine(machine: AnyStateMachine, format: ExportFormat): string {
  switch (format) {
    case 'json':
      return toJson(machine);
    case 'dot':
      return toDot(machine);
    case 'mermaid':
      return toMermaid(machine);
  }
}

/** The machine definition (`machine.toJSON()`) with implementations shown by name. */
export function toJson(machine: AnyStateMachine): string {
  return JSON.stringify(
    machine.toJSON(),
    (_key, v: unknown) => {
      if (typeof v !== 'function') return v;
      const type = (v as { type?: unknown }).type;
      return typeof type === 'string' ? type : v.name || 'inline';
    },
    2,
  );
}

/** A short edge label: `event [guard]`, `after <delay>`, or `always`. */
export function transitionLabel(t: AnyTransitionDefinition): string {
  const type = String(t.eventType);
  let label = type === '' ? 'always' : type;
  const after = /^xstate\.after\.([^.]+)\./.exec(type);
  if (after !== null) {
    const delay = after[1]!;
    label = `after ${/^\d+$/.test(delay) ? `${delay} ms` : delay}`;
  }
  const guard = guardName(t.guard);
  return guard === undefined ? label : `${label} [${guard}]`;
}

function allTransitions(node: AnyStateNode): AnyTransitionDefinition[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
}

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Graphviz DOT: one node per state node, one edge per transition target. */
export function toDot(machine: AnyStateMachine): string {
  const out = [
    'digraph statechart {',
    '  rankdir=LR;',
    '  node [shape=box, style=rounded];',
    '  "start" [shape=point];',
  ];
  const initial = machine.root.initial.target[0] as AnyStateNode | undefined;
  if (initial !== undefined) out.push(`  "start" -> ${quote(initial.id)};`);
  const walk = (n: DirectedGraphNode): void => {
    for (const c of n.children) {
      const s = c.stateNode;
      const extra =
        s.type === 'final'
          ? ', peripheries=2'
          : s.type === 'parallel'
            ? ', style="rounded,dashed"'
            : '';
      out.push(`  ${quote(s.id)} [label=${quote(s.key)}${extra}];`);
      walk(c);
    }
    for (const e of n.edges) {
      const label = quote(transitionLabel(e.transition));
      out.push(`  ${quote(e.source.id)} -> ${quote(e.target.id)} [label=${label}];`);
    }
  };
  const graph = toDirectedGraph(machine);
  walk(graph);
  // toDirectedGraph leaves out eventless transitions; draw them too, dotted.
  for (const node of [machine.root, ...allNodes(machine.root)])
    for (const t of node.always ?? [])
      for (const target of t.target ?? [node])
        out.push(
          `  ${quote(node.id)} -> ${quote(target.id)} [label=${quote(transitionLabel(t))}, style=dotted];`,
        );
  out.push('}');
  return out.join('\n');
}

function allNodes(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states as Record<string, AnyStateNode>).flatMap((c) => [
    c,
    ...allNodes(c),
  ]);
}

const mid = (node: AnyStateNode): string => node.id.replace(/[^A-Za-z0-9_]/g, '_');

/** Mermaid `stateDiagram-v2`, nesting compound and parallel states. */
export function toMermaid(machine: AnyStateMachine): string {
  const out = ['stateDiagram-v2'];
  const region = (parent: AnyStateNode, indent: string): void => {
    const children = Object.values(parent.states as Record<string, AnyStateNode>);
    const initial = parent.initial.target[0] as AnyStateNode | undefined;
    if (parent.type !== 'parallel' && initial !== undefined)
      out.push(`${indent}[*] --> ${mid(initial)}`);
    children.forEach((child, i) => {
      if (parent.type === 'parallel' && i > 0) out.push(`${indent}--`);
      if (child.type === 'compound' || child.type === 'parallel') {
        out.push(`${indent}state "${child.key}" as ${mid(child)} {`);
        region(child, `${indent}  `);
        out.push(`${indent}}`);
      } else {
        out.push(`${indent}state "${child.key}" as ${mid(child)}`);
      }
      if (child.type === 'final') out.push(`${indent}${mid(child)} --> [*]`);
    });
  };
  region(machine.root, '  ');
  for (const node of [machine.root, ...allNodes(machine.root)])
    for (const t of allTransitions(node))
      for (const target of t.target ?? [node])
        out.push(`  ${mid(node)} --> ${mid(target)} : ${transitionLabel(t).replace(/:/g, '_')}`);
  return out.join('\n');
}
