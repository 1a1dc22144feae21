/**
 * The report files: the SVG is well-formed standalone XML whatever the text in it (ids, reasons and details
 * come from config and remote answers), shows every step, the objective deadlines as dashed lines, pass in
 * green and fail in red; the Markdown tables stay tables; the JSON is the report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillReport } from '../../src/drill/drill-report';
import { renderDrillMarkdown } from '../../src/drill/render-drill-markdown';
import { escapeXml, renderDrillSvg, tickStep } from '../../src/drill/render-drill-svg';
import { writeDrillReport } from '../../src/drill/write-drill-report';
import { checkWellFormedXml } from './support/xml-check';

const T0 = 1_800_000_000_000;

function report(overrides: Partial<DrillReport> = {}): DrillReport {
  return {
    version: 1,
    id: 'drill-20270115-140000-api-aws-use1',
    service: 'api',
    pools: ['aws-use1'],
    mode: 'live',
    by: 'alice <ops> & "friends"',
    reason: "quarterly | practice's run",
    trigger: 'cli',
    dnsNames: ['api.example.com'],
    targets: ['aws-main/Z123'],
    startedAt: T0,
    plannedEndAt: T0 + 300_000,
    finishedAt: T0 + 420_000,
    durationMs: 300_000,
    generations: { before: 7, failover: 8, failback: 9 },
    timeline: [
      {
        step: 'injected',
        label: 'injected: pool aws-use1 reported failing',
        status: 'done',
        at: T0,
        offsetMs: 0,
      },
      {
        step: 'first-flip',
        label: 'first opinion flip',
        status: 'done',
        at: T0 + 21_000,
        offsetMs: 21_000,
        detail: 'r1 says use1-a is down',
      },
      {
        step: 'quorum',
        label: 'quorum verdict: pool aws-use1 down',
        status: 'done',
        at: T0 + 31_000,
        offsetMs: 31_000,
      },
      {
        step: 'decision',
        label: 'decision: pool aws-use1 drained',
        status: 'done',
        at: T0 + 31_000,
        offsetMs: 31_000,
      },
      {
        step: 'submitted',
        target: 'aws-main/Z123',
        label: 'change submitted (aws-main/Z123)',
        status: 'done',
        at: T0 + 31_500,
        offsetMs: 31_500,
      },
      {
        step: 'in-sync',
        target: 'aws-main/Z123',
        label: 'provider in sync (aws-main/Z123)',
        status: 'done',
        at: T0 + 62_000,
        offsetMs: 62_000,
      },
      {
        step: 'answer',
        label: 'answer changed at the name servers',
        status: 'missed',
        detail: 'still <old> answer: 192.0.2.10 & more\u0007',
      },
      { step: 'notified', label: 'notification delivered', status: 'skipped', detail: 'no route' },
      {
        step: 'restored',
        label: 'drill overlay removed (restore)',
        status: 'done',
        at: T0 + 300_000,
        offsetMs: 300_000,
      },
      {
        step: 'pool-up',
        label: 'quorum verdict: pool aws-use1 up',
        status: 'done',
        at: T0 + 320_000,
        offsetMs: 320_000,
      },
      {
        step: 'failback-decision',
        label: 'failback decision',
        status: 'blocked',
        rule: 'freeze',
        detail: 'frozen',
      },
    ],
    objectives: [
      {
        objective: 'failoverWithin',
        limitMs: 60_000,
        from: 'injected',
        to: 'answer',
        status: 'fail',
        reason: 'answer did not happen',
      },
      {
        objective: 'failbackWithin',
        limitMs: 600_000,
        from: 'restored',
        to: 'failback-decision',
        status: 'fail',
        reason: 'blocked',
      },
      {
        objective: 'notifyWithin',
        from: 'injected',
        to: 'notified',
        status: 'not-judged',
        reason: 'no drill.notifyWithin objective is set',
      },
    ],
    checks: [{ name: 'failover', status: 'pass', reason: 'the drilled pool was drained' }],
    verdict: 'fail',
    reasons: ['answer: answer changed at the name servers did not happen (still <old> answer)'],
    ...overrides,
  };
}

test('the SVG is well-formed XML with every step, escaped text, ticks and dashed deadlines', () => {
  const svg = renderDrillSvg(report());
  const { root, elements } = checkWellFormedXml(svg);
  expect(root).toBe('svg');
  expect(elements).toBeGreaterThan(30);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  for (const step of report().timeline) expect(svg).toContain(escapeXml(step.label));
  expect(svg).toContain('alice &lt;ops&gt; &amp; &quot;friends&quot;');
  expect(svg).not.toContain('\u0007');
  // Deadlines: failoverWithin at +60s, failbackWithin from the restore (+300s) at +900s; both failed: red, dashed.
  expect(svg).toMatch(/stroke="#cf222e" stroke-width="1.5" stroke-dasharray="6 4"/);
  expect(svg).toContain('failoverWithin 1m: fail');
  expect(svg).toContain('failbackWithin 10m: fail');
  // The axis reaches past the later deadline, ticks at round offsets.
  expect(svg).toContain('>+16m<');
  expect(svg).toContain('>+2m<');
  expect(svg).toContain('>0<');
  expect(svg).toContain('blocked by freeze');
  expect(svg).toContain('>FAIL<');
});

test('a passing report draws green markers and a green verdict', () => {
  const svg = renderDrillSvg(
    report({
      verdict: 'pass',
      reasons: [],
      objectives: [
        {
          objective: 'failoverWithin',
          limitMs: 60_000,
          from: 'injected',
          to: 'decision',
          measuredMs: 31_000,
          status: 'pass',
          reason: 'ok',
        },
      ],
    }),
  );
  checkWellFormedXml(svg);
  expect(svg).toContain('fill="#1a7f37">PASS<');
  expect(svg).toMatch(/<circle [^>]*fill="#1a7f37"/);
  expect(svg).not.toMatch(/<circle [^>]*fill="#cf222e"/);
});

test('the Markdown report keeps its tables intact and shows offsets', () => {
  const markdown = renderDrillMarkdown(report(), 'x.svg');
  expect(markdown).toContain('# Drill drill-20270115-140000-api-aws-use1: FAIL');
  expect(markdown).toContain("| Reason | quarterly \\| practice's run |");
  expect(markdown).toContain(
    '| failoverWithin | injected -> answer | 1m | - | **fail** | answer did not happen |',
  );
  expect(markdown).toContain(
    '| +31s | 2027-01-15T08:00:31.000Z |'.replace(
      '2027-01-15T08:00:31.000Z',
      new Date(T0 + 31_000).toISOString(),
    ),
  );
  expect(markdown).toContain('| failback decision | blocked (freeze) | frozen |');
  expect(markdown).toContain('![timeline of drill drill-20270115-140000-api-aws-use1](x.svg)');
  // Every table row has the same number of unescaped separators as its header.
  const timelineRows = markdown
    .split('\n')
    .filter((line) => line.startsWith('| +') || line.startsWith('|  |'));
  for (const row of timelineRows) expect(row.replace(/\\\|/g, '').split('|').length).toBe(7);
});

test('writeDrillReport writes the three files named after the drill', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qdns-drill-report-'));
  try {
    const files = await writeDrillReport(report(), join(dir, 'nested'));
    expect(files.json.endsWith('drill-20270115-140000-api-aws-use1.json')).toBe(true);
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as DrillReport;
    expect(json).toMatchObject({ id: report().id, verdict: 'fail', files });
    checkWellFormedXml(readFileSync(files.svg, 'utf8'));
    expect(readFileSync(files.markdown, 'utf8')).toContain('](drill-20270115-140000-api-aws-use1.svg)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ticks fall on round times', () => {
  expect(tickStep(8_000)).toBe(1000);
  expect(tickStep(60_000)).toBe(10_000);
  expect(tickStep(900_000)).toBe(120_000);
  expect(tickStep(7_200_000)).toBe(900_000);
  expect(tickStep(1)).toBe(1);
});

test('the XML check itself rejects what is not well-formed', () => {
  expect(() => checkWellFormedXml('<svg><g></svg>')).toThrow(/closes/);
  expect(() => checkWellFormedXml('<svg>a & b</svg>')).toThrow(/entity/);
  expect(() => checkWellFormedXml('<svg a="1" a="2"/>')).toThrow(/duplicate/);
  expect(() => checkWellFormedXml('<svg><text>x</text>')).toThrow(/unclosed/);
});
