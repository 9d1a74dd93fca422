/**
 * The real RK-11 `attempt` actor: one provider call per attempt through `invokeProvider`, with
 * the node's replayable input, cancelled through an AbortController when the invocation leaves
 * `attempting` (result, timeout, cancel). Chunks a retry repeats are not forwarded twice.
 */
import { fromCallback, type AnyEventObject, type EventObject } from 'xstate';
import {
  invokeProvider,
  type AnyProviderPort,
  type LlmChunk,
  type ProviderRequest,
  type ProviderSettlement,
  type SttChunk,
  type TtsChunk,
} from '../../contracts/index.ts';
import type { AttemptOutcome, AttemptRequest } from '../../machines/index.ts';
import type { RuntimeClock } from '../edges/index.ts';
import type { GraphItem } from './types.ts';

/** What the attempt actor needs from its node. */
export type AttemptDeps = {
  readonly clock: RuntimeClock;
  /** The node's ports by provider id. */
  readonly port: (provider_id: string) => AnyProviderPort | undefined;
  /** The node's input as the port's input type, read from the start. */
  readonly input: (signal: AbortSignal) => AsyncIterable<unknown>;
  /** False once the input log forgot accepted items, so no attempt can re-read all of it. */
  readonly replayable?: (() => boolean) | undefined;
  /** Receives each new output item (the `index`-th of the node's output). */
  readonly onItem: (item: GraphItem, index: number, provider_invocation_id: string) => void;
};

/** Maps a provider chunk to an edge item; `null` when it carries nothing downstream. */
export function itemOf(chunk: ProviderChunk): GraphItem | null {
  switch (chunk.type) {
    case 'partial':
      return null;
    case 'final':
      return chunk.text.trim() === '' ? null : { kind: 'text', text: chunk.text };
    case 'delta':
      return { kind: 'text', text: chunk.text };
    case 'audio':
      return {
        kind: 'audio',
        pcm: chunk.pcm,
        sample_rate_hz: chunk.sample_rate_hz,
        duration_ms: chunk.duration_ms,
      };
  }
}

type ProviderChunk = SttChunk | LlmChunk | TtsChunk;

/** `invokeProvider` over the union of ports (each port checks its own modality's chunks). */
const invokeAny = invokeProvider as unknown as (
  port: AnyProviderPort,
  request: ProviderRequest<'stt' | 'llm' | 'tts', unknown>,
  onChunk: (chunk: ProviderChunk) => void,
) => Promise<ProviderSettlement>;

const MISSING: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: false,
  reason: 'provider_endpoint_missing',
};
const INVOKE_ERROR: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: false,
  reason: 'adapter_invoke_error',
};
/**
 * A retry or switch whose input is no longer replayable: calling the provider with part of the
 * input would produce output that does not continue what was already forwarded.
 */
const INPUT_FORGOTTEN: AttemptOutcome = INVOKE_ERROR;
/**
 * The abort reason of every ended attempt, made once: `abort()` without a reason builds a new
 * DOMException (with its stack) per provider call, a measurable share of a turn's allocations.
 */
const ATTEMPT_ENDED = new DOMException('the provider attempt ended', 'AbortError');

/** What an attempt of one node reads: its deps and the count of items already forwarded. */
export type AttemptContext = { readonly deps: AttemptDeps; readonly forwarded: { count: number } };

/**
 * One attempt logic shared by every node: it finds its node's deps by the actor system of the
 * invocation it runs in (each node's invocation actor is a root actor, with its own system), so
 * the invocation machine is provided once instead of once per node.
 */
export function createSharedAttemptLogic(lookup: (system: unknown) => AttemptContext | undefined) {
  return fromCallback<EventObject, AttemptRequest>(({ input, sendBack, system }) => {
    const context = lookup(system);
    if (context === undefined) throw new Error('attempt: no node registered for this invocation');
    return runAttempt(context.deps, context.forwarded, input, sendBack);
  });
}

/** Starts one provider call; returns the cleanup that aborts it. */
function runAttempt(
  deps: AttemptDeps,
  forwarded: { count: number },
  input: AttemptRequest,
  sendBack: (event: AnyEventObject) => void,
): () => void {
  const controller = new AbortController();
  const port = deps.port(input.provider_id);
  let produced = 0;
  const onChunk = (chunk: ProviderChunk) => {
    const item = itemOf(chunk);
    if (item === null || controller.signal.aborted) return;
    // A retried attempt replays the same deterministic output: skip what already went out.
    if (produced >= forwarded.count) {
      forwarded.count += 1;
      deps.onItem(item, produced, input.provider_invocation_id);
    }
    produced += 1;
  };
  const settle = (outcome: AttemptOutcome) => {
    if (controller.signal.aborted) return;
    sendBack({
      type: 'attempt.result',
      outcome,
      provider_id: input.provider_id,
      attempt: input.attempt,
      at_ms: deps.clock.now(),
      wall_ms: deps.clock.wallNow(),
    });
  };
  const cleanup = () => controller.abort(ATTEMPT_ENDED);
  if (port === undefined) {
    queueMicrotask(() => settle(MISSING));
    return cleanup;
  }
  if (deps.replayable?.() === false) {
    queueMicrotask(() => settle(INPUT_FORGOTTEN));
    return cleanup;
  }
  const request = {
    ...input,
    modality: port.capabilities.modality,
    input: deps.input(controller.signal),
    signal: controller.signal,
  };
  void invokeAny(port, request, onChunk).then(
    (settlement) => settle(settlement.outcome),
    () => settle(INVOKE_ERROR),
  );
  return cleanup;
}
