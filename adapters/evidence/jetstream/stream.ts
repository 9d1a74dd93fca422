/**
 * The JetStream evidence stream (ADR 0035): limits retention, so records stay until their age
 * or the byte bound retires them, whoever has read them; the oldest go first when it is full.
 */
import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { EVIDENCE_STREAM_NAME, EVIDENCE_STREAM_SUBJECTS } from '../../../contracts/internal.ts';

/** Declared bounds of the evidence stream; `discard: old` retires the oldest records when full. */
export const EVIDENCE_STREAM_LIMITS = {
  maxAgeMs: 24 * 60 * 60 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  maxMsgSize: 64 * 1024,
  duplicateWindowMs: 2 * 60 * 1000,
} as const;

/** Creates the evidence stream, or keeps the existing one (the first creator's bounds win). */
export async function ensureEvidenceStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(EVIDENCE_STREAM_NAME);
    return;
  } catch {
    // Missing (or unreadable): create it below; a real failure surfaces there.
  }
  try {
    await jsm.streams.add({
      name: EVIDENCE_STREAM_NAME,
      subjects: [...EVIDENCE_STREAM_SUBJECTS],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      max_age: nanos(EVIDENCE_STREAM_LIMITS.maxAgeMs),
      max_bytes: EVIDENCE_STREAM_LIMITS.maxBytes,
      max_msg_size: EVIDENCE_STREAM_LIMITS.maxMsgSize,
      duplicate_window: nanos(EVIDENCE_STREAM_LIMITS.duplicateWindowMs),
      num_replicas: 1,
    });
  } catch (error) {
    // Another worker created it between the two calls: keep its configuration.
    await jsm.streams.info(EVIDENCE_STREAM_NAME).catch(() => {
      throw error;
    });
  }
}
