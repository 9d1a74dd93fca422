/**
 * The provider conformance kit: what a target declares, and the setup, request and invoke
 * helpers every case of the suite shares (manual clock, fixed attempt fields).
 */
import { invokeProvider, type ProviderSettlement } from '../../../contracts/index.ts';
import type {
  ChunkRule,
  ProviderCapabilities,
  ProviderCapabilitiesBase,
  ProviderModality,
  ProviderPort,
  ProviderScheduler,
} from '../../../contracts/internal.ts';
import {
  createManualScheduler,
  type ManualScheduler,
  type SimFault,
} from '../../../adapters/providers/sim/index.ts';
import { attemptFields, fromArray, requestOf } from './fixtures.ts';

/** What a target's factory gets: the seed, the scheduler to wait on, an optional fault. */
export interface ProviderTestEnv {
  readonly seed: number;
  readonly scheduler: ProviderScheduler;
  readonly fault?: SimFault;
}

/** One implementation under test. */
export interface ProviderConformanceTarget<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
> {
  /** Shown in the describe block. */
  readonly name: string;
  /** Modality the port must declare. */
  readonly modality: TModality;
  /** Builds a fresh port. */
  create(env: ProviderTestEnv): ProviderPort<TModality, TInput, TChunk, TCapabilities>;
  /** A typical input of one attempt. */
  input(): readonly TInput[];
  /** Present when `create` honours `fault`: the rule its malformed chunk breaks. */
  readonly faults?: { readonly malformed_rule: ChunkRule };
  /** Whether `create` honours `seed` (sims; recorded real adapters replay one session). */
  readonly seeded: boolean;
}

/** Capabilities of a provider of one modality. */
export type AnyCapabilities<TModality extends ProviderModality> = ProviderCapabilities &
  ProviderCapabilitiesBase<TModality>;

/** Helpers bound to one target. */
export type ConformanceKit<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
> = ReturnType<typeof createConformanceKit<TModality, TInput, TChunk, TCapabilities>>;

/** Builds the helpers of one target. */
export function createConformanceKit<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends AnyCapabilities<TModality>,
>(target: ProviderConformanceTarget<TModality, TInput, TChunk, TCapabilities>) {
  type Port = ProviderPort<TModality, TInput, TChunk, TCapabilities>;

  const setup = (options: { seed?: number; fault?: SimFault } = {}) => {
    const scheduler = createManualScheduler();
    const env = { seed: options.seed ?? 7, scheduler };
    const port = target.create(
      options.fault === undefined ? env : { ...env, fault: options.fault },
    );
    return { port, scheduler };
  };
  const request = (
    port: Port,
    signal: AbortSignal,
    input: AsyncIterable<TInput> = fromArray(target.input()),
  ) => requestOf(attemptFields(target.modality, port.capabilities.provider_id), input, signal);

  /** Invokes once, collecting chunks; `drive` runs the clock (default: until nothing is due). */
  async function invoke(
    port: Port,
    scheduler: ManualScheduler,
    controller = new AbortController(),
    drive: () => Promise<void> = () => scheduler.runAll(),
  ): Promise<ProviderSettlement & { readonly collected: TChunk[] }> {
    const collected: TChunk[] = [];
    const settling = invokeProvider(port, request(port, controller.signal), (chunk) => {
      collected.push(chunk);
    });
    await drive();
    return { ...(await settling), collected };
  }
  return { setup, request, invoke };
}
