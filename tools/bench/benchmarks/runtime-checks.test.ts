import { describe, expect, it } from 'vitest';
import { countVerdicts, judgeTurn, laneDelivery, type TurnTally } from './runtime-checks.ts';

describe('laneDelivery', () => {
  it('finds a lane whole when 1..published each arrived once, in order', () => {
    expect(laneDelivery(4, [1, 2, 3, 4])).toEqual({
      published: 4,
      delivered: 4,
      lost: 0,
      duplicates: 0,
      unexpected: 0,
      inOrder: true,
    });
  });

  it('counts every sequence that never arrived as lost, a gap or a missing tail', () => {
    const delivery = laneDelivery(6, [1, 3, 4]);
    expect(delivery.lost).toBe(3);
    expect(delivery.delivered).toBe(3);
    expect(delivery.inOrder).toBe(true);
  });

  it('counts a redelivery as a duplicate, not as delivered twice, and flags the order', () => {
    const delivery = laneDelivery(3, [1, 2, 2, 3]);
    expect(delivery).toMatchObject({ delivered: 3, lost: 0, duplicates: 1, inOrder: false });
  });

  it('reports sequences outside 1..published as unexpected', () => {
    expect(laneDelivery(2, [0, 1, 2, 5])).toMatchObject({ delivered: 4, lost: 0, unexpected: 2 });
  });

  it('notices a swap', () => {
    expect(laneDelivery(3, [1, 3, 2]).inOrder).toBe(false);
  });

  it('finds everything lost when nothing arrived', () => {
    expect(laneDelivery(5, [])).toMatchObject({ delivered: 0, lost: 5, inOrder: true });
  });
});

describe('judgeTurn', () => {
  const whole: TurnTally = {
    produced: 'Hello there.',
    reply: { text: 'Hello there.', interrupted: false },
    terminal: 'commit',
    frames: 10,
    expectedFrames: 10,
  };

  it('calls a committed turn with all its text and frames complete', () => {
    expect(judgeTurn(whole)).toBe('complete');
  });

  it('calls an aborted or interrupted turn aborted, whatever else arrived', () => {
    expect(judgeTurn({ ...whole, terminal: 'abort' })).toBe('aborted');
    expect(judgeTurn({ ...whole, reply: { text: 'Hello', interrupted: true } })).toBe('aborted');
  });

  it('calls a turn without a terminal or a reply output no_reply', () => {
    const { reply: _reply, ...withoutReply } = whole;
    const { terminal: _terminal, ...withoutTerminal } = whole;
    expect(judgeTurn(withoutReply)).toBe('no_reply');
    expect(judgeTurn(withoutTerminal)).toBe('no_reply');
  });

  it('calls a reply that differs from what the LLM produced short', () => {
    expect(judgeTurn({ ...whole, reply: { text: 'Hello', interrupted: false } })).toBe(
      'short_reply',
    );
    expect(judgeTurn({ ...whole, produced: '', reply: { text: '', interrupted: false } })).toBe(
      'short_reply',
    );
  });

  it('calls a turn with fewer frames at the transport than the TTS spoke lost_frames', () => {
    expect(judgeTurn({ ...whole, frames: 9 })).toBe('lost_frames');
  });
});

describe('countVerdicts', () => {
  it('counts each verdict and lists the absent ones as 0', () => {
    expect(countVerdicts(['complete', 'aborted', 'complete'])).toEqual({
      complete: 2,
      aborted: 1,
      no_reply: 0,
      short_reply: 0,
      lost_frames: 0,
    });
  });
});
