/**
 * The statecharts the inspector page draws: the four lifecycle machines as Graphviz DOT (the
 * `rspp machines export --format dot` rendering), which the page renders with Graphviz in
 * WebAssembly. Node ids in the DOT are state node ids (`turn.Active.running`), which is what the
 * live view highlights.
 */
import {
  invocationMachine,
  nodeMachine,
  sessionMachine,
  turnMachine,
} from '../../machines/index.ts';
import { toDot } from '../paths/formats.ts';

/** The machines the page shows, in its order: session -> turn -> node -> invocation. */
export const INSPECTED_MACHINES = ['session', 'turn', 'node', 'invocation'] as const;

/** The DOT of each inspected machine, by machine id. */
export function statechartDots(): Record<(typeof INSPECTED_MACHINES)[number], string> {
  return {
    session: toDot(sessionMachine),
    turn: toDot(turnMachine),
    node: toDot(nodeMachine),
    invocation: toDot(invocationMachine),
  };
}
