/**
 * The error of an input WAV file that cannot be read: it names the field, what was expected and
 * what the file holds, and never carries audio.
 */

/** A malformed or unsupported WAV file. */
export class WavFormatError extends Error {
  /** The header field or chunk at fault (`fmt.bits_per_sample`, `data chunk`). */
  readonly field: string;
  /** What a readable file has there. */
  readonly expected: string;
  /** What this file has there. */
  readonly received: string;

  /** Creates the error; the message is `<field>: expected <expected>, received <received>`. */
  constructor(field: string, expected: string, received: string) {
    super(`${field}: expected ${expected}, received ${received}`);
    this.name = 'WavFormatError';
    this.field = field;
    this.expected = expected;
    this.received = received;
  }
}
