import { describe, expect, it } from 'vitest';
import { runExample } from '../../tools/run/example.ts';

describe('docs/runtime.md example', () => {
  it('opens a turn, speaks the reply and commits', async () => {
    const lines = await runExample(() => undefined);
    expect(lines[0]).toBe('turn_open_proposed(session_turn_intent)');
    expect(lines[1]).toBe('turn_open');
    expect(lines.slice(-2)).toEqual(['commit', 'close']);
    expect(lines.filter((l) => l.startsWith('output_accepted')).length).toBeGreaterThan(0);
  });
});
