/**
 * Cutting streamed reply text into the pieces a TTS synthesizes one at a time: whole sentences
 * by default, so the first audio waits for the first sentence, not for the whole reply. Each
 * piece remembers which input chunks it came from, so frames can name what they speak.
 */
import { ProviderConfigError, readInteger, readText, type ProviderEnv } from './env.ts';

/** How text is cut before synthesis. */
export type SegmentMode = 'sentence' | 'whole';

/** Options of {@link createSentenceSegmenter}. */
export interface SegmenterOptions {
  /** `sentence` (default): cut at sentence ends; `whole`: one piece when the input ends. */
  readonly mode: SegmentMode;
  /** A sentence longer than this is cut at its last space before the limit (latency bound). */
  readonly max_chars: number;
}

/** One piece of text to synthesize. */
export interface TextSegment {
  /** The text (PII); never blank. */
  readonly text: string;
  /** Input chunk of its first character. */
  readonly first_input: number;
  /** Input chunk of its last character. */
  readonly last_input: number;
}

/** An incremental segmenter: push input chunks, take the pieces that are complete. */
export interface SentenceSegmenter {
  /** Adds input chunk `input_index`; returns the pieces it completed, in order. */
  push(text: string, input_index: number): TextSegment[];
  /** The input ended: returns what is left (at most one piece per sentence). */
  end(): TextSegment[];
}

/** Words whose final period does not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'no',
  'fig',
  'approx',
]);
/** A sentence end: terminal punctuation, closing quotes or brackets, then a space. */
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s)|[。！？]+["'”’)\]」』]*/gu;

/** Whether the period run ending at `end` (exclusive) closes an abbreviation or an initial. */
function isAbbreviation(text: string, start: number): boolean {
  if (text[start] !== '.') return false;
  const word = /([\p{L}.]+)$/u.exec(text.slice(0, start))?.[1] ?? '';
  if (word === '') return false;
  // A single capital letter before a period is an initial ("J. R. R. Tolkien").
  return ABBREVIATIONS.has(word.toLowerCase()) || /^\p{Lu}$/u.test(word);
}

/** Creates a segmenter. */
export function createSentenceSegmenter(options: SegmenterOptions): SentenceSegmenter {
  let buffer = '';
  /** Input index of each buffered character run: [offset in buffer, input index]. */
  let marks: [number, number][] = [];

  const inputAt = (offset: number): number => {
    let found = marks[0]?.[1] ?? 0;
    for (const [at, input] of marks) {
      if (at > offset) break;
      found = input;
    }
    return found;
  };
  /** Takes `buffer[0, end)` as a piece (null when blank) and keeps the rest. */
  const take = (end: number): TextSegment | null => {
    const raw = buffer.slice(0, end);
    const lead = raw.length - raw.trimStart().length;
    const text = raw.trim();
    const segment =
      text === ''
        ? null
        : {
            text,
            first_input: inputAt(lead),
            last_input: inputAt(lead + text.length - 1),
          };
    const restInput = inputAt(end);
    buffer = buffer.slice(end);
    marks = marks
      .filter(([at]) => at >= end)
      .map(([at, input]): [number, number] => [at - end, input]);
    if (buffer !== '' && (marks[0]?.[0] ?? 1) > 0) marks.unshift([0, restInput]);
    return segment;
  };
  /** The end of the first complete piece in the buffer, or -1. */
  const nextCut = (final: boolean): number => {
    if (options.mode === 'sentence') {
      for (const match of buffer.matchAll(SENTENCE_END)) {
        if (isAbbreviation(buffer, match.index)) continue;
        return match.index + match[0].length;
      }
      const paragraph = buffer.search(/\n\s*\n/);
      if (paragraph > 0) return paragraph + 1;
    }
    if (buffer.length > options.max_chars) {
      const space = buffer.lastIndexOf(' ', options.max_chars);
      return space > 0 ? space + 1 : options.max_chars;
    }
    return final ? buffer.length : -1;
  };
  const drain = (final: boolean): TextSegment[] => {
    const segments: TextSegment[] = [];
    for (;;) {
      const cut = buffer === '' ? -1 : nextCut(final);
      if (cut <= 0) return segments;
      const segment = take(cut);
      if (segment !== null) segments.push(segment);
    }
  };
  return {
    push(text, input_index) {
      if (text === '') return [];
      marks.push([buffer.length, input_index]);
      buffer += text;
      return drain(false);
    },
    end: () => drain(true),
  };
}

/**
 * Reads `<prefix>_SEGMENT` (`sentence` or `whole`, default `sentence`) and
 * `<prefix>_SEGMENT_MAX_CHARS` (default 300).
 */
export function readSegmenterOptions(env: ProviderEnv, prefix: string): SegmenterOptions {
  const name = `${prefix}_SEGMENT`;
  const mode = readText(env, name, 'sentence');
  if (mode !== 'sentence' && mode !== 'whole') {
    throw new ProviderConfigError(name, 'sentence or whole', JSON.stringify(mode));
  }
  return { mode, max_chars: readInteger(env, `${prefix}_SEGMENT_MAX_CHARS`, 300, 20, 5000) };
}
