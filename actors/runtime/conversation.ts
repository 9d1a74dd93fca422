/**
 * Session-hot conversation state: user audio and words waiting for the next turn, and the
 * committed user turns the LLM nodes see as history. Everything is bounded.
 */
import type { LlmInput } from '../../contracts/index.ts';
import type { GraphItem } from '../nodes/types.ts';
import type { TurnRecord } from './turn-record.ts';

/** Committed user messages kept as history. */
const MAX_HISTORY = 32;

/** The conversation of one session. */
export class Conversation {
  private audio: GraphItem[] = [];
  private transcript: string | null = null;
  private readonly users: string[] = [];
  private readonly maxFrames: number;

  /** Creates the state; at most `maxFrames` audio frames wait for the next turn. */
  constructor(maxFrames: number) {
    this.maxFrames = maxFrames;
  }

  /** Keeps one user audio frame for the next turn (dropped past the bound). */
  addAudio(frame: Extract<GraphItem, { kind: 'audio' }>): void {
    if (this.audio.length < this.maxFrames) this.audio.push(frame);
  }

  /** The user's latest final words. */
  setTranscript(text: string): void {
    this.transcript = text;
  }

  /** The next turn's input (audio, then words); the waiting state is cleared. */
  takeInput(): GraphItem[] {
    const input: GraphItem[] = [...this.audio];
    if (this.transcript !== null) input.push({ kind: 'text', text: this.transcript });
    this.audio = [];
    this.transcript = null;
    return input;
  }

  /** A committed turn's words join the history. */
  commit(turn: TurnRecord): void {
    const text = turn.input.find((i) => i.kind === 'text');
    if (text?.kind !== 'text') return;
    this.users.push(text.text);
    if (this.users.length > MAX_HISTORY) this.users.shift();
  }

  /** What LLM nodes read before the turn's own words. */
  messages(system_prompt: string | undefined): LlmInput[] {
    const prompt: LlmInput[] =
      system_prompt === undefined ? [] : [{ type: 'message', role: 'system', text: system_prompt }];
    return [
      ...prompt,
      ...this.users.map((text) => ({ type: 'message' as const, role: 'user' as const, text })),
    ];
  }
}
