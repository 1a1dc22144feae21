/**
 * A service's `notify` routes: each names a known channel once, with its grouping and reminder
 * settings filled in.
 */
import { BUILTIN_NOTIFY_ROUTE } from './builtin-defaults';
import type { RawService } from './config-schema';
import { didYouMean } from './did-you-mean';
import { durationMs, formatDuration } from './duration';
import type { Problem } from './problem';
import type { ServiceContext } from './service-context';
import type { DrillObjectives, NotificationRoute, Severity } from './types';
import { below, type Origin, problemAt } from './yaml-source';

export function resolveNotify(
  raw: RawService,
  at: (...segments: Array<string | number>) => Origin,
  ctx: ServiceContext,
  objectives: DrillObjectives,
  problems: Problem[],
): NotificationRoute[] {
  const routes: NotificationRoute[] = [];
  (raw.notify ?? []).forEach((route, index) => {
    const origin = at('notify', index);
    if (!ctx.channels.has(route.channel)) {
      if (!ctx.writtenChannels.has(route.channel)) {
        problems.push(
          problemAt(
            below(origin, 'channel'),
            `unknown notification channel "${route.channel}"${didYouMean(route.channel, ctx.writtenChannels)}`,
          ),
        );
      }
      return;
    }
    if (routes.some((r) => r.channel === route.channel)) {
      problems.push(
        problemAt(below(origin, 'channel'), `channel "${route.channel}" is already routed for this service`),
      );
      return;
    }
    const quietPeriod =
      route.quietPeriod !== undefined ? durationMs(route.quietPeriod) : BUILTIN_NOTIFY_ROUTE.quietPeriod;
    const notifyWithin = objectives.notifyWithin;
    if (notifyWithin !== undefined && quietPeriod >= notifyWithin) {
      problems.push(
        problemAt(
          below(origin, 'quietPeriod'),
          `quietPeriod ${formatDuration(quietPeriod)} is not shorter than drill.notifyWithin ${formatDuration(notifyWithin)}: grouping alone makes every drill miss its notification objective`,
          { severity: 'warning' },
        ),
      );
    }
    if (route.maxReminders !== undefined && route.repeatEvery === undefined) {
      problems.push(
        problemAt(
          below(origin, 'maxReminders'),
          'maxReminders has no effect without repeatEvery: no reminders are sent',
          { severity: 'warning' },
        ),
      );
    }
    routes.push({
      channel: route.channel,
      minSeverity: (route.minSeverity ?? 'info') as Severity,
      quietPeriod,
      ...(route.repeatEvery !== undefined ? { repeatEvery: durationMs(route.repeatEvery) } : {}),
      maxReminders: route.maxReminders ?? BUILTIN_NOTIFY_ROUTE.maxReminders,
    });
  });
  return routes;
}
