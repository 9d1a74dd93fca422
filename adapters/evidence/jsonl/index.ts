/** Public surface of the JSONL evidence sink adapter (`rspp run --evidence FILE`). */
export {
  JSONL_SINK_DEFAULT_CAPACITY,
  openJsonlEvidenceSink,
  type JsonlEvidenceSinkOptions,
} from './jsonl-sink.ts';
export { openAppendFile, type EvidenceFile, type EvidenceFileOpener } from './file.ts';
