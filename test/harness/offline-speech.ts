/**
 * What the offline speech tests share (ADR 0043): the startup checks of flite, espeak-ng and
 * pocketsphinx, and a `requireOfflineSpeech` hook that FAILS each test (never skips it) with the
 * checks' messages when a program is missing; a spawn wrapper that records every process an
 * adapter starts; fake programs (shell scripts) that fail in chosen ways; speech frames spoken by
 * the flite adapter; and audio measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invokeProvider, type SttInput, type TtsChunk } from '../../contracts/index.ts';
import type { SpawnFunction, ToolStatus } from '../../adapters/providers/kit/index.ts';
import { detectEspeakNg } from '../../adapters/providers/espeak-ng/index.ts';
import {
  createFliteTts,
  detectFlite,
  fliteConfigFromEnv,
} from '../../adapters/providers/flite/index.ts';
import { detectPocketsphinx } from '../../adapters/providers/pocketsphinx/index.ts';
import { createRealScheduler } from '../../adapters/providers/sim/index.ts';
import { attemptFields, fromArray, requestOf } from '../conformance/providers/fixtures.ts';

/** The offline speech programs. */
export type OfflineTool = 'flite' | 'espeak-ng' | 'pocketsphinx';

/** Runs the startup check of each offline speech program on this machine's PATH. */
export async function detectOfflineSpeech(): Promise<Record<OfflineTool, ToolStatus>> {
  const env = process.env;
  const [flite, espeak, pocketsphinx] = await Promise.all([
    detectFlite(env),
    detectEspeakNg(env),
    detectPocketsphinx(env),
  ]);
  return { flite, 'espeak-ng': espeak, pocketsphinx };
}

/**
 * A `beforeEach` hook that FAILS each test (never skips it) while one of `tools` is missing, with
 * a message naming each missing program and its install command. Checks once per hook.
 */
export function requireOfflineSpeech(tools: readonly OfflineTool[]): () => Promise<void> {
  let missing: Promise<string[]> | null = null;
  return async () => {
    missing ??= detectOfflineSpeech().then((found) =>
      tools.flatMap((tool) => found[tool].message ?? []),
    );
    const messages = await missing;
    if (messages.length > 0) {
      throw new Error(
        `offline speech tests need programs that are missing (.ci/run installs them):\n- ${messages.join('\n- ')}`,
      );
    }
  };
}

/** A spawn that records every child it starts. */
export function watchSpawn(onSpawn?: (child: ChildProcess) => void): {
  readonly spawn: SpawnFunction;
  readonly children: ChildProcess[];
} {
  const children: ChildProcess[] = [];
  const watched = ((...args: Parameters<typeof spawn>) => {
    const child = spawn(...args);
    children.push(child);
    onSpawn?.(child);
    return child;
  }) as SpawnFunction;
  return { spawn: watched, children };
}

/** How a child ended: its exit code and signal, once it has exited. */
export function exitOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Live (not zombie) processes of process group `pgid`, read from /proc. */
export async function liveGroupMembers(pgid: number): Promise<number[]> {
  const live: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command's closing parenthesis: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') {
      live.push(Number(entry));
    }
  }
  return live;
}

/** Waits (one event-loop turn at a time, bounded by the test timeout) until `check` holds. */
export async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setImmediate(resolve));
}

/** A directory of fake programs; `remove()` deletes it. */
export async function createFakePrograms(): Promise<{
  /** Writes an executable `sh` script and returns its absolute path. */
  program(name: string, body: string): Promise<string>;
  /** Writes a plain file and returns its absolute path. */
  file(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), 'rspp-fake-tools-'));
  return {
    async program(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    },
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `text` spoken by the flite adapter (`voice`), as the 20 ms frames a transport would feed. */
export async function spokenFrames(text: string, voice = 'rms'): Promise<SttInput[]> {
  const tts = createFliteTts({
    config: fliteConfigFromEnv({ RSPP_TTS_FLITE_VOICE: voice }),
    scheduler: createRealScheduler(),
  });
  const frames: TtsChunk[] = [];
  const settled = await invokeProvider(
    tts,
    requestOf(
      attemptFields('tts', tts.capabilities.provider_id),
      fromArray([{ type: 'text', text }]),
      new AbortController().signal,
    ),
    (chunk) => void frames.push(chunk),
  );
  if (settled.outcome.class !== 'success')
    throw new Error(`flite failed: ${settled.error?.message}`);
  return frames.map((frame) => ({ type: 'audio', pcm: frame.pcm, sample_rate_hz: 16_000 }));
}

/** `ms` of digital silence as 20 ms frames at 16 kHz. */
export function silenceFrames(ms: number): SttInput[] {
  return Array.from({ length: Math.ceil(ms / 20) }, () => ({
    type: 'audio',
    pcm: new Int16Array(320),
    sample_rate_hz: 16_000,
  }));
}

/** Root mean square of PCM16 samples, in dBFS (-Infinity for silence). */
export function rmsDbfs(samples: readonly Int16Array[]): number {
  let sum = 0;
  let count = 0;
  for (const pcm of samples) {
    for (const sample of pcm) sum += (sample / 32_768) ** 2;
    count += pcm.length;
  }
  return count === 0 ? -Infinity : 10 * Math.log10(sum / count);
}

/** A hand-fed input: `push` items, `end` it; reads wait for the next push. */
export function createPushInput<T>(): AsyncIterable<T> & {
  push(item: T): void;
  end(): void;
} {
  const items: T[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  return {
    push(item) {
      items.push(item);
      wake?.();
    },
    end() {
      ended = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const item = items.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
  };
}

/** The iterator of a stream (one read at a time, as a test drives it). */
export const iterate = <T>(stream: AsyncIterable<T>): AsyncIterator<T> =>
  stream[Symbol.asyncIterator]();
