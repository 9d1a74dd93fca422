/**
 * JSONL evidence sink: one contract-valid document per line, appended to a file. `offer` validates
 * and queues synchronously (bounded; a full queue is refused, never waited on); a serial pump
 * writes each line with exactly one write call on an `O_APPEND` descriptor, so earlier lines are
 * never touched. The first failed or short write stops the sink: nothing more is written after a
 * possibly torn line, the queued documents are reported lost, and no error reaches the caller.
 *
 * Durability (fsync policy): a line is in the kernel once its write returns, so it survives the
 * writer's `kill -9`; it is on disk after the next `flush()` or `close()`, which fsync the file
 * (`rspp run` flushes when the session ends). A power loss can lose lines written since the last
 * flush, never reorder or corrupt earlier ones: a torn last line is set apart on reopening.
 */
import {
  createContractValidator,
  type ContractValidator,
  type EvidenceSinkPort,
} from '../../../contracts/index.ts';
import type {
  EvidenceDocument,
  EvidenceOffer,
  EvidenceOfferRefusal,
  EvidenceSinkFailure,
  EvidenceSinkFailureCode,
  EvidenceSinkFailureListener,
  EvidenceSinkState,
  EvidenceSinkStats,
} from '../../../contracts/internal.ts';
import { openAppendFile, type EvidenceFile, type EvidenceFileOpener } from './file.ts';

/** Default bound of the write queue, in documents. */
export const JSONL_SINK_DEFAULT_CAPACITY = 1024;

/** Options of {@link openJsonlEvidenceSink}. */
export interface JsonlEvidenceSinkOptions {
  /** The evidence file; created when missing, appended to when present; never a directory. */
  readonly path: string;
  /** Most documents queued at once (default {@link JSONL_SINK_DEFAULT_CAPACITY}). */
  readonly capacity?: number;
  /** Validator checking every offered document; defaults to a new contract validator. */
  readonly validator?: ContractValidator;
  /** Opens the file; defaults to an `O_APPEND` file handle (tests inject failing files). */
  readonly openFile?: EvidenceFileOpener;
}

function isValidDocument(validator: ContractValidator, document: EvidenceDocument): boolean {
  const artifact = 'signal' in document ? 'control_signal' : 'baseline_evidence';
  return validator.validate(artifact, document).valid;
}

function errorName(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown error';
}

/**
 * Opens a JSONL evidence sink at `options.path`.
 * @throws EvidenceSinkError `path_is_directory` or `open_failed`, naming the path (startup only).
 */
export async function openJsonlEvidenceSink(
  options: JsonlEvidenceSinkOptions,
): Promise<EvidenceSinkPort> {
  const capacity = options.capacity ?? JSONL_SINK_DEFAULT_CAPACITY;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity: expected an integer >= 1, received ${String(capacity)}`);
  }
  const validator = options.validator ?? createContractValidator();
  const file: EvidenceFile = await (options.openFile ?? openAppendFile)(options.path);
  return createSink(file, options.path, capacity, validator);
}

function createSink(
  file: EvidenceFile,
  path: string,
  capacity: number,
  validator: ContractValidator,
): EvidenceSinkPort {
  const queue: Uint8Array[] = [];
  const listeners = new Set<EvidenceSinkFailureListener>();
  const refused: Record<EvidenceOfferRefusal, number> = {
    queue_full: 0,
    invalid_document: 0,
    sink_failed: 0,
    sink_closed: 0,
  };
  let state: EvidenceSinkState = 'open';
  let closing = false;
  let written = 0;
  let lost = 0;
  let lastFailure: EvidenceSinkFailure | null = null;
  let pumping: Promise<void> | null = null;
  let closed: Promise<EvidenceSinkStats> | null = null;

  function stats(): EvidenceSinkStats {
    return {
      state,
      capacity,
      queued: queue.length,
      written,
      lost,
      refused: { ...refused },
      last_failure: lastFailure,
    };
  }

  /** Records a failure; `failed` counts the document whose write failed on top of the queue. */
  function report(
    code: EvidenceSinkFailureCode,
    message: string,
    cause: unknown,
    failed = 0,
  ): void {
    const dropped = queue.length + failed;
    queue.length = 0;
    lost += dropped;
    const failure: EvidenceSinkFailure = { code, message, lost: dropped, cause };
    lastFailure = failure;
    for (const listener of listeners) {
      try {
        listener(failure);
      } catch {
        // A broken listener must not turn a reported failure into a thrown one.
      }
    }
  }

  async function pump(): Promise<void> {
    while (state === 'open' && queue.length > 0) {
      const line = queue[0]!;
      try {
        // Exactly one write call per line: with O_APPEND the kernel places it whole at the end.
        const { bytesWritten } = await file.write(line);
        if (bytesWritten !== line.byteLength) {
          state = 'failed';
          queue.shift();
          report(
            'short_write',
            `evidence file ${path}: short write (${bytesWritten} of ${line.byteLength} bytes); sink stopped`,
            undefined,
            1,
          );
          return;
        }
        queue.shift();
        written += 1;
      } catch (error) {
        state = 'failed';
        queue.shift();
        report(
          'write_failed',
          `evidence file ${path}: write failed (${errorName(error)}); sink stopped`,
          error,
          1,
        );
        return;
      }
    }
  }

  function startPump(): void {
    if (pumping !== null) return;
    pumping = pump().finally(() => {
      pumping = null;
      // A document offered while the last write settled is picked up here.
      if (state === 'open' && queue.length > 0) startPump();
    });
  }

  async function drained(): Promise<void> {
    while (pumping !== null) await pumping;
  }

  async function flush(): Promise<EvidenceSinkStats> {
    await drained();
    if (state === 'open') {
      try {
        await file.sync();
      } catch (error) {
        state = 'failed';
        report('sync_failed', `evidence file ${path}: sync failed (${errorName(error)})`, error);
      }
    }
    return stats();
  }

  async function shutdown(): Promise<EvidenceSinkStats> {
    await flush();
    try {
      await file.close();
    } catch (error) {
      report('close_failed', `evidence file ${path}: close failed (${errorName(error)})`, error);
    }
    state = 'closed';
    return stats();
  }

  return {
    offer(document: EvidenceDocument): EvidenceOffer {
      const reason: EvidenceOfferRefusal | null = closing
        ? 'sink_closed'
        : state === 'failed'
          ? 'sink_failed'
          : queue.length >= capacity
            ? 'queue_full'
            : !isValidDocument(validator, document)
              ? 'invalid_document'
              : null;
      if (reason !== null) {
        refused[reason] += 1;
        return { accepted: false, reason };
      }
      // JSON.stringify escapes every newline inside strings, so a document is exactly one line.
      queue.push(Buffer.from(`${JSON.stringify(document)}\n`, 'utf8'));
      startPump();
      return { accepted: true };
    },
    flush,
    close(): Promise<EvidenceSinkStats> {
      closing = true;
      closed ??= shutdown();
      return closed;
    },
    stats,
    onFailure(listener: EvidenceSinkFailureListener): () => void {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}
