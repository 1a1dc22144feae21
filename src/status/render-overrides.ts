import { formatDuration, formatTime } from '../quorum/format-duration';
import type { Override } from '../quorum/types';
import { plainStyle, renderTable, type TextStyle } from './text-style';

/** What an override does, in the words of the command that set it: `freeze`, `drain aws-use1`, `restore gcp-euw1`. */
export function overrideEffect(override: Override): string {
  if (override.kind === 'freeze') return 'freeze';
  return `${override.direction === 'out' ? 'drain' : 'restore'} ${override.pool}`;
}

/** `in 25m (2026-05-01T10:00:00.000Z)` or `never`. */
export function describeExpiry(override: Override, now: number): string {
  if (override.expiresAt === undefined) return 'never';
  return `in ${formatDuration(Math.max(0, override.expiresAt - now))} (${formatTime(override.expiresAt)})`;
}

export interface ServiceOverrides {
  service: string;
  overrides: Override[];
}

/** Overrides as a table (service, id, effect, by, expires, reason); the service column only when asked. */
export function renderOverridesTable(
  entries: readonly ServiceOverrides[],
  now: number,
  options: { showService: boolean; indent?: string; style?: TextStyle },
): string[] {
  const style = options.style ?? plainStyle;
  const heading = [...(options.showService ? ['service'] : []), 'id', 'effect', 'by', 'expires', 'reason'];
  const rows = entries.flatMap(({ service, overrides }) =>
    overrides.map((override) => [
      ...(options.showService ? [service] : []),
      override.id,
      override.kind === 'freeze' || override.direction === 'out'
        ? style.warn(overrideEffect(override))
        : style.good(overrideEffect(override)),
      override.by,
      describeExpiry(override, now),
      JSON.stringify(override.reason),
    ]),
  );
  return renderTable([heading.map((cell) => style.dim(cell)), ...rows], options.indent ?? '');
}
