/**
 * Five-field cron expressions (`minute hour day-of-month month day-of-week`), strictly validated,
 * and the next time one fires in an IANA time zone.
 *
 * Syntax (Vixie cron): each field is a comma list of `*`, `n`, `a-b`, `*\/s` or `a-b/s`; months
 * and days of the week may be written as names (`JAN`..`DEC`, `SUN`..`SAT`, any case); day of the week
 * 7 is Sunday like 0. The macros `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`
 * and `@hourly` stand for their five fields. Refused on purpose, because they are ambiguous or mean
 * something else elsewhere: a seconds (or year) field, `a/s` without a range end, `?`, `L`, `W`, `#`,
 * ranges that run backwards, a step wider than its range, and expressions that never fire (`0 0 31 2 *`).
 *
 * Day matching follows cron: when both day fields are restricted a day matches either of them
 * (`0 0 1 * MON` = the 1st and every Monday); a field that starts with `*` is unrestricted.
 */
import { closestMatch } from './did-you-mean';

export interface CronFields {
  /** Sorted, distinct. 0-59. */
  minutes: readonly number[];
  /** 0-23. */
  hours: readonly number[];
  /** 1-31. */
  daysOfMonth: readonly number[];
  /** 1-12. */
  months: readonly number[];
  /** 0-6, Sunday 0. */
  daysOfWeek: readonly number[];
  /** The day-of-month field starts with `*` (it does not restrict the day). */
  anyDayOfMonth: boolean;
  /** The day-of-week field starts with `*`. */
  anyDayOfWeek: boolean;
  /**
   * The minute or the hour field starts with `*`: a job that runs every hour (or more often). Across a
   * daylight-saving change such a job follows the clock (it runs in both copies of a repeated hour and
   * not at all in a skipped one); a job at fixed times runs once (see `nextCronTime`).
   */
  repeatsHourly: boolean;
}

export type CronParseResult = { ok: true; fields: CronFields } | { ok: false; message: string };

/** Raised by `nextCronTime` for input the config validation would have refused. */
export class CronScheduleError extends Error {
  readonly code = 'CRON_SCHEDULE';
  constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Index of names[0]. */
  namesFrom?: number;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  // 7 is accepted as Sunday and folded to 0 after parsing.
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

/** `@daily`-style macros and the five fields each stands for. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** The five-field form of `text`: a macro written out, anything else as it is (trimmed). */
export function expandCronMacro(text: string): string {
  const trimmed = text.trim();
  return MACROS[trimmed.toLowerCase()] ?? trimmed;
}

/** Longest day of each month (February 29: a leap day still fires, every four years). */
const MONTH_MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** For editors (JSON Schema): five fields or a macro. The parser checks the rest. */
export const CRON_SHAPE_PATTERN = '^\\s*(?:@[A-Za-z]+|\\S+(?:\\s+\\S+){4})\\s*$';

class FieldError extends Error {}

export function parseCron(text: string): CronParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'empty cron expression' };
  let expression = trimmed;
  if (trimmed.startsWith('@')) {
    const macro = MACROS[trimmed.toLowerCase()];
    if (macro === undefined) {
      const suggestion = closestMatch(trimmed.toLowerCase(), Object.keys(MACROS));
      return {
        ok: false,
        message: `unknown macro "${trimmed}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of ${Object.keys(MACROS).join(', ')}`,
      };
    }
    expression = macro;
  }
  const parts = expression.split(/\s+/);
  if (parts.length !== 5) {
    const hint =
      parts.length === 6
        ? ': a seconds (or year) field is not supported'
        : parts.length < 5
          ? ''
          : ': too many fields';
    return {
      ok: false,
      message: `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}${hint}`,
    };
  }
  const sets: number[][] = [];
  for (const [index, spec] of FIELDS.entries()) {
    try {
      sets.push(parseField(parts[index] as string, spec));
    } catch (error) {
      if (error instanceof FieldError) return { ok: false, message: `${spec.name}: ${error.message}` };
      throw error;
    }
  }
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = sets as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const daysOfWeek = distinctSorted(rawDaysOfWeek.map((day) => day % 7));
  const fields: CronFields = {
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    anyDayOfMonth: (parts[2] as string).startsWith('*'),
    anyDayOfWeek: (parts[4] as string).startsWith('*'),
    repeatsHourly: (parts[0] as string).startsWith('*') || (parts[1] as string).startsWith('*'),
  };
  // Only the day of the month decides (day-of-week unrestricted): it may name days no chosen month has.
  if (!fields.anyDayOfMonth && fields.anyDayOfWeek) {
    const fits = months.some((month) => daysOfMonth.some((day) => day <= (MONTH_MAX_DAYS[month - 1] ?? 31)));
    if (!fits) {
      const monthNames = months.map((m) => MONTH_NAMES[m - 1]).join(',');
      return {
        ok: false,
        message: `never fires: no day ${daysOfMonth.join(',')} in month ${monthNames}`,
      };
    }
  }
  return { ok: true, fields };
}

