/**
 * The turn context as chat APIs take it: the system prompt apart, then the dialogue of both roles
 * in order. An interrupted assistant reply keeps what was heard and says that it was cut off.
 */
import type { LlmInput } from '../../../contracts/index.ts';

/** One dialogue turn. */
export interface DialogueMessage {
  /** Who said it. */
  readonly role: 'user' | 'assistant';
  /** What was said (PII). */
  readonly text: string;
}

/** The turn context split for a chat API. */
export interface ChatContext {
  /** The system messages joined by blank lines, or null when there are none. */
  readonly system: string | null;
  /** User and assistant messages in order; empty texts are left out (APIs refuse them). */
  readonly dialogue: readonly DialogueMessage[];
}

/** Appended to an interrupted assistant reply, so the model knows the user did not hear the rest. */
export const INTERRUPTED_MARK = ' [interrupted by the user]';

/** Splits the turn context into the system prompt and the dialogue. */
export function chatContext(messages: readonly LlmInput[]): ChatContext {
  const system: string[] = [];
  const dialogue: DialogueMessage[] = [];
  for (const message of messages) {
    if (message.role === 'system') {
      if (message.text.trim() !== '') system.push(message.text);
      continue;
    }
    const text =
      message.role === 'assistant' && message.interrupted === true
        ? `${message.text}${INTERRUPTED_MARK}`.trimStart()
        : message.text;
    if (text.trim() !== '') dialogue.push({ role: message.role, text });
  }
  return { system: system.length === 0 ? null : system.join('\n\n'), dialogue };
}
