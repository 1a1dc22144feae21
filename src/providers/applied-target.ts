/**
 * What the apply processor remembers per (service, provider target): the last generation that reached the
 * provider and is in sync there (the fencing watermark), the change ids of that apply, and the state of the
 * latest attempt. Stored as JSON in the service's `applied` hash, field `<provider>\t<zone>`; `quorumdns
 * status` shows it next to the decision generation.
 */
import { z } from 'zod';
import { FIELD_SEPARATOR } from '../redis/keys';

export type SyncState =
  /** A change was submitted for `attemptedGeneration` and is not yet confirmed in sync. */
  | 'pending'
  /** `generation` is in sync at the provider (verified by re-reading). */
  | 'in-sync'
  /** The latest attempt (`attemptedGeneration`) failed; `error` says why. `generation` is still in force. */
  | 'failed'
  /** A dry drill planned `attemptedGeneration` without changing DNS; `generation` is still in force. */
  | 'dry-run';

export interface AppliedTargetError {
  /** `ProviderErrorCode` (THROTTLED, FORBIDDEN, NOT_OWNER, ...) or a quorumdns code for non-provider errors. */
  code: string;
  /** Our message, including the provider's own words. */
  message: string;
  /** The provider's own error code (`AccessDenied`, `conditionNotMet`, ...), when it sent one. */
  remoteCode?: string;
  /** Whether the apply will be retried (transient) or needs a person (permanent). */
  transient?: boolean;
}

export interface AppliedTarget {
  provider: string;
  zone: string;
  /**
   * The last generation applied and in sync at this target; `null` before the first successful apply.
   * Apply jobs at or below it are dropped (fencing): DNS never goes back to an older decision.
   */
  generation: number | null;
  /** Change ids of the apply that brought `generation` (or of the pending one); empty when nothing changed. */
  changeIds: string[];
  syncState: SyncState;
  /** Present when `syncState` is `failed`. */
  error?: AppliedTargetError;
  /** The generation of the latest attempt (pending, failed, dry-run) when it differs from `generation`. */
  attemptedGeneration?: number;
  /** Redis ms of the last write of this record. */
  updatedAt: number;
  /** Redis ms when `generation` was confirmed in sync. */
  appliedAt?: number;
}

/** The `applied` hash field of a target. Neither a provider name nor a zone contains a tab. */
export function appliedField(provider: string, zone: string): string {
  return `${provider}${FIELD_SEPARATOR}${zone}`;
}

/** `<provider>/<zone>`: how messages and `DnsChangeSummary.target` name a target. */
export function targetLabel(provider: string, zone: string): string {
  return `${provider}/${zone}`;
}

const generation = z.number().int().nonnegative();
const epochMs = z.number().int().nonnegative();

export const appliedTargetSchema = z.object({
  provider: z.string().min(1),
  zone: z.string().min(1),
  generation: generation.nullable(),
  changeIds: z.array(z.string()),
  syncState: z.enum(['pending', 'in-sync', 'failed', 'dry-run']),
  error: z
    .object({
      code: z.string().min(1),
      message: z.string(),
      remoteCode: z.string().optional(),
      transient: z.boolean().optional(),
    })
    .optional(),
  attemptedGeneration: generation.optional(),
  updatedAt: epochMs,
  appliedAt: epochMs.optional(),
});
