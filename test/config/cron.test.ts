/**
 * The cron validator (every refusal with its exact message) and the next-firing-time function the
 * drill scheduler uses: checked against a minute-by-minute brute force where clocks are simple, and
 * against hand-worked times across daylight-saving changes.
 */
import fc from 'fast-check';
import {
  type CronFields,
  CronScheduleError,
  nextCronTime,
  parseCron,
} from '../../src/config/cron-expression';

function fieldsOf(text: string): CronFields {
  const parsed = parseCron(text);
  if (!parsed.ok) throw new Error(`expected a valid cron, got: ${parsed.message}`);
  return parsed.fields;
}

function messageOf(text: string): string {
  const parsed = parseCron(text);
  if (parsed.ok) throw new Error(`expected "${text}" to be refused`);
  return parsed.message;
}

/** The next `count` firing times after `from`, as ISO strings (UTC). */
function firings(cron: string, from: string, timezone: string, count: number): string[] {
  const fields = fieldsOf(cron);
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < count; i++) {
    t = nextCronTime(fields, t, timezone);
    out.push(new Date(t).toISOString());
  }
  return out;
}

describe('parseCron: accepted forms', () => {
  it('expands lists, ranges, steps and stars', () => {
    expect(fieldsOf('0,30 9-17/4 */10 * *')).toMatchObject({
      minutes: [0, 30],
      hours: [9, 13, 17],
      daysOfMonth: [1, 11, 21, 31],
      anyDayOfMonth: true,
      anyDayOfWeek: true,
      repeatsHourly: false,
    });
    expect(fieldsOf('*/15 * * * *')).toMatchObject({ minutes: [0, 15, 30, 45], repeatsHourly: true });
    expect(fieldsOf('5 * * * *').repeatsHourly).toBe(true);
  });

  it('reads month and day names in any case, and 7 as Sunday', () => {
    expect(fieldsOf('0 10 * jan,Mar-MAY mon-FRI')).toMatchObject({
      months: [1, 3, 4, 5],
      daysOfWeek: [1, 2, 3, 4, 5],
      anyDayOfWeek: false,
    });
    expect(fieldsOf('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(fieldsOf('0 0 * * SUN,7').daysOfWeek).toEqual([0]);
    expect(fieldsOf('0 0 * * *').daysOfWeek).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('accepts the @ macros and surrounding whitespace', () => {
    expect(fieldsOf('@weekly')).toEqual(fieldsOf('0 0 * * 0'));
    expect(fieldsOf('@HOURLY')).toEqual(fieldsOf('0 * * * *'));
    expect(fieldsOf('  0   3 *  * *  ')).toEqual(fieldsOf('0 3 * * *'));
  });

  it('keeps February 29 (it fires in leap years)', () => {
    expect(fieldsOf('0 0 29 2 *').daysOfMonth).toEqual([29]);
  });
});

describe('parseCron: refusals', () => {
  it.each([
    ['', 'empty cron expression'],
    [
      '0 0 * * * *',
      'expected 5 fields (minute hour day-of-month month day-of-week), got 6: a seconds (or year) field is not supported',
    ],
    ['0 0 * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    [
      '0 0 * * * * *',
      'expected 5 fields (minute hour day-of-month month day-of-week), got 7: too many fields',
    ],
    ['60 * * * *', 'minute: 60 is out of range 0-59'],
    ['0 24 * * *', 'hour: 24 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month: 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month: 13 is out of range 1-12'],
    ['0 0 * * 8', 'day-of-week: 8 is out of range 0-7'],
    ['x * * * *', 'minute: "x" is not a number from 0 to 59'],
    ['0 0 * * MOM', 'day-of-week: unknown name "MOM" (did you mean "MON"?); expected SUN..SAT or 0-7'],
    ['0 0 * JANUARY *', 'month: unknown name "JANUARY"; expected JAN..DEC or 1-12'],
    [
      '0 0 * * FRI-MON',
      'day-of-week: range "FRI-MON" runs backwards (5 > 1): write it as two items, 5-7,0-1',
    ],
    ['0 22-2 * * *', 'hour: range "22-2" runs backwards (22 > 2): write it as two items, 22-23,0-2'],
    ['*/0 * * * *', 'minute: step 0 in "*/0" never advances'],
    ['*/90 * * * *', 'minute: step 90 in "*/90" is wider than the range 0-59: it would only match 0'],
    ['5/15 * * * *', 'minute: "5/15": a step needs a range or *, e.g. 5-59/15'],
    ['*/x * * * *', 'minute: step "x" is not a whole number'],
    ['1/2/3 * * * *', 'minute: "1/2/3" has more than one "/"'],
    ['1-2-3 * * * *', 'minute: "1-2-3" is not a value, a range a-b or a step'],
    ['1,,2 * * * *', 'minute: empty list item in "1,,2"'],
    ['0 0 ? * *', 'day-of-month: "?" is not supported (Quartz syntax)'],
    ['0 0 L * *', 'day-of-month: "L" is not supported (Quartz syntax)'],
    ['0 0 * * 5#2', 'day-of-week: "5#2" is not supported (Quartz syntax)'],
    ['0 0 30 2 *', 'never fires: no day 30 in month FEB'],
    ['0 0 31 4,6,9,11 *', 'never fires: no day 31 in month APR,JUN,SEP,NOV'],
    [
      '@dayly',
      'unknown macro "@dayly" (did you mean "@daily"?); expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    ],
    [
      '@reboot',
      'unknown macro "@reboot"; expected one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    ],
  ])('%j -> %s', (text, message) => {
    expect(messageOf(text)).toBe(message);
  });

  it('lets a day of the week rescue an impossible day of the month (either field matches)', () => {
    expect(parseCron('0 0 30 2 MON').ok).toBe(true);
  });
});

describe('nextCronTime in UTC', () => {
  it('is strictly after the given time and on a whole minute', () => {
    const fields = fieldsOf('*/15 * * * *');
    expect(new Date(nextCronTime(fields, Date.parse('2025-06-01T10:15:00Z'), 'UTC')).toISOString()).toBe(
      '2025-06-01T10:30:00.000Z',
    );
    expect(new Date(nextCronTime(fields, Date.parse('2025-06-01T10:14:59.999Z'), 'UTC')).toISOString()).toBe(
      '2025-06-01T10:15:00.000Z',
    );
  });

  it('matches either day field when both are restricted, both when one is a star', () => {
    // 2025-06-01 is a Sunday.
    expect(firings('0 12 1 * MON', '2025-06-01T13:00:00Z', 'UTC', 3)).toEqual([
      '2025-06-02T12:00:00.000Z',
      '2025-06-09T12:00:00.000Z',
      '2025-06-16T12:00:00.000Z',
    ]);
    // `*/10` starts with a star, so it does not widen the match: days 1, 11, 21, 31 that are Mondays.
    expect(firings('0 12 */10 * MON', '2025-06-01T13:00:00Z', 'UTC', 2)).toEqual([
      '2025-07-21T12:00:00.000Z',
      '2025-08-11T12:00:00.000Z',
    ]);
  });

  it('finds February 29 years ahead, skipping 2100', () => {
    expect(firings('0 0 29 2 *', '2025-01-01T00:00:00Z', 'UTC', 1)).toEqual(['2028-02-29T00:00:00.000Z']);
    expect(firings('0 0 29 2 *', '2097-01-01T00:00:00Z', 'UTC', 1)).toEqual(['2104-02-29T00:00:00.000Z']);
  });

  it('refuses an unknown time zone with a typed error', () => {
    expect(() => nextCronTime(fieldsOf('0 0 * * *'), 0, 'Mars/Olympus')).toThrow(CronScheduleError);
    try {
      nextCronTime(fieldsOf('0 0 * * *'), 0, 'Mars/Olympus');
    } catch (error) {
      expect((error as CronScheduleError).code).toBe('CRON_SCHEDULE');
    }
  });

  it('agrees with a minute-by-minute search (UTC and a zone without daylight saving)', () => {
    const item = (min: number, max: number) =>
      fc.oneof(
        fc.constant('*'),
        fc.integer({ min, max }).map(String),
        fc
          .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
          .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
        fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }).map((step) => `*/${step}`),
      );
    const field = (min: number, max: number) =>
      fc.array(item(min, max), { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
    const cron = fc
      .tuple(field(0, 59), field(0, 23), field(1, 28), field(1, 12), field(0, 6))
      .map((parts) => parts.join(' '));
    const zones = fc.constantFrom('UTC', 'Asia/Tokyo', 'Asia/Kolkata');
    const start = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2027, 0, 1) });
    fc.assert(
      fc.property(cron, zones, start, (text, zone, after) => {
        const fields = fieldsOf(text);
        const offset = { UTC: 0, 'Asia/Tokyo': 9 * 60, 'Asia/Kolkata': 330 }[zone] ?? 0;
        const got = nextCronTime(fields, after, zone);
        expect(got).toBe(bruteForceNext(fields, after, offset, got));
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * First minute after `after` whose wall time (at a fixed offset, in minutes) matches; searches up to
 * `limit` and returns undefined past it (a wrong, late answer from the code under test then fails).
 */
function bruteForceNext(
  fields: CronFields,
  after: number,
  offsetMinutes: number,
  limit: number,
): number | undefined {
  const offset = offsetMinutes * 60_000;
  // Walk wall-clock minutes, skipping whole days and hours that cannot match.
  let wall = Math.floor((after + offset) / 60_000) * 60_000 + 60_000;
  while (wall - offset <= limit) {
    const date = new Date(wall);
    const domOk = fields.daysOfMonth.includes(date.getUTCDate());
    const dowOk = fields.daysOfWeek.includes(date.getUTCDay());
    const dayOk = fields.anyDayOfMonth || fields.anyDayOfWeek ? domOk && dowOk : domOk || dowOk;
    if (!dayOk || !fields.months.includes(date.getUTCMonth() + 1)) {
      wall = Math.floor(wall / 86_400_000) * 86_400_000 + 86_400_000;
    } else if (!fields.hours.includes(date.getUTCHours())) {
      wall = Math.floor(wall / 3_600_000) * 3_600_000 + 3_600_000;
    } else if (!fields.minutes.includes(date.getUTCMinutes())) {
      wall += 60_000;
    } else {
      return wall - offset;
    }
  }
  return undefined;
}

describe('nextCronTime across daylight-saving changes', () => {
  // Europe/Berlin: 2025-03-30 02:00 CET -> 03:00 CEST (01:00Z); 2025-10-26 03:00 CEST -> 02:00 CET (01:00Z).
  it('runs a fixed-time job in a skipped hour once, as far after the change as it was meant to be', () => {
    expect(firings('30 2 * * *', '2025-03-29T00:00:00Z', 'Europe/Berlin', 3)).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('runs a fixed-time job in a repeated hour at its first occurrence only', () => {
    expect(firings('30 2 * * *', '2025-10-25T00:00:00Z', 'Europe/Berlin', 3)).toEqual([
      '2025-10-25T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T00:30:00.000Z', // first 02:30 (CEST), not the second (01:30Z)
      '2025-10-27T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('lets an hourly job follow the clock: no run in the skipped hour, runs in both repeated hours', () => {
    expect(firings('30 * * * *', '2025-03-30T00:00:00Z', 'Europe/Berlin', 3)).toEqual([
      '2025-03-30T00:30:00.000Z', // 01:30 CET
      '2025-03-30T01:30:00.000Z', // 03:30 CEST (02:30 skipped)
      '2025-03-30T02:30:00.000Z',
    ]);
    expect(firings('*/30 * * * *', '2025-10-25T23:45:00Z', 'Europe/Berlin', 6)).toEqual([
      '2025-10-26T00:00:00.000Z', // 02:00 CEST
      '2025-10-26T00:30:00.000Z', // 02:30 CEST
      '2025-10-26T01:00:00.000Z', // 02:00 CET
      '2025-10-26T01:30:00.000Z', // 02:30 CET
      '2025-10-26T02:00:00.000Z',
      '2025-10-26T02:30:00.000Z',
    ]);
  });

  it('keeps a weekly local time across the change (New York, March and November)', () => {
    // Tuesdays 10:00 New York: EST (-5) before 2025-03-09, EDT (-4) until 2025-11-02.
    expect(firings('0 10 * * TUE', '2025-03-01T00:00:00Z', 'America/New_York', 2)).toEqual([
      '2025-03-04T15:00:00.000Z',
      '2025-03-11T14:00:00.000Z',
    ]);
    expect(firings('0 10 * * TUE', '2025-10-27T00:00:00Z', 'America/New_York', 2)).toEqual([
      '2025-10-28T14:00:00.000Z',
      '2025-11-04T15:00:00.000Z',
    ]);
  });

  it('handles the southern hemisphere and a half-hour change (Lord Howe Island)', () => {
    // Australia/Sydney 2025-10-05 02:00 AEST (+10) -> 03:00 AEDT (+11).
    expect(firings('15 2 5 10 *', '2025-10-01T00:00:00Z', 'Australia/Sydney', 1)).toEqual([
      '2025-10-04T16:15:00.000Z', // 02:15 skipped -> 03:15 AEDT
    ]);
    // Australia/Lord_Howe 2025-10-05 02:00 (+10:30) -> 02:30 (+11): 02:00-02:29 is skipped.
    expect(firings('0 * 5 10 *', '2025-10-04T13:00:00Z', 'Australia/Lord_Howe', 3)).toEqual([
      '2025-10-04T13:30:00.000Z', // 00:00 +10:30
      '2025-10-04T14:30:00.000Z', // 01:00 +10:30
      '2025-10-04T16:00:00.000Z', // 03:00 +11 (02:00 skipped: an hourly job follows the clock)
    ]);
  });

  it('moves forward through a whole year of changes, every run 20 minutes of real time apart', () => {
    // America/Santiago changes at midnight. (On Lord Howe Island, whose clock moves by half an hour,
    // two runs are 30 minutes apart twice a year: :40 -> :40 across a half-hour jump.)
    for (const zone of ['Europe/Berlin', 'America/Santiago', 'America/New_York']) {
      const fields = fieldsOf('*/20 * * * *');
      const gaps = new Set<number>();
      let t = Date.UTC(2025, 0, 1);
      while (t < Date.UTC(2026, 0, 1)) {
        const next = nextCronTime(fields, t, zone);
        gaps.add(next - t);
        t = next;
      }
      expect({ zone, gaps: [...gaps] }).toEqual({ zone, gaps: [20 * 60_000] });
    }
  });

  it('runs a fixed daily job exactly once on every day of a year of changes', () => {
    for (const zone of ['Europe/Berlin', 'America/Santiago', 'Australia/Lord_Howe']) {
      const fields = fieldsOf('30 2 * * *');
      const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: zone });
      const days: string[] = [];
      for (let t = Date.UTC(2024, 11, 30); t < Date.UTC(2026, 0, 2);) {
        t = nextCronTime(fields, t, zone);
        days.push(localDate.format(t));
      }
      const in2025 = days.filter((day) => day.startsWith('2025-'));
      expect(new Set(days).size).toBe(days.length);
      expect(in2025.length).toBe(365);
    }
  });
});
