import { describe, expect, it } from 'vitest';
import type { LlmInput } from '../../../contracts/index.ts';
import {
  INTERRUPTED_MARK,
  ProviderConfigError,
  chatContext,
  readFlag,
  readInteger,
  readSecret,
  readUrl,
  splitDelta,
  withApiKey,
} from './index.ts';

describe('splitDelta', () => {
  it('cuts text into pieces of at most max characters that join back to it', () => {
    const text = 'abcdefghij'.repeat(7);
    const pieces = splitDelta(text, 16);
    expect(pieces.join('')).toBe(text);
    expect(pieces.map((p) => p.length)).toEqual([16, 16, 16, 16, 6]);
  });

  it('never cuts inside a surrogate pair', () => {
    const pieces = splitDelta('ab😀cd', 3);
    expect(pieces).toEqual(['ab', '😀c', 'd']);
  });
});

describe('chatContext', () => {
  it('joins system messages and keeps the dialogue in order, marking an interrupted reply', () => {
    const messages: LlmInput[] = [
      { type: 'message', role: 'system', text: 'Be terse.' },
      { type: 'message', role: 'user', text: 'Hi' },
      { type: 'message', role: 'system', text: 'Speak English.' },
      { type: 'message', role: 'assistant', text: 'Hello, I', interrupted: true },
      { type: 'message', role: 'assistant', text: '', interrupted: false },
      { type: 'message', role: 'user', text: 'Go on' },
    ];
    expect(chatContext(messages)).toEqual({
      system: 'Be terse.\n\nSpeak English.',
      dialogue: [
        { role: 'user', text: 'Hi' },
        { role: 'assistant', text: `Hello, I${INTERRUPTED_MARK}` },
        { role: 'user', text: 'Go on' },
      ],
    });
    expect(chatContext([]).system).toBeNull();
  });
});

describe('provider settings', () => {
  it('names variable, expected and received, and carries the variable', () => {
    const refusal = (() => {
      try {
        readInteger({ X: '12a' }, 'X', 1, 1, 10);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(refusal).toBeInstanceOf(ProviderConfigError);
    expect(refusal).toMatchObject({
      variable: 'X',
      message: 'X: expected an integer from 1 to 10, received "12a"',
    });
  });

  it('applies fallbacks for unset and blank values', () => {
    expect(readInteger({ X: ' ' }, 'X', 7, 1, 10)).toBe(7);
    expect(readFlag({}, 'F', true)).toBe(true);
    expect(readFlag({ F: 'off' }, 'F', true)).toBe(false);
    expect(readUrl({}, 'U', 'http://127.0.0.1:1/x').href).toBe('http://127.0.0.1:1/x');
    expect(readSecret({ K: ' abc ' }, 'K')).toBe('abc');
  });

  it('hides the key from serialization', () => {
    const config = withApiKey({ model: 'm' }, 'secret');
    expect([JSON.stringify(config), config.api_key, Object.keys(config)]).toEqual([
      '{"model":"m"}',
      'secret',
      ['model'],
    ]);
  });
});