function parseField(text: string, spec: FieldSpec): number[] {
  if (text === '') throw new FieldError('empty field');
  const values: number[] = [];
  for (const item of text.split(',')) {
    if (item === '') throw new FieldError(`empty list item in "${text}"`);
    values.push(...parseItem(item, spec));
  }
  return distinctSorted(values);
}

function parseItem(item: string, spec: FieldSpec): number[] {
  const [rangeText, stepText, extra] = item.split('/');
  if (extra !== undefined) throw new FieldError(`"${item}" has more than one "/"`);
  let from: number;
  let to: number;
  if (rangeText === '*') {
    from = spec.min;
    to = spec.name === 'day-of-week' ? 6 : spec.max; // `*` is Sunday once, not twice
  } else {
    const bounds = (rangeText ?? '').split('-');
    if (bounds.length > 2) throw new FieldError(`"${item}" is not a value, a range a-b or a step`);
    from = parseValue(bounds[0] ?? '', spec);
    to = bounds[1] !== undefined ? parseValue(bounds[1], spec) : from;
    if (to < from) {
      const span = (a: number, b: number): string => (a === b ? `${a}` : `${a}-${b}`);
      throw new FieldError(
        `range "${rangeText}" runs backwards (${from} > ${to}): write it as two items, ${span(from, spec.max)},${span(spec.min, to)}`,
      );
    }
    if (stepText !== undefined && bounds[1] === undefined) {
      // `5/15` means 5-59/15 in some crons and is an error in others: ask for what is meant.
      throw new FieldError(`"${item}": a step needs a range or *, e.g. ${from}-${spec.max}/${stepText}`);
    }
  }
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText)) throw new FieldError(`step "${stepText}" is not a whole number`);
    step = Number(stepText);
    if (step === 0) throw new FieldError(`step 0 in "${item}" never advances`);
    if (step > to - from) {
      // `*/90` in the minute field is "every 90 minutes" to its author and "at minute 0" to cron.
      throw new FieldError(
        `step ${step} in "${item}" is wider than the range ${from}-${to}: it would only match ${from}`,
      );
    }
  }
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

