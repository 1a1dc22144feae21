/**
 * `quorumdns drill history` as text: one line per stored run record, newest first, in the words of
 * `drill run` (PASS/FAIL, the failover and failback times, why it failed). Pure.
 *
 *   web:
 *     2026-11-26T02:35:51.123Z  drill-20261126-023551-web-a  live  pool a  cli  PASS  failover 817ms  failback 1.8s
 *     2026-11-25T02:00:00.004Z  drill-20261125-020000-web-a  dry  pool a  schedule practice  FAIL  failover 1.2s: notify: ...
 *     2026-11-24T02:00:00.002Z  skipped (inside blocked window "freeze")  schedule practice  pool a  dry
 *     unreadable entry 1764036000000-0: <prefix>:{web}:drill-runs: field report is not JSON
 */
import { formatDuration, formatTime } from '../quorum/format-duration';
import { type DrillReport, type ObjectiveName, SCHEDULER_TRIGGER_PREFIX } from './drill-report';
import { doneAt } from './drill-judge';
import type { DrillRunListing, DrillRunRecord } from './drill-store';

/** The listings of the services that have runs; `no drill runs` when none has any. */
export function renderDrillHistory(listings: readonly DrillRunListing[]): string {
  const withRuns = listings.filter((listing) => listing.runs.length > 0);
  if (withRuns.length === 0) {
    const only = listings.length === 1 ? ` of ${listings[0]?.service ?? ''}` : '';
    return `no drill runs${only}\n`;
  }
  return withRuns
    .map((listing) => `${listing.service}:\n${listing.runs.map((run) => `  ${runLine(run)}\n`).join('')}`)
    .join('\n');
}

/** One run record as one line. */
export function runLine(run: DrillRunRecord): string {
  if ('unreadable' in run) return `unreadable entry ${run.streamId}: ${run.problem}`;
  if ('skipped' in run) {
    return [
      formatTime(run.at),
      `skipped (${run.reason})`,
      `schedule ${run.schedule}`,
      `pool ${run.pool}`,
      run.mode,
    ].join('  ');
  }
  const failover = spanMs(run, 'failoverWithin');
  const failback = spanMs(run, 'failbackWithin');
  const fields = [
    formatTime(run.startedAt),
    run.id,
    run.mode,
    `pool ${run.pools.join(', ')}`,
    triggerText(run.trigger),
    run.verdict === 'pass' ? 'PASS' : 'FAIL',
    ...(failover !== undefined ? [`failover ${formatDuration(failover)}`] : []),
    ...(failback !== undefined ? [`failback ${formatDuration(failback)}`] : []),
    ...(run.interrupted !== undefined ? [`interrupted: ${run.interrupted}`] : []),
  ];
  const reasons = run.reasons.length > 0 ? `: ${run.reasons.join('; ')}` : '';
  return `${fields.join('  ')}${reasons}`.replace(/[\r\n]+/g, ' ');
}

/** `cli`, or `schedule <id>` for `scheduler:<id>` (any other trigger as stored). */
function triggerText(trigger: string): string {
  return trigger.startsWith(SCHEDULER_TRIGGER_PREFIX)
    ? `schedule ${trigger.slice(SCHEDULER_TRIGGER_PREFIX.length)}`
    : trigger;
}

/**
 * How long the span of an objective took: its judged measurement, else (no such objective is set) the same
 * span read off the timeline when both ends were done. The judgement names the span's steps either way.
 */
function spanMs(report: DrillReport, name: ObjectiveName): number | undefined {
  const objective = report.objectives.find((candidate) => candidate.objective === name);
  if (objective === undefined) return undefined;
  if (objective.measuredMs !== undefined) return objective.measuredMs;
  const start = doneAt(report.timeline, objective.from);
  const end = doneAt(report.timeline, objective.to);
  return start !== undefined && end !== undefined ? end - start : undefined;
}
