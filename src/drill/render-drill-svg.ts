/**
 * The timeline picture of a drill, drawn by hand as a standalone SVG (no library, no script, no external
 * reference): one row per step with its marker on a shared horizontal time axis (ticks at round offsets from
 * the injection), the objectives' deadlines as dashed vertical lines, green where met and red where missed.
 * Steps that did not happen are listed in their row, in grey (skipped) or red (missed, failed, blocked).
 */
import { formatDuration } from '../quorum/format-duration';
import type { DrillReport, ObjectiveResult, StepName, TimelineStep } from './drill-report';

const PASS = '#1a7f37';
const FAIL = '#cf222e';
const MUTED = '#6e7781';
const INK = '#1f2328';
const GRID = '#d0d7de';

const WIDTH = 1000;
const LABEL_WIDTH = 330;
const AXIS_LEFT = LABEL_WIDTH + 20;
const AXIS_RIGHT = WIDTH - 40;
const ROW_HEIGHT = 26;
const TOP = 112;

/** Text for XML: the five predefined entities; control characters dropped (not allowed in XML 1.0). */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing what XML 1.0 forbids is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Round steps of a time axis: milliseconds, seconds, minutes and hours as people count them. */
const TICK_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

/** The smallest round step giving at most about 8 ticks over `span` ms. */
export function tickStep(span: number): number {
  const rough = Math.max(span, 1) / 8;
  return TICK_STEPS.find((step) => step >= rough) ?? Math.ceil(rough / 86_400_000) * 86_400_000;
}

function stepTime(report: DrillReport, name: StepName): number | undefined {
  const steps = report.timeline.filter((step) => step.step === name && step.status === 'done');
  if (steps.length === 0) return undefined;
  return Math.max(...steps.map((step) => step.offsetMs ?? 0));
}

/** Offset (from injection) of an objective's deadline: its start step's time plus its limit. */
function deadlineOf(report: DrillReport, objective: ObjectiveResult): number | undefined {
  if (objective.limitMs === undefined) return undefined;
  const start = stepTime(report, objective.from);
  return start === undefined ? undefined : start + objective.limitMs;
}

/** Labels near the picture's edges grow inwards so they are never cut off. */
function anchorNear(at: number): 'start' | 'middle' | 'end' {
  if (at > WIDTH - 130) return 'end';
  if (at < 130) return 'start';
  return 'middle';
}

