import { describe, expect, it } from 'vitest';
import { InputLog } from './input-log.ts';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('InputLog', () => {
  it('refuses appends past its capacity and after close', () => {
    const log = new InputLog<number>(2);
    expect([log.append(1), log.append(2), log.append(3)]).toEqual([null, null, 'full']);
    log.close();
    expect(log.append(4)).toBe('closed');
    expect(log.size).toBe(2);
  });

  it('replays every item to each reader, including items appended while reading', async () => {
    const log = new InputLog<string>(8);
    log.append('a');
    const first = collect(log.reader(new AbortController().signal));
    log.append('b');
    await Promise.resolve();
    log.append('c');
    log.close();
    expect(await first).toEqual(['a', 'b', 'c']);
    expect(await collect(log.reader(new AbortController().signal))).toEqual(['a', 'b', 'c']);
  });

  it('ends a waiting reader when its signal aborts', async () => {
    const log = new InputLog<string>(8);
    log.append('a');
    const controller = new AbortController();
    const reading = collect(log.reader(controller.signal));
    await Promise.resolve();
    controller.abort();
    expect(await reading).toEqual(['a']);
  });
});
