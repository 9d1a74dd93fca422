/**
 * The provider ports (STT, LLM, TTS): one streaming call per attempt, `AsyncIterable` in and out,
 * cancelled through the request's AbortSignal, with declared capabilities, plus the scheduler
 * port providers wait on. `invokeProvider` (provider-stream.ts) settles a call into the
 * normalized outcome the RK-11 invocation machine consumes.
 */
import type { OutcomeClass, ProviderModality } from '../generated/types.ts';
import type { ProviderOutcomeReason } from '../reason-codes.ts';

/** The adaptive actions an attempt may know about (sorted unique in a request). */
type ProviderAdaptiveAction = 'fallback' | 'provider_switch' | 'retry';

/** The per-attempt request fields of providers-transport.md (the machine's `AttemptRequest`). */
export interface ProviderAttemptFields<TModality extends ProviderModality = ProviderModality> {
  readonly session_id: string;
  /** Turn of the invocation; empty for a session-scoped invocation. */
  readonly turn_id: string;
  readonly pipeline_version: string;
  readonly event_id: string;
  readonly provider_invocation_id: string;
  /** Provider of this attempt; equals the port's `capabilities.provider_id`. */
  readonly provider_id: string;
  readonly modality: TModality;
  /** 1-based attempt number on this provider. */
  readonly attempt: number;
  readonly transport_sequence: number;
  readonly runtime_sequence: number;
  readonly authority_epoch: number;
  readonly runtime_timestamp_ms: number;
  readonly wall_clock_timestamp_ms: number;
  /** True when the caller cancelled before the call: the port yields nothing. */
  readonly cancel_requested: boolean;
  /** Sorted unique adaptive actions the plan allows. */
  readonly allowed_adaptive_actions: readonly ProviderAdaptiveAction[];
  /** Max attempts minus this attempt. */
  readonly retry_budget_remaining: number;
  readonly candidate_provider_count: number;
}

/** One attempt's call: request fields, the input stream and the cancellation signal. */
export interface ProviderRequest<
  TModality extends ProviderModality,
  TInput,
> extends ProviderAttemptFields<TModality> {
  /** What the provider consumes; the port stops reading it on abort. */
  readonly input: AsyncIterable<TInput>;
  /** Aborting it ends the output stream at once (no chunk after abort); not an error. */
  readonly signal: AbortSignal;
}

/** STT input: PCM16 mono audio frames, or text from the console transport. */
export type SttInput =
  | { readonly type: 'audio'; readonly pcm: Int16Array; readonly sample_rate_hz: number }
  | { readonly type: 'text'; readonly text: string };
/** STT output: `partial` hypotheses (each replaces the previous) then exactly one `final`, last. */
export interface SttChunk {
  /** `partial` (non-empty, may be revised) or `final` (may be empty: nothing was said). */
  readonly type: 'partial' | 'final';
  /** 0, 1, 2... in yield order. */
  readonly index: number;
  /** The whole hypothesis of the utterance so far (PII). */
  readonly text: string;
}

/** LLM input: the turn context, one message at a time. */
export interface LlmInput {
  /** Message kind. */
  readonly type: 'message';
  /** Who said it. */
  readonly role: 'system' | 'user' | 'assistant';
  /** Message text (PII). */
  readonly text: string;
  /**
   * An assistant reply the user cut off (barge-in, cancel): `text` is only what the transport
   * had received when the reply was fenced, so the model knows it was not heard to the end.
   */
  readonly interrupted?: boolean;
}
/** LLM output: a non-empty token delta; concatenated deltas are the reply. */
export interface LlmChunk {
  /** Delta kind. */
  readonly type: 'delta';
  /** 0, 1, 2... in yield order. */
  readonly index: number;
  /** Non-empty, at most `max_delta_chars` characters (PII). */
  readonly text: string;
}

/** TTS input: text chunks to speak, in order. */
export interface TtsInput {
  /** Text kind. */
  readonly type: 'text';
  /** Text to speak (PII). */
  readonly text: string;
}
/** TTS output: one PCM16 mono frame of exactly `frame_ms` at the declared sample rate. */
export interface TtsChunk {
  /** Audio kind. */
  readonly type: 'audio';
  /** 0, 1, 2... in yield order. */
  readonly index: number;
  /** Which input text chunk (0-based) this frame speaks. */
  readonly input_index: number;
  /** `sample_rate_hz * frame_ms / 1000` samples. */
  readonly pcm: Int16Array;
  /** Equals the declared sample rate. */
  readonly sample_rate_hz: number;
  /** Equals the declared frame duration. */
  readonly duration_ms: number;
}

