/**
 * Turn lifecycle invariants (spec/lifecycle.md "Assertions") checked over the ordered outputs of
 * one or more machines. Pure: used by unit tests, generated path suites and property tests.
 *
 * Turn-scoped signals and outcomes are grouped by `turn_id`. `turn.transition` records carry no
 * turn id, so they are checked as one chain: legal edges only, each record starting where the
 * previous one ended, a new lifecycle (`Idle -> Opening`) only after `Idle` or `Closed`.
 * After `close` nothing of that turn is emitted except T12 `stale_epoch_reject` diagnostics
 * (lifecycle.md: T12 applies in every state but `Opening` and changes no lifecycle).
 */
import type { TurnState } from '../contracts/internal.ts';
import type { MachineOutput } from './outputs.ts';

/** Options of {@link checkTurnInvariants}. */
export type InvariantOptions = {
  /** The run is over: every opened turn must have exactly one terminal followed by `close`. */
  readonly complete?: boolean;
};

/** The legal `turn_transition` edges as `from -(trigger)-> to` (spec/lifecycle.md truth table). */
const LEGAL_TURN_EDGES: readonly string[] = [
  'Idle -(turn_open_proposed)-> Opening',
  'Opening -(turn_open)-> Active',
  'Opening -(reject)-> Idle',
  'Opening -(defer)-> Idle',
  'Opening -(stale_epoch_reject)-> Idle',
  'Opening -(deauthorized_drain)-> Idle',
  'Active -(commit)-> Terminal',
  'Active -(abort)-> Terminal',
  'Terminal -(close)-> Closed',
];

const LEGAL = new Set(LEGAL_TURN_EDGES);
const LIFECYCLE = new Set(['turn_open', 'commit', 'abort', 'close']);
/** Abort reasons allowed once an active-turn `deauthorized_drain` was emitted (authority loss wins ties). */
const AFTER_DRAIN = new Set(['authority_loss', 'recording_evidence_unavailable']);

/** The only output a closed turn may still produce: a T12 reject of a stale-epoch event. */
const T12 = 'stale_epoch_reject';

/** Per-turn facts gathered while scanning; indices are output positions. */
type TurnFacts = {
  open?: number;
  terminal?: { index: number; kind: string; reason: string | undefined };
  close?: number;
  preTurn?: number;
  drain?: number;
  last?: string;
};

/** Returns true when `value` is one of the outputs defined in `outputs.ts`. */
export function isMachineOutput(value: unknown): value is MachineOutput {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'control.signal' || type === 'decision.outcome' || type === 'turn.transition';
}

/**
 * Checks the turn lifecycle invariants over `outputs` (in emission order) and returns one
 * message per violation; an empty array means the sequence is legal.
 *
 * @example
 * ```ts
 * expect(checkTurnInvariants(outputs, { complete: true })).toEqual([]);
 * ```
 */
export function checkTurnInvariants(
  outputs: readonly MachineOutput[],
  opts: InvariantOptions = {},
): string[] {
  const violations: string[] = [];
  const turns = new Map<string, TurnFacts>();
  const facts = (id: string): TurnFacts => {
    let f = turns.get(id);
    if (f === undefined) turns.set(id, (f = {}));
    return f;
  };
  const chain: ChainState = { segmentPreTurn: false, segmentLifecycle: 0 };

  outputs.forEach((output, i) => {
    const at = `(output #${i})`;
    switch (output.type) {
      case 'turn.transition':
        checkTransition(output.transition, chain, at, violations);
        return;
      case 'decision.outcome': {
        const o = output.outcome;
        if (o.scope === 'turn' && o.turn_id === undefined)
          violations.push(`${o.outcome_kind} with scope turn carries no turn_id ${at}`);
        if (o.turn_id === undefined) return;
        const f = facts(o.turn_id);
        const who = `turn ${o.turn_id}:`;
        if (f.close !== undefined && o.outcome_kind !== T12)
          violations.push(`${who} ${o.outcome_kind} after close ${at}`);
        // An `admit` is a pre-turn decision that lets the turn open, not a refusal.
        if (o.phase === 'pre_turn' && o.outcome_kind !== 'admit') {
          if (f.open !== undefined)
            violations.push(`${who} pre-turn ${o.outcome_kind} after turn_open ${at}`);
          f.preTurn ??= i;
        }
        if (o.outcome_kind === 'deauthorized_drain' && o.phase === 'active_turn') f.drain ??= i;
        return;
      }
      case 'control.signal': {
        const s = output.signal;
        const name = s.signal;
        if (!LIFECYCLE.has(name)) {
          if (s.turn_id === undefined) return;
          const f = facts(s.turn_id);
          if (f.close !== undefined && name !== T12)
            violations.push(`turn ${s.turn_id}: ${name} after close ${at}`);
          if (name === 'deauthorized_drain' && f.open !== undefined && f.terminal === undefined)
            f.drain ??= i;
          return;
        }
        if (chain.segmentPreTurn)
          violations.push(`${name} after a pre-turn Opening -> Idle transition ${at}`);
        chain.segmentLifecycle += 1;
        if (s.turn_id === undefined) {
          violations.push(`${name} carries no turn_id ${at}`);
          return;
        }
        checkLifecycle(s.turn_id, name, s.reason, facts(s.turn_id), i, violations);
        return;
      }
    }
  });

  if (opts.complete === true) {
    for (const [id, f] of turns) {
      if (f.open === undefined) continue;
      if (f.terminal === undefined) violations.push(`turn ${id}: opened but never terminated`);
      else if (f.close === undefined) violations.push(`turn ${id}: terminated but never closed`);
    }
  }
  return violations;
}

