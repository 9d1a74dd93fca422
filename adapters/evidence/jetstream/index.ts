/** JetStream evidence adapter (ADR 0035): the evidence stream, its sink and its reader. */
export { EVIDENCE_STREAM_LIMITS, ensureEvidenceStream } from './stream.ts';
export {
  JETSTREAM_SINK_DEFAULT_CAPACITY,
  createJetStreamEvidenceSink,
  type EvidenceAppendRecord,
  type JetStreamEvidenceSinkOptions,
  type OrderedAppend,
} from './sink.ts';
export {
  openEvidenceReader,
  type EvidenceReader,
  type EvidenceReaderOptions,
  type StoredEvidence,
} from './reader.ts';