/** Declared ASR streaming profile. */
interface SttStreamingProfile {
  /** Input kinds accepted. */
  readonly input: readonly SttInput['type'][];
  /** Sample rate expected of audio input. */
  readonly sample_rate_hz: number;
  /** Whether `partial` chunks are produced. */
  readonly partials: boolean;
  /** Whether a later partial may rewrite words of an earlier one (not just extend it). */
  readonly rollback: boolean;
}
/** Declared LLM streaming profile. */
interface LlmStreamingProfile {
  /** Largest delta in characters. */
  readonly max_delta_chars: number;
}
/** Declared TTS streaming profile. */
interface TtsStreamingProfile {
  /** Sample encoding of `pcm`. */
  readonly encoding: 'pcm16';
  /** Output sample rate. */
  readonly sample_rate_hz: number;
  /** Duration of every output frame. */
  readonly frame_ms: number;
}

/** What every provider declares. */
export interface ProviderCapabilitiesBase<TModality extends ProviderModality> {
  /** Catalogue id (`stt-deepgram`, `llm-sim`...). */
  readonly provider_id: string;
  /** Modality served. */
  readonly modality: TModality;
  /** Most streams served at once; the next one fails as `overload`. */
  readonly max_concurrency: number;
  /**
   * A retried attempt repeats the same chunks for the same input, so a stream that failed after
   * delivering output may be resumed by skipping what was delivered. Without it (the default),
   * an attempt that delivered output is never retried or replaced by another provider.
   */
  readonly resumable_output?: boolean;
}
/** Declared capabilities of an STT provider. */
export interface SttCapabilities extends ProviderCapabilitiesBase<'stt'> {
  /** ASR partials and rollback. */
  readonly streaming: SttStreamingProfile;
}
/** Declared capabilities of an LLM provider. */
export interface LlmCapabilities extends ProviderCapabilitiesBase<'llm'> {
  /** Delta size. */
  readonly streaming: LlmStreamingProfile;
}
/** Declared capabilities of a TTS provider. */
export interface TtsCapabilities extends ProviderCapabilitiesBase<'tts'> {
  /** Chunking. */
  readonly streaming: TtsStreamingProfile;
}
/** Capabilities of any provider. */
export type ProviderCapabilities = SttCapabilities | LlmCapabilities | TtsCapabilities;

/**
 * A streaming provider. `stream()` never throws synchronously and does no work before the first
 * `next()`. A failure rejects `next()` with an `AdapterError` (contracts/errors.ts); an abort (or
 * `cancel_requested`) completes the stream without yielding again, within the same tick.
 */
export interface ProviderPort<
  TModality extends ProviderModality,
  TInput,
  TChunk,
  TCapabilities extends ProviderCapabilitiesBase<TModality>,
> {
  /** Declared capabilities. */
  readonly capabilities: TCapabilities;
  /** Runs one attempt. */
  stream(request: ProviderRequest<TModality, TInput>): AsyncIterable<TChunk>;
}
/** Speech to text. */
export type SttPort = ProviderPort<'stt', SttInput, SttChunk, SttCapabilities>;
/** Turn context to token deltas. */
export type LlmPort = ProviderPort<'llm', LlmInput, LlmChunk, LlmCapabilities>;
/** Text to PCM16 frames. */
export type TtsPort = ProviderPort<'tts', TtsInput, TtsChunk, TtsCapabilities>;
/** Any provider port. */
export type AnyProviderPort = SttPort | LlmPort | TtsPort;

/** A normalized non-success outcome (providers-transport.md outcome table). */
interface ProviderFailureOutcome {
  /** Outcome class. */
  readonly class: Exclude<OutcomeClass, 'success'>;
  /** Whether RK-11 may retry the same provider. */
  readonly retryable: boolean;
  /** Exact reason code. */
  readonly reason: ProviderOutcomeReason;
  /** Whether the failure counts against the provider's circuit. */
  readonly circuit_open: boolean;
  /** Delay before a retry (429 Retry-After), >= 0. */
  readonly backoff_ms: number;
}
/** The normalized success outcome. */
interface ProviderSuccessOutcome {
  /** Outcome class. */
  readonly class: 'success';
  /** Never retried. */
  readonly retryable: false;
  /** Never with success. */
  readonly circuit_open: false;
  /** No backoff. */
  readonly backoff_ms: 0;
}
/** A normalized attempt outcome; assignable to the invocation machine's `AttemptOutcome`. */
export type ProviderOutcome = ProviderSuccessOutcome | ProviderFailureOutcome;

/**
 * Time as providers see it: real, simulated (a manual clock) or zero-latency. Injected so that
 * tests, replay and benchmarks control every wait.
 */
export interface ProviderScheduler {
  /** Current time in ms; monotonic. */
  now(): number;
  /**
   * Resolves `true` once `ms` have passed, or `false` as soon as `signal` aborts; never rejects.
   * `ms <= 0` resolves at once; `Infinity` waits for the abort only.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<boolean>;
}
