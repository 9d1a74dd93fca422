/**
 * The real RK-11 `attempt` actor: one provider call per attempt through `invokeProvider`, reading
 * the node's replayable input and writing each new item to the node's I/O, cancelled through an
 * AbortController when the invocation leaves `attempting` (result, timeout, cancel). The first
 * item an attempt forwards is reported to the invocation (`attempt.output`): from then on it
 * never silently re-generates. A retry of a provider declaring `resumable_output` skips the items
 * already forwarded.
 */
import { fromCallback, type AnyEventObject, type EventObject } from 'xstate';
import {
  invokeProvider,
  type LlmChunk,
  type ProviderRequest,
  type ProviderSettlement,
  type SttChunk,
  type TtsChunk,
} from '../../contracts/index.ts';
import type { AnyProviderPort, ChunkAck } from '../../contracts/internal.ts';
import type { AttemptOutcome, AttemptRequest } from '../../machines/index.ts';
import { nodeIoOf, type NodeIo } from './node-io.ts';
import type { GraphItem } from './types.ts';

type ProviderChunk = SttChunk | LlmChunk | TtsChunk;

/** Maps a provider chunk to an edge item; `null` when it carries nothing downstream. */
function itemOf(chunk: ProviderChunk): GraphItem | null {
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
        spoken_index: chunk.input_index,
      };
  }
}

/** `invokeProvider` over the union of ports (each port checks its own modality's chunks). */
const invokeAny = invokeProvider as unknown as (
  port: AnyProviderPort,
  request: ProviderRequest<'stt' | 'llm' | 'tts', unknown>,
  onChunk: (chunk: ProviderChunk) => ChunkAck,
) => Promise<ProviderSettlement>;

const MISSING: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: false,
  reason: 'provider_endpoint_missing',
};
/**
 * A retry or switch whose input is no longer replayable: calling the provider with part of the
 * input would produce output that does not continue what was already forwarded.
 */
const INVOKE_ERROR: AttemptOutcome = {
  class: 'infrastructure_failure',
  retryable: false,
  reason: 'adapter_invoke_error',
};
/**
 * The abort reason of every ended attempt, made once: `abort()` without a reason builds a new
 * DOMException (with its stack) per provider call, a measurable share of a turn's allocations.
 */
const ATTEMPT_ENDED = new DOMException('the provider attempt ended', 'AbortError');

/** The runtime `attempt` actor shared by every node (its I/O arrives with its input). */
export const attemptLogic = fromCallback<EventObject, AttemptRequest>(({ input, sendBack }) =>
  runAttempt(nodeIoOf(input.services), input, sendBack),
);

/** Starts one provider call; returns the cleanup that aborts it. */
function runAttempt(
  io: NodeIo,
  input: AttemptRequest,
  sendBack: (event: AnyEventObject) => void,
): () => void {
  const controller = new AbortController();
  const port = io.port(input.provider_id);
  const { provider_id, attempt, provider_invocation_id } = input;
  const now = () => ({ at_ms: io.clock.now(), wall_ms: io.clock.wallNow() });
  let produced = 0;
  let reported = false;
  const onChunk = (chunk: ProviderChunk): ChunkAck => {
    const item = itemOf(chunk);
    if (item === null || controller.signal.aborted) return undefined;
    const index = produced;
    produced += 1;
    // A resumed attempt repeats the same output: skip what already went out.
    if (index < io.forwarded) return undefined;
    io.forwarded += 1;
    if (!reported) {
      reported = true;
      sendBack({ type: 'attempt.output', provider_id, attempt, ...now() });
    }
    return io.emit(item, provider_invocation_id);
  };
  const settle = (outcome: AttemptOutcome) => {
    if (controller.signal.aborted) return;
    sendBack({ type: 'attempt.result', outcome, provider_id, attempt, ...now() });
  };
  const cleanup = () => controller.abort(ATTEMPT_ENDED);
  if (port === undefined) {
    queueMicrotask(() => settle(MISSING));
    return cleanup;
  }
  if (!io.replayable()) {
    queueMicrotask(() => settle(INVOKE_ERROR));
    return cleanup;
  }
  // The request the port sees: the attempt fields, never the runtime's I/O handle.
  const { services: _io, ...fields } = input;
  const request = {
    ...fields,
    modality: port.capabilities.modality,
    input: io.input(controller.signal),
    signal: controller.signal,
  };
  void invokeAny(port, request, onChunk).then(
    (settlement) => settle(settlement.outcome),
    () => settle(INVOKE_ERROR),
  );
  return cleanup;
}
