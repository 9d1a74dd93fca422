import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AdapterError } from '../../../contracts/index.ts';
import { findExecutable, missingToolMessage, startTool, type ToolLaunch } from './local-tool.ts';

const decoder = new TextDecoder();

/** Launches `sh -c script`, recording the child. */
function launch(script: string, over: Partial<ToolLaunch> = {}) {
  const children: ChildProcess[] = [];
  const run = startTool({
    provider: 'tts-test',
    command: 'sh',
    args: ['-c', script],
    signal: new AbortController().signal,
    missing: missingToolMessage('sh', ['dash']),
    stdin: { data: '' },
    spawn: ((...args: Parameters<typeof spawn>) => {
      const child = spawn(...args);
      children.push(child);
      return child;
    }) as typeof spawn,
    ...over,
  });
  return { run, child: () => children[0]! };
}

async function collect(output: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const bytes of output) text += decoder.decode(bytes);
  return text;
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.signalCode)
    : new Promise((resolve) => child.once('exit', (_, signal) => resolve(signal)));

/** Whether a live (not zombie) process is left in group `pgid`. */
async function groupAlive(pgid: number): Promise<boolean> {
  for (const entry of await readdir('/proc')) {
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

describe('findExecutable', () => {
  it('finds a program on the PATH of the given environment only', async () => {
    expect(await findExecutable('sh', { PATH: '/nonexistent:/bin:/usr/bin' })).toMatch(/\/sh$/);
    expect(await findExecutable('sh', { PATH: '/nonexistent' })).toBeNull();
    expect(await findExecutable('sh', {})).toBeNull();
  });

  it('takes an absolute path as is and refuses a relative one', async () => {
    expect(await findExecutable('/bin/sh', {})).toBe('/bin/sh');
    expect(await findExecutable('./sh', { PATH: '/bin' })).toBeNull();
  });
});

describe('startTool', () => {
  it('streams stdout, with stdin written and closed, and ends on exit 0', async () => {
    const { run } = launch('cat; printf done', { stdin: { data: 'in ' } });
    expect(await collect(run.output)).toBe('in done');
  });

  it('rejects after the output with a server error naming the exit status', async () => {
    const { run } = launch('printf partial; exit 4');
    const failure = await collect(run.output).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AdapterError);
    expect(failure).toMatchObject({ code: 'server_error', detail: 'exit_4', retryable: true });
  });

  it('rejects a missing program as endpoint_missing with the install message as cause', async () => {
    const { run } = launch('', { command: 'rspp-no-such-program' });
    const failure = (await collect(run.output).catch((error: unknown) => error)) as AdapterError;
    expect(failure).toMatchObject({ code: 'endpoint_missing', detail: 'binary_missing' });
    expect((failure.cause as Error).message).toBe(missingToolMessage('sh', ['dash']));
  });

  it('kills the program at an abort and ends the output without an error', async () => {
    const controller = new AbortController();
    const { run, child } = launch('printf ready; exec sleep 60', { signal: controller.signal });
    const iterator = run.output[Symbol.asyncIterator]();
    expect(decoder.decode((await iterator.next()).value)).toBe('ready');
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(await exited(child())).toBe('SIGKILL');
  });

  it('kills the program when the reader stops early', async () => {
    const { run, child } = launch('printf ready; exec sleep 60');
    for await (const _ of run.output) break;
    expect(await exited(child())).toBe('SIGKILL');
  });

  it('kills a process group with its children, and maps exit 127 to a missing program', async () => {
    const controller = new AbortController();
    const { run, child } = launch('sleep 60 & printf ready; wait', {
      signal: controller.signal,
      group: true,
    });
    const iterator = run.output[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort();
    expect(await exited(child())).toBe('SIGKILL');
    // The background sleep got the same SIGKILL: wait (a turn at a time) until it is gone.
    while (await groupAlive(child().pid!)) await new Promise((resolve) => setImmediate(resolve));
    const missing = launch('exit 127', { group: true });
    await expect(collect(missing.run.output)).rejects.toMatchObject({
      code: 'endpoint_missing',
      detail: 'binary_missing',
    });
  });
});
