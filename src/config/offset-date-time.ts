/**
 * ISO 8601 date-times that carry their offset (`2026-12-24T00:00:00+01:00`, `...Z`): a blocked
 * window is an absolute period, and a date-time without an offset would depend on the clock of
 * whoever reads it.
 */

export const OFFSET_DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,3})?)?(?:Z|[+-]\\d{2}:\\d{2})$';

const OFFSET_DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch milliseconds, or undefined when the text is not such a date-time or names no real instant (Feb 30, 24:00). */
export function parseOffsetDateTime(text: string): number | undefined {
  const match = OFFSET_DATE_TIME_RE.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms, sign, oh, om] = match;
  const [year, month, day, hour, minute] = [Number(y), Number(mo), Number(d), Number(h), Number(mi)];
  const second = Number(s ?? 0);
  const offsetHours = Number(oh ?? 0);
  const offsetMinutes = Number(om ?? 0);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const daysInMonth = utc(year, month, 0).getUTCDate(); // day 0 of the next month: the last of this one
  if (day < 1 || day > daysInMonth) return undefined;
  const wall =
    utc(year, month - 1, day).getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + fraction(ms);
  const offset = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return wall - offset;
}

/** Midnight UTC of a date; unlike Date.UTC, years 0-99 stay themselves. */
function utc(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}

function fraction(digits: string | undefined): number {
  return Number((digits ?? '0').padEnd(3, '0'));
}

/** True when the text has the form of a date-time but no offset (to say so in the message). */
export function lacksOffset(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.test(text);
}
