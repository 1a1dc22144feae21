/**
 * IANA time zones, checked with the runtime's own tz database (the one the drill scheduler will
 * use), so a zone that validates is a zone that schedules.
 */
import { closestMatch } from './did-you-mean';

let knownZones: readonly string[] | undefined;

/** Every canonical zone name the runtime knows, plus `UTC` (which `Intl.supportedValuesOf` leaves out). */
export function knownTimeZones(): readonly string[] {
  knownZones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return knownZones;
}

/**
 * The runtime's name of an IANA zone written in any case (`europe/paris` -> `Europe/Paris`), or
 * undefined. UTC offsets like `+01:00` are refused: a fixed offset does not follow daylight saving,
 * which is what a zone is written for.
 */
export function canonicalTimeZone(text: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+/-]*$/.test(text)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** ` (did you mean "Europe/Paris"?)` or ''. */
export function timeZoneSuggestion(text: string): string {
  const match = closestMatch(text, knownTimeZones());
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
