/**
 * What of a turn's reply the transport actually received: the text a text sink delivered, or,
 * for a TTS sink, the text items the TTS read up to the last one whose audio passed the egress
 * fence (each frame names the input item it speaks). This, not what the LLM generated, is what
 * enters the conversation history.
 */
import type { GraphItem } from '../nodes/types.ts';

/** Longest reply text kept (characters); longer replies are cut here. */
const MAX_REPLY_CHARS = 16_384;

/** The delivered reply of one turn. */
export class ReplyTracker {
  private readonly spoken: string[] = [];
  private spokenChars = 0;
  private spokenThrough = -1;
  private written = '';
  /** Delivered items that were text (a text sink). */
  private texts = 0;

  /** A TTS sink read a text item (in its reading order). */
  heard(text: string): void {
    if (this.spokenChars >= MAX_REPLY_CHARS) return;
    this.spoken.push(text);
    this.spokenChars += text.length;
  }

  /** An output item passed the egress fence. */
  delivered(item: GraphItem): void {
    if (item.kind === 'text') {
      this.texts += 1;
      if (this.written.length < MAX_REPLY_CHARS) this.written += item.text;
      return;
    }
    if (item.spoken_index !== undefined)
      this.spokenThrough = Math.max(this.spokenThrough, item.spoken_index);
  }

  /** The reply text the transport received so far. */
  get text(): string {
    if (this.texts > 0) return this.written.slice(0, MAX_REPLY_CHARS);
    return this.spoken
      .slice(0, this.spokenThrough + 1)
      .join('')
      .slice(0, MAX_REPLY_CHARS);
  }
}
