import { describe, expect, it } from 'vitest';
import { InputLog, InputNotReplayableError } from './input-log.ts';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const live = () => new AbortController().signal;

describe('InputLog', () => {
  it('replays every item to each reader, including items appended while reading', async () => {
    const log = new InputLog<string>(8);
    log.append('a');
    const first = collect(log.reader(live()));
    log.append('b');
    log.notify();
    await Promise.resolve();
    log.append('c');
    log.close();
    expect(await first).toEqual(['a', 'b', 'c']);
    expect(await collect(log.reader(live()))).toEqual(['a', 'b', 'c']);
  });

  it('pulls from its source only when a reader reaches the end', async () => {
    const source = ['x', 'y', 'z'];
    const log = new InputLog<string>(8, () => source.shift());
    expect(log.size).toBe(0);
    const iterator = log.reader(live())[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 'x' });
    // The consumer read one: the rest stays in the source (the edge buffer).
    expect(source).toEqual(['y', 'z']);
    expect(log.size).toBe(1);
    log.close();
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual(['y', 'z']);
    expect(await collect(log.reader(live()))).toEqual(['x', 'y', 'z']);
  });

  it('wakes a waiting reader when its source gets an item, and ends it once closed and drained', async () => {
    const source: string[] = [];
    const log = new InputLog<string>(8, () => source.shift());
    const reading = collect(log.reader(live()));
    await Promise.resolve();
    source.push('late');
    log.notify();
    source.push('last');
    log.close();
    expect(await reading).toEqual(['late', 'last']);
  });

  it('keeps only the last `capacity` items and is no longer replayable after forgetting one', async () => {
    const log = new InputLog<number>(2);
    log.append(1);
    log.append(2);
    expect(log.replayable).toBe(true);
    log.append(3);
    log.close();
    expect(log.replayable).toBe(false);
    expect(log.size).toBe(3);
    await expect(collect(log.reader(live()))).rejects.toBeInstanceOf(InputNotReplayableError);
  });

  it('lets a reader that keeps pace read past its capacity', async () => {
    const source = [1, 2, 3, 4, 5];
    const log = new InputLog<number>(2, () => source.shift());
    log.close();
    expect(await collect(log.reader(live()))).toEqual([1, 2, 3, 4, 5]);
    expect(log.replayable).toBe(false);
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
