import { formatDuration, parseDuration } from '../config/duration';
import type { Millis } from '../config/types';
import { UsageError } from './cli-io';

/** No override lives longer than this: a forgotten freeze must not hold a service for ever. */
export const MAX_OVERRIDE_DURATION: Millis = 7 * 86_400_000;

/** Defaults of `--for`: a freeze is for a maintenance window, a forced pool for an incident or a migration. */
export const DEFAULT_FREEZE_DURATION: Millis = 3_600_000;
export const DEFAULT_FORCE_POOL_DURATION: Millis = 4 * 3_600_000;

/** `--for 30m` -> ms; absent -> the default; not a duration, zero, or above 7d -> UsageError (exit 2). */
export function overrideDuration(text: string | undefined, fallback: Millis): Millis {
  if (text === undefined) return fallback;
  const ms = parseDuration(text.trim());
  if (ms === undefined) throw new UsageError(`--for must be a duration like 30m, 4h or 1d, got "${text}"`);
  if (ms <= 0) throw new UsageError('--for must be longer than 0s');
  if (ms > MAX_OVERRIDE_DURATION)
    throw new UsageError(
      `--for ${text} is longer than ${formatDuration(MAX_OVERRIDE_DURATION)}: an override must end on its own; set a new one when it expires`,
    );
  return ms;
}