export function renderDrillSvg(report: DrillReport): string {
  const rows = report.timeline;
  const deadlines = report.objectives
    .map((objective) => ({ objective, at: deadlineOf(report, objective) }))
    .filter((d): d is { objective: ObjectiveResult; at: number } => d.at !== undefined);
  const span = Math.max(
    1000,
    report.finishedAt - report.startedAt,
    ...rows.map((step) => step.offsetMs ?? 0),
    ...deadlines.map((d) => d.at),
  );
  const step = tickStep(span);
  const end = Math.ceil(span / step) * step;
  const x = (offset: number): number =>
    Math.round((AXIS_LEFT + (Math.max(0, offset) / end) * (AXIS_RIGHT - AXIS_LEFT)) * 10) / 10;
  const axisY = TOP + rows.length * ROW_HEIGHT + 8;
  const height = axisY + 70;
  const verdictColour = report.verdict === 'pass' ? PASS : FAIL;
  const failedTargets = new Set(report.objectives.filter((o) => o.status === 'fail').map((o) => o.to));

  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(`Drill ${report.id}: ${report.verdict.toUpperCase()}`)}</title>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="18" font-weight="bold" fill="${INK}">${escapeXml(truncate(`Drill ${report.id}`, 80))}</text>`,
    `<text x="${WIDTH - 20}" y="28" font-size="18" font-weight="bold" text-anchor="end" fill="${verdictColour}">${report.verdict === 'pass' ? 'PASS' : 'FAIL'}</text>`,
    `<text x="20" y="50" fill="${MUTED}">${escapeXml(truncate(`${report.service}, pool ${report.pools.join(', ')}, ${report.mode} mode, ${formatDuration(report.durationMs)}, by ${report.by}`, 140))}</text>`,
  ];

  // Grid and axis.
  for (let t = 0; t <= end; t += step) {
    out.push(
      `<line x1="${x(t)}" y1="${TOP - 6}" x2="${x(t)}" y2="${axisY}" stroke="${GRID}" stroke-width="1"/>`,
      `<line x1="${x(t)}" y1="${axisY}" x2="${x(t)}" y2="${axisY + 6}" stroke="${INK}" stroke-width="1"/>`,
      `<text x="${x(t)}" y="${axisY + 20}" text-anchor="middle" fill="${INK}">${escapeXml(t === 0 ? '0' : `+${formatDuration(t)}`)}</text>`,
    );
  }
  out.push(
    `<line x1="${AXIS_LEFT}" y1="${axisY}" x2="${AXIS_RIGHT}" y2="${axisY}" stroke="${INK}" stroke-width="1.5"/>`,
    `<text x="${(AXIS_LEFT + AXIS_RIGHT) / 2}" y="${axisY + 40}" text-anchor="middle" fill="${MUTED}">time since injection (Redis clock)</text>`,
  );

  // Objective deadlines.
  deadlines.forEach(({ objective, at }, index) => {
    const colour = objective.status === 'pass' ? PASS : objective.status === 'fail' ? FAIL : MUTED;
    const label = `${objective.objective} ${formatDuration(objective.limitMs ?? 0)}: ${objective.status}`;
    out.push(
      `<line x1="${x(at)}" y1="${70 + index * 13}" x2="${x(at)}" y2="${axisY}" stroke="${colour}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${x(at)}" y="${66 + index * 13}" text-anchor="${anchorNear(x(at))}" font-size="11" fill="${colour}">${escapeXml(label)}</text>`,
    );
  });

  // One row per step.
  rows.forEach((row: TimelineStep, index) => {
    const y = TOP + index * ROW_HEIGHT + ROW_HEIGHT / 2;
    const label = truncate(row.label, 54);
    out.push(
      `<line x1="${AXIS_LEFT}" y1="${y}" x2="${AXIS_RIGHT}" y2="${y}" stroke="${GRID}" stroke-width="0.5" stroke-dasharray="2 3"/>`,
      `<text x="${LABEL_WIDTH}" y="${y + 4}" text-anchor="end" fill="${row.status === 'done' ? INK : MUTED}">${escapeXml(label)}</text>`,
    );
    if (row.status === 'done' && row.offsetMs !== undefined) {
      const late = failedTargets.has(row.step);
      const colour = late ? FAIL : PASS;
      const cx = x(row.offsetMs);
      const text = `+${formatDuration(Math.max(0, row.offsetMs))}`;
      const anchorEnd = cx > AXIS_RIGHT - 80;
      out.push(
        `<circle cx="${cx}" cy="${y}" r="5" fill="${colour}" stroke="${INK}" stroke-width="0.5"/>`,
        `<text x="${anchorEnd ? cx - 9 : cx + 9}" y="${y + 4}" ${anchorEnd ? 'text-anchor="end" ' : ''}font-size="11" fill="${colour}">${escapeXml(text)}</text>`,
      );
    } else {
      const bad = row.status === 'missed' || row.status === 'failed' || row.status === 'blocked';
      const colour = bad ? FAIL : MUTED;
      const what = row.status === 'blocked' ? `blocked by ${row.rule ?? 'a rule'}` : row.status;
      out.push(
        `<text x="${AXIS_LEFT + 6}" y="${y + 4}" font-size="11" font-style="italic" fill="${colour}">${escapeXml(truncate(`${what}${row.detail ? `: ${row.detail}` : ''}`, 110))}</text>`,
      );
    }
  });
  out.push('</svg>', '');
  return out.join('\n');
}
