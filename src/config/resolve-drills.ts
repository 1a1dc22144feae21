/**
 * A service's scheduled practice drills (`drills:`): the pool each one drills, a unique id, the
 * schedule in its time zone, and the settings that cannot do what their author expects.
 */
import { BUILTIN_DRILL } from './builtin-defaults';
import type { RawService } from './config-schema';
import { type CronFields, nextCronTime, parseCron } from './cron-expression';
import { didYouMean } from './did-you-mean';
import { durationMs, formatDuration } from './duration';
import { parseOffsetDateTime } from './offset-date-time';
import type { Problem } from './problem';
import { canonicalTimeZone } from './time-zone';
import type { BlockedWindow, DrillObjectives, DrillSchedule, Millis, Safety } from './types';
import { below, type Origin, problemAt } from './yaml-source';

export function resolveDrills(
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  serviceName: string,
  safety: Safety,
  objectives: DrillObjectives,
  problems: Problem[],
): DrillSchedule[] {
  const poolNames = Object.keys(raw.pools);
  const drills: DrillSchedule[] = [];
  const idIndex = new Map<string, number>();
  (raw.drills ?? []).forEach((written, index) => {
    const origin = at('drills', index);
    const mode = written.mode ?? BUILTIN_DRILL.mode;
    const id = written.id ?? `${written.pool}-${mode}`;
    const previous = idIndex.get(id);
    if (previous !== undefined) {
      problems.push(
        problemAt(
          written.id !== undefined ? below(origin, 'id') : origin,
          written.id !== undefined
            ? `duplicate drill id "${id}" (also drills[${previous}]): give one of them a distinct id`
            : `duplicate drill id "${id}" (the default <pool>-<mode>; also drills[${previous}]): give one of them an id`,
        ),
      );
    } else idIndex.set(id, index);

    if (!poolNames.includes(written.pool)) {
      problems.push(
        problemAt(
          below(origin, 'pool'),
          `unknown pool "${written.pool}"${didYouMean(written.pool, poolNames)}; the pools of service "${serviceName}" are: ${poolNames.join(', ') || 'none'}`,
        ),
      );
      return;
    }

    const timezone =
      written.timezone !== undefined
        ? (canonicalTimeZone(written.timezone) ?? written.timezone)
        : BUILTIN_DRILL.timezone;
    const duration = written.duration !== undefined ? durationMs(written.duration) : BUILTIN_DRILL.duration;
    const durationText = `${formatDuration(duration)}${written.duration === undefined ? ' (the default)' : ''}`;

    if (mode === 'live' && safety.failback === 'manual') {
      problems.push(
        problemAt(
          below(origin, 'mode'),
          `a live drill drains pool "${written.pool}" for real and this service's failback is manual: the pool will not come back by itself after the drill`,
          { severity: 'warning' },
        ),
      );
    }
    const failoverWithin = objectives.failoverWithin;
    if (failoverWithin !== undefined && duration < failoverWithin) {
      // Reported once at the objective when the drills only inherit the default duration.
      problems.push(
        written.duration !== undefined
          ? problemAt(
              below(origin, 'duration'),
              `drill duration ${formatDuration(duration)} is shorter than drill.failoverWithin ${formatDuration(failoverWithin)}: the drill can end before traffic is expected to move`,
              { severity: 'warning' },
            )
          : problemAt(
              at('drill', 'failoverWithin'),
              `drill.failoverWithin ${formatDuration(failoverWithin)} is longer than the default drill duration ${formatDuration(duration)}: scheduled drills can end before traffic is expected to move (set their duration)`,
              { severity: 'warning' },
            ),
      );
    }
    const parsed = parseCron(written.cron);
    if (parsed.ok) {
      const gap = shortestGap(parsed.fields, timezone, duration);
      if (gap !== undefined) {
        problems.push(
          problemAt(
            below(origin, 'cron'),
            `cron "${written.cron}" can start this drill ${formatDuration(gap)} after the previous start, before its duration ${durationText} is over`,
            { severity: 'warning' },
          ),
        );
      }
    }

    drills.push({
      id,
      pool: written.pool,
      cron: written.cron.trim(),
      timezone,
      mode,
      duration,
      blockedWindows: (written.blockedWindows ?? []).map((window): BlockedWindow => ({
        from: parseOffsetDateTime(window.from) as number, // validated by the schema
        to: parseOffsetDateTime(window.to) as number,
        ...(window.reason !== undefined ? { reason: window.reason } : {}),
      })),
    });
  });
  return drills;
}

/** Scan a year from a fixed date (so validation does not depend on today) for two starts closer than `duration`. */
const SCAN_FROM = Date.UTC(2025, 0, 1);
const SCAN_UNTIL = Date.UTC(2026, 1, 1);
const SCAN_MAX_STARTS = 1500;

function shortestGap(fields: CronFields, timezone: string, duration: Millis): Millis | undefined {
  let previous = nextCronTime(fields, SCAN_FROM, timezone);
  for (let i = 0; i < SCAN_MAX_STARTS && previous < SCAN_UNTIL; i++) {
    const next = nextCronTime(fields, previous, timezone);
    if (next - previous < duration) return next - previous;
    previous = next;
  }
  return undefined;
}
