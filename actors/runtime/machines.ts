/**
 * The statecharts as the runtime runs them: the turn machine with the actors it waits for
 * (arbitration, plan, generation, evidence) and the effects it orders (egress fence, RK-25
 * capacity slot), and the session machine spawning such turns. Provided once per process
 * (`provide` rebuilds a whole machine); each session's services arrive with its input.
 */
import { sessionMachine, turnMachine } from '../../machines/index.ts';
import type { TurnContext } from '../../machines/internal.ts';
import { generationLogic } from './generation.actor.ts';
import { servicesOf } from './services.ts';
import { arbitrateLogic, evidenceLogic, planLogic } from './turn-work.ts';

/** The RK-03 turn machine with the runtime's work and effects. */
const runtimeTurnMachine = turnMachine.provide({
  actors: {
    arbitrate: arbitrateLogic,
    plan: planLogic,
    generation: generationLogic,
    evidence: evidenceLogic,
  },
  actions: {
    // RK-16/RK-22: synchronous, so no output of the turn can pass once the action ran.
    fenceEgress: ({ context }: { context: TurnContext }, params) => {
      servicesOf(context.services).outputs.fenceTurn(context.turn_id, params.cause);
    },
    claimCapacity: ({ context }: { context: TurnContext }) => {
      servicesOf(context.services).claim(context.turn_id);
    },
    releaseCapacity: ({ context }: { context: TurnContext }) => {
      servicesOf(context.services).release(context.turn_id);
    },
  },
});

/** The RK-02 session machine whose turns are {@link runtimeTurnMachine}s. */
export const runtimeSessionMachine = sessionMachine.provide({
  actors: { turn: runtimeTurnMachine },
});
