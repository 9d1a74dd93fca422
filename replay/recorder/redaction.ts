/**
 * OR-02 default redaction actions per recording level (spec/replay.md "Classification and
 * redaction"): what Stage-A stores for each payload class of a turn.
 */
import type {
  PayloadClass,
  RedactionAction,
  RedactionDecision,
  ResolvedTurnPlan,
} from '../../contracts/internal.ts';

/** OR-02 recording level: `L0` default, `L1` debug, `L2` forensics. */
export type RecordingLevel = ResolvedTurnPlan['recording_policy']['recording_level'];

/** Default OR-02 action of each payload class at each recording level. */
export const OR02_REDACTION_DEFAULTS: Readonly<
  Record<RecordingLevel, Readonly<Record<PayloadClass, RedactionAction>>>
> = {
  L0: {
    audio_raw: 'drop',
    text_raw: 'hash',
    PII: 'hash',
    PHI: 'drop',
    derived_summary: 'allow',
    metadata: 'allow',
  },
  L1: {
    audio_raw: 'mask',
    text_raw: 'mask',
    PII: 'hash',
    PHI: 'hash',
    derived_summary: 'allow',
    metadata: 'allow',
  },
  L2: {
    audio_raw: 'hash',
    text_raw: 'mask',
    PII: 'hash',
    PHI: 'hash',
    derived_summary: 'allow',
    metadata: 'allow',
  },
};

/** The payload tags without duplicates, in first-seen order. */
export function uniqueTags(tags: readonly PayloadClass[]): PayloadClass[] {
  return [...new Set(tags)];
}

/** One redaction decision per distinct tag, with the level's default action. */
export function redactionDecisions(
  tags: readonly PayloadClass[],
  level: RecordingLevel,
): RedactionDecision[] {
  const actions = OR02_REDACTION_DEFAULTS[level];
  return uniqueTags(tags).map((payload_class) => ({
    payload_class,
    action: actions[payload_class],
  }));
}
