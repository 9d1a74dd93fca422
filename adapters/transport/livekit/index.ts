/**
 * The LiveKit transport: joins a room as the agent participant with `@livekit/rtc-node`, maps
 * room, participant, track and data events to RK-22 ingress and RK-23 signals, publishes the
 * agent's audio behind an egress fence; tokens and the RoomService probe with
 * `livekit-server-sdk`; settings from `RSPP_LIVEKIT_*` (ADR 0045). Sole entry point of
 * adapters/transport/livekit.
 */
export { PIPELINE_RATE_HZ } from './caller-audio.ts';
export { classifyData, disconnectSignal, TOPICS, type DataClassification } from './classify.ts';
export {
  DATA_CLASSES,
  LiveKitConfigError,
  liveKitConfigFrom,
  type DataClass,
  type LiveKitConfig,
  type LiveKitFlags,
} from './config.ts';
export {
  createAgentEgress,
  type AgentEgress,
  type EgressAudio,
  type OutputDecision,
} from './egress.ts';
export {
  callerFrame,
  createFakeBinding,
  createFakeRoom,
  type FakeRoom,
  type FakeTrack,
} from './fake.ts';
export { createFrameChunker, samplesPerFrame } from './frames.ts';
export { PROBE_SKIPPED, probeLiveKit, type ProbeResult, type ProbeTarget } from './probe.ts';
export type {
  AudioSourcePort,
  LiveKitBinding,
  LiveKitRoomPort,
  RoomTrackLike,
} from './room-port.ts';
export { createRtcBinding, disposeRtc } from './rtc.ts';
export { agentIdentity, createAgentToken, createProbeToken } from './token.ts';
export {
  createLiveKitTransport,
  type LiveKitFeedResult,
  type LiveKitLifecycleEvent,
  type LiveKitOutput,
  type LiveKitTransport,
  type LiveKitTransportOptions,
} from './transport.ts';
