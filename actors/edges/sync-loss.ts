/**
 * Minimal RK-15 sync-loss emitter (modules.md open point 1): an audio drop inside a sync domain
 * yields one `discontinuity` per domain per drop batch, with a deterministic id.
 */
import type { EventRecord } from '../../contracts/index.ts';
import type { SyncLossConfig } from './config.ts';
import { idPart } from './stamp.ts';

/** The fields of one `discontinuity` signal, before stamping. */
export interface DiscontinuityDraft {
  readonly sync_domain: string;
  readonly discontinuity_id: string;
  readonly reason: 'sync_domain_partial_loss';
}

/** The sync domain a dropped record breaks, or undefined when its loss needs no discontinuity. */
export function syncDomainOf(record: EventRecord, config: SyncLossConfig): string | undefined {
  if (record.payload_class !== 'audio_raw' || config.policy === 'no_sync') return undefined;
  return record.sync_domain ?? config.sync_domain;
}

/** Issues discontinuity drafts for one edge; ids are `disc/<edge>/<6-digit ordinal>`. */
export class SyncLossEmitter {
  private ordinal = 0;
  private readonly edgeId: string;

  /** Creates the emitter of one edge. */
  constructor(edgeId: string) {
    this.edgeId = edgeId;
  }

  /** One draft per distinct domain, in first-seen order. */
  onDrops(domains: readonly string[]): DiscontinuityDraft[] {
    return [...new Set(domains)].map((sync_domain) => ({
      sync_domain,
      discontinuity_id: `disc/${idPart(this.edgeId)}/${String(this.ordinal++).padStart(6, '0')}`,
      reason: 'sync_domain_partial_loss',
    }));
  }
}
