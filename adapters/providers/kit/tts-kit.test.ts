import { describe, expect, it } from 'vitest';
import {
  createFrameChunker,
  createPcm16Decoder,
  createSentenceSegmenter,
  readSegmenterOptions,
  readWavPcm16,
} from './index.ts';

const sentence = { mode: 'sentence', max_chars: 300 } as const;

describe('createSentenceSegmenter', () => {
  it('cuts at sentence ends as text streams in, naming the input chunks of each piece', () => {
    const segmenter = createSentenceSegmenter(sentence);
    expect(segmenter.push('Hello there. How', 0)).toEqual([
      { text: 'Hello there.', first_input: 0, last_input: 0 },
    ]);
    expect(segmenter.push(' are you', 1)).toEqual([]);
    expect(segmenter.push(' today? I am', 2)).toEqual([
      { text: 'How are you today?', first_input: 0, last_input: 2 },
    ]);
    expect(segmenter.push(' fine.', 3)).toEqual([]);
    expect(segmenter.end()).toEqual([{ text: 'I am fine.', first_input: 2, last_input: 3 }]);
  });

  it('does not cut after abbreviations, initials or decimals, and cuts after CJK stops', () => {
    const segmenter = createSentenceSegmenter(sentence);
    const texts = [
      ...segmenter.push('Dr. Smith met J. R. R. Tolkien, e.g. at 3.5 pm. Then ', 0),
      ...segmenter.push('he left!" 你好。再见', 1),
      ...segmenter.end(),
    ].map((s) => s.text);
    expect(texts).toEqual([
      'Dr. Smith met J. R. R. Tolkien, e.g. at 3.5 pm.',
      'Then he left!"',
      '你好。',
      '再见',
    ]);
  });

  it('cuts a run-on sentence at its last space before max_chars, and at paragraph breaks', () => {
    const segmenter = createSentenceSegmenter({ mode: 'sentence', max_chars: 20 });
    const texts = [
      ...segmenter.push('one two three four five six seven', 0),
      ...segmenter.push('\n\nnext', 1),
      ...segmenter.end(),
    ].map((s) => s.text);
    expect(texts).toEqual(['one two three four', 'five six seven', 'next']);
    expect(texts.every((t) => t.length <= 20)).toBe(true);
  });

  it('keeps everything for the end in whole mode, and drops blank pieces', () => {
    const whole = createSentenceSegmenter({ mode: 'whole', max_chars: 300 });
    expect(whole.push('A. B. ', 0)).toEqual([]);
    expect(whole.push('C.', 1)).toEqual([]);
    expect(whole.end()).toEqual([{ text: 'A. B. C.', first_input: 0, last_input: 1 }]);
    const blank = createSentenceSegmenter(sentence);
    expect([...blank.push('  ', 0), ...blank.end()]).toEqual([]);
  });

  it('reads its settings, naming the variable on a refusal', () => {
    expect(readSegmenterOptions({}, 'P')).toEqual({ mode: 'sentence', max_chars: 300 });
    expect(readSegmenterOptions({ P_SEGMENT: 'whole' }, 'P').mode).toBe('whole');
    expect(() => readSegmenterOptions({ P_SEGMENT_MAX_CHARS: '5' }, 'P')).toThrow(
      'P_SEGMENT_MAX_CHARS: expected an integer from 20 to 5000, received "5"',
    );
  });
});

describe('PCM16 decoding and framing', () => {
  it('decodes little-endian bytes split at any offset', () => {
    const pcm = Int16Array.from([1, -2, 32767, -32768, 258]);
    const bytes = new Uint8Array(pcm.buffer);
    const decoder = createPcm16Decoder();
    const parts = [bytes.subarray(0, 3), bytes.subarray(3, 4), bytes.subarray(4, 9)];
    const out = parts.flatMap((part) => [...decoder.push(part)]);
    expect(decoder.dangling).toBe(true);
    expect([...out, ...decoder.push(bytes.subarray(9))]).toEqual([...pcm]);
    expect(decoder.dangling).toBe(false);
  });

  it('cuts frames of exactly frame_ms and pads only the last one', () => {
    const chunker = createFrameChunker(16_000, 20);
    const first = chunker.push(new Int16Array(500).fill(1));
    const second = chunker.push(new Int16Array(300).fill(2));
    const tail = chunker.end();
    expect([first.length, second.length]).toEqual([1, 1]);
    expect([...second[0]!.subarray(178, 182)]).toEqual([1, 1, 2, 2]);
    expect(tail?.length).toBe(320);
    expect([tail?.[159], tail?.[160]]).toEqual([2, 0]);
    expect(chunker.end()).toBeNull();
    expect(() => createFrameChunker(22_050, 15)).toThrow(RangeError);
  });
});

describe('readWavPcm16', () => {
  const wav = (format: number, channels: number, bits: number, extra = 0) => {
    const bytes = new Uint8Array(44 + extra + 4);
    const view = new DataView(bytes.buffer);
    const text = (at: number, s: string) =>
      [...s].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
    text(0, 'RIFF');
    text(8, 'WAVE');
    text(12, 'fmt ');
    view.setUint32(16, 16, true);
    view.setUint16(20, format, true);
    view.setUint16(22, channels, true);
    view.setUint32(24, 24_000, true);
    view.setUint16(34, bits, true);
    let at = 36;
    if (extra > 0) {
      text(at, 'LIST');
      view.setUint32(at + 4, extra - 8, true);
      at += extra;
    }
    text(at, 'data');
    view.setUint32(at + 4, 4, true);
    bytes.set([1, 0, 2, 0], at + 8);
    return bytes;
  };

  it('walks chunks to the data of a PCM16 mono file and returns raw bytes as null', () => {
    const read = readWavPcm16(wav(1, 1, 16, 12));
    expect([read?.sample_rate_hz, [...(read?.data ?? [])]]).toEqual([24_000, [1, 0, 2, 0]]);
    expect(readWavPcm16(Uint8Array.from([1, 2, 3, 4]))).toBeNull();
  });

  it('refuses a WAV that is not PCM16 mono', () => {
    expect(() => readWavPcm16(wav(1, 2, 16))).toThrow('wav_not_pcm16_mono');
    expect(() => readWavPcm16(wav(3, 1, 32))).toThrow('wav_not_pcm16_mono');
  });
});