/** Applies the per-turn rules to one lifecycle signal (`turn_open`, `commit`, `abort`, `close`). */
function checkLifecycle(
  id: string,
  name: string,
  reason: string | undefined,
  f: TurnFacts,
  i: number,
  violations: string[],
): void {
  const who = `turn ${id}:`;
  const at = `(output #${i})`;
  if (f.close !== undefined) violations.push(`${who} ${name} after close ${at}`);
  if (f.preTurn !== undefined && name !== 'commit')
    violations.push(`${who} ${name} after a pre-turn decision (output #${f.preTurn}) ${at}`);
  if (name === 'turn_open') {
    if (f.open !== undefined) violations.push(`${who} second turn_open ${at}`);
    f.open ??= i;
  } else if (name === 'commit' || name === 'abort') {
    const t = f.terminal;
    if (t !== undefined && t.kind !== name)
      violations.push(`${who} both ${t.kind} (output #${t.index}) and ${name} ${at}`);
    else if (t !== undefined) violations.push(`${who} second ${name} ${at}`);
    if (f.open === undefined) violations.push(`${who} ${name} without turn_open ${at}`);
    if (f.drain !== undefined && t === undefined) {
      if (name === 'commit')
        violations.push(`${who} commit after active-turn deauthorized_drain ${at}`);
      else if (reason === undefined || !AFTER_DRAIN.has(reason))
        violations.push(
          `${who} abort reason ${reason ?? '(none)'} after active-turn deauthorized_drain (output #${f.drain}); expected authority_loss or recording_evidence_unavailable ${at}`,
        );
    }
    f.terminal ??= { index: i, kind: name, reason };
  } else {
    if (f.last !== 'commit' && f.last !== 'abort')
      violations.push(
        `${who} close not right after a terminal (previous: ${f.last ?? 'none'}) ${at}`,
      );
    f.close ??= i;
  }
  f.last = name;
}

/** Where the `turn_transition` chain stands. */
type ChainState = {
  last?: TurnState;
  /** The current lifecycle segment (since the last `Idle -> Opening`) ended pre-turn. */
  segmentPreTurn: boolean;
  /** Lifecycle signals seen in the current segment. */
  segmentLifecycle: number;
};

/** Checks one `turn_transition` record against the legal edges and the chain so far. */
function checkTransition(
  t: { from_state: TurnState; trigger: string; to_state: TurnState },
  chain: ChainState,
  at: string,
  violations: string[],
): void {
  const edge = `${t.from_state} -(${t.trigger})-> ${t.to_state}`;
  if (!LEGAL.has(edge)) violations.push(`illegal turn_transition ${edge} ${at}`);
  const last = chain.last;
  if (last !== undefined) {
    const expected = last === 'Closed' ? 'Idle' : last;
    if (t.from_state !== expected)
      violations.push(`turn_transition ${edge} does not continue from ${last} ${at}`);
  }
  if (t.from_state === 'Idle' && t.to_state === 'Opening') {
    chain.segmentPreTurn = false;
    chain.segmentLifecycle = 0;
  }
  if (t.from_state === 'Opening' && t.to_state === 'Idle') {
    if (chain.segmentLifecycle > 0)
      violations.push(`pre-turn ${edge} after turn lifecycle signals of the same proposal ${at}`);
    chain.segmentPreTurn = true;
  }
  chain.last = t.to_state;
}
