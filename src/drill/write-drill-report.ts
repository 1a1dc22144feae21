/**
 * Writes a drill report as three files in `dir` (created if missing): `<id>.json` (the whole report, for
 * tooling), `<id>.md` (objectives, checks and timeline tables; it embeds the picture) and `<id>.svg` (the
 * timeline picture). The report stored in Redis (`drillRuns`) is the same JSON.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DrillReport } from './drill-report';
import { renderDrillMarkdown } from './render-drill-markdown';
import { renderDrillSvg } from './render-drill-svg';

export interface DrillReportFiles {
  json: string;
  markdown: string;
  svg: string;
}

export async function writeDrillReport(report: DrillReport, dir: string): Promise<DrillReportFiles> {
  const directory = resolve(dir);
  await mkdir(directory, { recursive: true });
  // The id is validated as a file name by runDrill; strip path separators anyway (a report read back from Redis).
  const base = report.id.replace(/[/\\]/g, '-');
  const files: DrillReportFiles = {
    json: join(directory, `${base}.json`),
    markdown: join(directory, `${base}.md`),
    svg: join(directory, `${base}.svg`),
  };
  const withFiles: DrillReport = { ...report, files };
  await writeFile(files.svg, renderDrillSvg(report), 'utf8');
  await writeFile(files.markdown, renderDrillMarkdown(report, `${base}.svg`), 'utf8');
  await writeFile(files.json, `${JSON.stringify(withFiles, null, 2)}\n`, 'utf8');
  return files;
}