function parseValue(text: string, spec: FieldSpec): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      throw new FieldError(`${value} is out of range ${spec.min}-${spec.max}`);
    }
    return value;
  }
  if (spec.names && /^[A-Za-z]+$/.test(text)) {
    const index = spec.names.indexOf(text.toUpperCase());
    if (index >= 0) return index + (spec.namesFrom ?? 0);
    const suggestion = closestMatch(text.toUpperCase(), spec.names);
    throw new FieldError(
      `unknown name "${text}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected ${spec.names[0]}..${spec.names[spec.names.length - 1]} or ${spec.min}-${spec.max}`,
    );
  }
  if (text === '') throw new FieldError('missing value');
  if (text === '?' || /[LW#]/.test(text)) throw new FieldError(`"${text}" is not supported (Quartz syntax)`);
  throw new FieldError(
    `"${text}" is not a number${spec.names ? ' or a name' : ''} from ${spec.min} to ${spec.max}`,
  );
}

function distinctSorted(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

// ---------------------------------------------------------------------------------------------
// Next firing time
// ---------------------------------------------------------------------------------------------

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Search horizon: Feb 29 expressions can skip 8 years (2096 -> 2104); anything longer is a bug. */
const MAX_SEARCH_DAYS = 366 * 12;

/**
 * The first time after `afterMs` (strictly) at which the expression fires, read in `timezone`
 * (an IANA name; `UTC` is fastest), as epoch milliseconds on a whole minute.
 *
 * Daylight-saving changes, as cron (cronie) and RFC 5545 handle them:
 * - a wall-clock time skipped by a spring-forward change: a job at fixed times runs at the same
 *   distance after the change (02:30 on a 02:00 -> 03:00 night runs at 03:30), once; a job that
 *   repeats hourly (minute or hour field starting with `*`) just follows the clock;
 * - a wall-clock time repeated by a fall-back change: a job at fixed times runs at its first
 *   occurrence only; a job that repeats hourly runs in both.
 */
export function nextCronTime(fields: CronFields, afterMs: number, timezone: string): number {
  if (!Number.isFinite(afterMs)) throw new CronScheduleError(`not a time: ${afterMs}`);
  const offsetAt = offsetFunction(timezone);
  // The local calendar day of `afterMs`, then forward one local day at a time.
  const startWall = afterMs + offsetAt(afterMs);
  // Every wall time of an earlier local day happens before `afterMs`, even across a change at midnight.
  let dayStart = Math.floor(startWall / DAY) * DAY;
  for (let i = 0; i < MAX_SEARCH_DAYS; i++, dayStart += DAY) {
    const date = new Date(dayStart);
    if (!dayMatches(fields, date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCDay())) continue;
    const found = firstInDay(fields, dayStart, afterMs, offsetAt);
    if (found !== undefined) return found;
  }
  throw new CronScheduleError(`no firing time within ${MAX_SEARCH_DAYS} days`);
}

function dayMatches(fields: CronFields, month: number, dayOfMonth: number, dayOfWeek: number): boolean {
  if (!fields.months.includes(month)) return false;
  const domOk = fields.daysOfMonth.includes(dayOfMonth);
  const dowOk = fields.daysOfWeek.includes(dayOfWeek);
  if (fields.anyDayOfMonth || fields.anyDayOfWeek) return domOk && dowOk;
  return domOk || dowOk;
}

/** The earliest firing instant > afterMs among the wall-clock times of one local day (`dayStart`: its 00:00 as if UTC). */
function firstInDay(
  fields: CronFields,
  dayStart: number,
  afterMs: number,
  offsetAt: (instant: number) => number,
): number | undefined {
  // Offsets of the earliest and latest instants that can carry this day's wall times (offsets are
  // within -12h..+14h), and one in between: equal means no change this day, the common, fast case.
  const before = offsetAt(dayStart - 15 * HOUR);
  const middle = offsetAt(dayStart + 12 * HOUR);
  const after = offsetAt(dayStart + DAY + 13 * HOUR);
  if (before === middle && middle === after) {
    for (const hour of fields.hours) {
      for (const minute of fields.minutes) {
        const instant = dayStart + hour * HOUR + minute * MINUTE - before;
        if (instant > afterMs) return instant;
      }
    }
    return undefined;
  }
  let best: number | undefined;
  for (const hour of fields.hours) {
    for (const minute of fields.minutes) {
      for (const instant of instantsOf(dayStart + hour * HOUR + minute * MINUTE, fields, offsetAt)) {
        if (instant > afterMs && (best === undefined || instant < best)) best = instant;
      }
    }
  }
  return best;
}

/** The instants at which a wall-clock time (as if UTC) fires, under the rules of `nextCronTime`. */
function instantsOf(wall: number, fields: CronFields, offsetAt: (instant: number) => number): number[] {
  const earlier = offsetAt(wall - DAY);
  const later = offsetAt(wall + DAY);
  const real = [...new Set([wall - earlier, wall - later])]
    .filter((instant) => instant + offsetAt(instant) === wall)
    .sort((a, b) => a - b);
  if (real.length === 0) return fields.repeatsHourly ? [] : [wall - earlier]; // skipped: same distance after
  return fields.repeatsHourly ? real : real.slice(0, 1);
}

const offsetFunctions = new Map<string, (instant: number) => number>();
const OFFSET_CACHE_SIZE = 10_000;

/** instant -> the zone's UTC offset at that instant, in ms (wall time = instant + offset). */
function offsetFunction(timezone: string): (instant: number) => number {
  const cached = offsetFunctions.get(timezone);
  if (cached) return cached;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new CronScheduleError(`unknown time zone ${JSON.stringify(timezone)}`);
  }
  // The scheduler asks about the same few instants again and again (day boundaries, minutes of a
  // change day): formatting is the slow part, so remember recent answers.
  const cache = new Map<number, number>();
  const fn =
    format.resolvedOptions().timeZone === 'UTC'
      ? () => 0
      : (instant: number): number => {
          const second = Math.floor(instant / 1000) * 1000;
          const known = cache.get(second);
          if (known !== undefined) return known;
          if (cache.size >= OFFSET_CACHE_SIZE) cache.clear();
          const parts: Record<string, string> = {};
          for (const part of format.formatToParts(second)) parts[part.type] = part.value;
          const wall = Date.UTC(
            Number(parts.year),
            Number(parts.month) - 1,
            Number(parts.day),
            Number(parts.hour),
            Number(parts.minute),
            Number(parts.second),
          );
          cache.set(second, wall - second);
          return wall - second;
        };
  offsetFunctions.set(timezone, fn);
  return fn;
}
