/**
 * The Markdown report of a drill: what was drilled, the verdict and why, the objectives table, the checks and
 * the timeline with offsets from the injection. Renders in any Markdown viewer (GitHub, an issue, a wiki).
 */
import { formatDuration, formatTime } from '../quorum/format-duration';
import type { DrillReport, TimelineStep } from './drill-report';

/** A table cell: pipes escaped, one line. */
function cell(text: string | undefined): string {
  return (text ?? '')
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .trim();
}

function offset(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 0 ? `-${formatDuration(-ms)}` : `+${formatDuration(ms)}`;
}

function stepRow(step: TimelineStep): string {
  const when = step.at !== undefined ? formatTime(step.at) : '';
  const status = step.status === 'blocked' ? `blocked (${step.rule ?? 'rule'})` : step.status;
  return `| ${cell(offset(step.offsetMs))} | ${cell(when)} | ${cell(step.label)} | ${cell(status)} | ${cell(step.detail)} |`;
}

export function renderDrillMarkdown(report: DrillReport, svgFile?: string): string {
  const verdict = report.verdict === 'pass' ? 'PASS' : 'FAIL';
  const generations = [
    report.generations.before,
    report.generations.failover,
    report.generations.failback,
  ].filter((g): g is number => g !== undefined);
  const lines: string[] = [
    `# Drill ${report.id}: ${verdict}`,
    '',
    '| | |',
    '|---|---|',
    `| Service | ${cell(report.service)} (${cell(report.dnsNames.join(', '))}) |`,
    `| Pool | ${cell(report.pools.join(', '))} |`,
    `| Mode | ${report.mode}${report.mode === 'dry' ? ' (plan only, DNS not changed)' : ' (DNS changed for real)'} |`,
    `| Started by | ${cell(report.by)} (${cell(report.trigger)}) |`,
    ...(report.reason !== undefined ? [`| Reason | ${cell(report.reason)} |`] : []),
    `| Started | ${formatTime(report.startedAt)} |`,
    `| Duration | ${formatDuration(report.durationMs)} (planned end ${formatTime(report.plannedEndAt)}) |`,
    `| Finished | ${formatTime(report.finishedAt)} |`,
    `| Provider targets | ${cell(report.targets.join(', ') || '(none)')} |`,
    `| Generations | ${generations.join(' -> ')} |`,
    ...(report.interrupted !== undefined ? [`| Interrupted | ${cell(report.interrupted)} |`] : []),
    '',
    '## Verdict',
    '',
    report.verdict === 'pass'
      ? '**PASS**: every check and every objective set for the service was met.'
      : `**FAIL**:`,
    ...report.reasons.map((reason) => `- ${reason.replace(/[\r\n]+/g, ' ')}`),
    '',
    '## Objectives',
    '',
    '| Objective | Measured between | Limit | Measured | Result | Detail |',
    '|---|---|---|---|---|---|',
    ...report.objectives.map(
      (o) =>
        `| ${o.objective} | ${o.from} -> ${o.to} | ${o.limitMs !== undefined ? formatDuration(o.limitMs) : '-'} | ` +
        `${o.measuredMs !== undefined ? formatDuration(o.measuredMs) : '-'} | ${o.status === 'pass' ? 'pass' : o.status === 'fail' ? '**fail**' : 'not judged'} | ${cell(o.reason)} |`,
    ),
    '',
    '## Checks',
    '',
    '| Check | Result | Detail |',
    '|---|---|---|',
    ...report.checks.map(
      (c) => `| ${c.name} | ${c.status === 'fail' ? '**fail**' : c.status} | ${cell(c.reason)} |`,
    ),
    '',
    '## Timeline',
    '',
    'Times are on the Redis server clock; offsets are from the injection.',
    '',
    '| Offset | Time (UTC) | Step | Status | Detail |',
    '|---|---|---|---|---|',
    ...report.timeline.map(stepRow),
    '',
  ];
  if (svgFile !== undefined) lines.push(`![timeline of drill ${report.id}](${svgFile})`, '');
  return lines.join('\n');
}
