/**
 * Energy voice activity detection over 20 ms frames, causal (it decides on what it has heard):
 * speech starts once `onset_frames` loud frames follow each other, and ends once
 * `hangover_frames` quiet frames follow each other. A frame is loud when its RMS level reaches
 * `threshold_dbfs`.
 */

/** Tuning of {@link createEnergyVad}. */
export type VadOptions = {
  /** Level of a loud frame, dB relative to full scale (default -40). */
  readonly threshold_dbfs?: number;
  /** Loud frames in a row that start speech (default 3: 60 ms). */
  readonly onset_frames?: number;
  /** Quiet frames in a row that end speech (default 25: 500 ms). */
  readonly hangover_frames?: number;
};

/** What one frame changed: speech began (with the loud frames that led to it) or ended. */
type VadChange = 'onset' | 'offset' | null;

/** A streaming detector: one call per frame, in order. */
export type EnergyVad = {
  push(frame: Int16Array): VadChange;
  /** Whether the detector is inside an utterance. */
  readonly speaking: boolean;
  /** Loud frames in a row so far (the onset's pre-roll once speech starts). */
  readonly loudRun: number;
};

/** The RMS level of a PCM16 frame in dBFS (-Infinity for digital silence). */
export function levelDbfs(frame: Int16Array): number {
  if (frame.length === 0) return -Infinity;
  let sum = 0;
  for (const sample of frame) sum += sample * sample;
  return 20 * Math.log10(Math.sqrt(sum / frame.length) / 32_768);
}

/** Creates a detector. */
export function createEnergyVad(options: VadOptions = {}): EnergyVad {
  const threshold = options.threshold_dbfs ?? -40;
  const onset = options.onset_frames ?? 3;
  const hangover = options.hangover_frames ?? 25;
  let speaking = false;
  let loud = 0;
  let quiet = 0;
  return {
    get speaking() {
      return speaking;
    },
    get loudRun() {
      return loud;
    },
    push(frame) {
      const isLoud = levelDbfs(frame) >= threshold;
      loud = isLoud ? loud + 1 : 0;
      quiet = isLoud ? 0 : quiet + 1;
      if (!speaking && loud >= onset) {
        speaking = true;
        return 'onset';
      }
      if (speaking && quiet >= hangover) {
        speaking = false;
        return 'offset';
      }
      return null;
    },
  };
}
