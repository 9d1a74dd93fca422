/** Writes PCM16 mono samples as a canonical 44-byte-header WAV file (through `wavefile`). */
import wavefile from 'wavefile';

/** The bytes of a PCM16 mono WAV file of `pcm` at `sample_rate_hz`. */
export function encodeWav(pcm: Int16Array, sample_rate_hz: number): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sample_rate_hz, '16', pcm);
  return wav.toBuffer();
}
