/**
 * Session-hot conversation state: user words (by the ingress id of their transcript) and audio
 * waiting for a turn, the input each live turn took, and the history of both roles the LLM nodes
 * see. A reply cut off by the user enters history as what the transport received, marked
 * interrupted. Everything is bounded.
 */
import type { LlmInput } from '../../contracts/index.ts';
import type { GraphItem } from '../nodes/types.ts';

/** Messages kept as history (user and assistant). */
const MAX_HISTORY = 64;
/** Transcripts kept while waiting for a turn (older ones are superseded anyway). */
const MAX_PENDING_TRANSCRIPTS = 16;
/** Inputs of live turns kept (one live turn per session, plus a closing one). */
const MAX_TURN_INPUTS = 8;

/** How a turn's exchange ended, for its history entry. */
export type ExchangeEnd = { readonly reply: string; readonly interrupted: boolean };

/** The conversation of one session. */
export class Conversation {
  private audio: Extract<GraphItem, { kind: 'audio' }>[] = [];
  private readonly transcripts = new Map<string, string>();
  private readonly turns = new Map<string, readonly GraphItem[]>();
  private readonly history: LlmInput[] = [];
  private readonly maxFrames: number;

  /** Creates the state; at most `maxFrames` audio frames wait for the next turn. */
  constructor(maxFrames: number) {
    this.maxFrames = maxFrames;
  }

  /** Keeps one user audio frame for the next turn (dropped past the bound). */
  addAudio(frame: Extract<GraphItem, { kind: 'audio' }>): void {
    if (this.audio.length < this.maxFrames) this.audio.push(frame);
  }

  /** Keeps the words of a final transcript until a turn takes them (or they are superseded). */
  addTranscript(input_id: string, text: string): void {
    this.transcripts.set(input_id, text);
    if (this.transcripts.size > MAX_PENDING_TRANSCRIPTS)
      this.transcripts.delete(this.transcripts.keys().next().value ?? input_id);
  }

  /** Forgets a transcript no turn will answer. */
  dropTranscript(input_id: string): void {
    this.transcripts.delete(input_id);
  }

  /** A turn takes its input: the audio heard so far, then the words of `input_id`. */
  take(turn_id: string, input_id: string | null): readonly GraphItem[] {
    const input: GraphItem[] = [...this.audio];
    const text = input_id === null ? undefined : this.transcripts.get(input_id);
    if (text !== undefined) input.push({ kind: 'text', text });
    if (input_id !== null) this.transcripts.delete(input_id);
    this.audio = [];
    this.turns.set(turn_id, input);
    if (this.turns.size > MAX_TURN_INPUTS)
      this.turns.delete(this.turns.keys().next().value ?? turn_id);
    return input;
  }

  /** The input a turn took (empty when it took none or was forgotten). */
  inputOf(turn_id: string): readonly GraphItem[] {
    return this.turns.get(turn_id) ?? [];
  }

  /** A turn ended: its words and what the user heard of the reply join the history. */
  end(turn_id: string, exchange: ExchangeEnd): void {
    const input = this.turns.get(turn_id);
    this.turns.delete(turn_id);
    const words = input?.find((i) => i.kind === 'text');
    if (words?.kind === 'text') this.remember({ type: 'message', role: 'user', text: words.text });
    if (exchange.reply.length > 0) {
      this.remember({
        type: 'message',
        role: 'assistant',
        text: exchange.reply,
        ...(exchange.interrupted ? { interrupted: true } : {}),
      });
    }
  }

  /** A turn that never opened: it answered nothing and leaves no history. */
  release(turn_id: string): void {
    this.turns.delete(turn_id);
  }

  /** What LLM nodes read before the turn's own words. */
  messages(system_prompt: string | undefined): LlmInput[] {
    const prompt: LlmInput[] =
      system_prompt === undefined ? [] : [{ type: 'message', role: 'system', text: system_prompt }];
    return [...prompt, ...this.history];
  }

  private remember(message: LlmInput): void {
    this.history.push(message);
    if (this.history.length > MAX_HISTORY) this.history.shift();
  }
}
