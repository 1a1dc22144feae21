/**
 * `quorumdns plan` (and `sync`) output: what changes per provider target, as text for a terminal, Markdown for
 * a pull-request comment, or JSON for scripts. Also the one place a record set is written as a line of text,
 * so the audit events (`DnsChangeSummary`) and the plan read the same.
 */
import type { SteeringMode } from '../config/types';
import { countChanges, type Plan } from './plan';
import type { RecordChange, RecordSet } from './record-set';

/** `api.example.com A 192.0.2.10, 192.0.2.11` (with `ttl`: `api.example.com 30 A ...`). */
export function formatRecordSet(set: RecordSet, options: { ttl?: boolean } = {}): string {
  const head =
    options.ttl === true && set.alias === undefined
      ? `${set.name} ${set.ttl} ${set.type}`
      : `${set.name} ${set.type}`;
  return `${head} ${formatRecordData(set)}`;
}

/** The data of a set without its name: values, alias, weight or wrr items. */
export function formatRecordData(set: RecordSet): string {
  const data =
    set.wrr !== undefined
      ? `wrr ${set.wrr.map((item) => `weight ${item.weight}: ${item.values.join(', ')}`).join(' | ')}`
      : set.alias !== undefined
        ? `alias ${set.alias.dnsName}${set.alias.evaluateTargetHealth ? ' (evaluate target health)' : ''}`
        : (set.values ?? []).join(', ');
  if (set.setIdentifier !== undefined) return `[${set.setIdentifier}] weight ${set.weight ?? 0}: ${data}`;
  return data;
}

/** What `plan` knows about one target: its plan, or why there is none. */
export interface TargetPlanView {
  service: string;
  provider: string;
  /** `route53`, `clouddns`, `local`. */
  providerType: string;
  zone: string;
  mode: SteeringMode;
  /** The decision generation planned for (0 with `source: initial`); null when the plan failed. */
  generation: number | null;
  /**
   * `decision`: the evaluator's current decision; `initial`: no state yet, the all-healthy answer; null when
   * the plan failed before that was known.
   */
  source: 'decision' | 'initial' | null;
  plan?: Plan;
  error?: { code: string; message: string };
  /** Extra words shown under the heading (e.g. a dry drill in progress). */
  notes?: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  /** Targets whose plan could not be computed. */
  errors: number;
}

export function summarizePlans(views: readonly TargetPlanView[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, delete: 0, errors: 0 };
  for (const view of views) {
    if (view.error !== undefined) summary.errors += 1;
    if (view.plan === undefined) continue;
    const counts = countChanges(view.plan.changes);
    summary.create += counts.create;
    summary.update += counts.update;
    summary.delete += counts.delete;
  }
  return summary;
}

/** `Plan: 2 to change, 1 to create, 0 to delete.` (plus failed targets, when any). */
export function summaryLine(summary: PlanSummary): string {
  const failed =
    summary.errors === 0
      ? ''
      : ` ${summary.errors} target${summary.errors === 1 ? '' : 's'} could not be planned.`;
  return `Plan: ${summary.update} to change, ${summary.create} to create, ${summary.delete} to delete.${failed}`;
}

function heading(view: TargetPlanView): string {
  return `${view.service} at ${view.providerType} ${view.provider}/${view.zone}`;
}

function subtitle(view: TargetPlanView): string {
  if (view.source === null) return `${view.mode} mode`;
  const source =
    view.source === 'initial'
      ? 'no decision yet: the all-healthy answer (generation 0)'
      : `decision generation ${view.generation ?? '?'}`;
  return `${view.mode} mode · ${source}`;
}

/** One line per change: `+ create`, `- delete`, `~ update: before -> after`. */
function textChangeLine(change: RecordChange): string {
  switch (change.action) {
    case 'create':
      return `+ ${formatRecordSet(change.after, { ttl: true })}`;
    case 'delete':
      return `- ${formatRecordSet(change.before, { ttl: true })}`;
    case 'update': {
      const ttl =
        change.before.ttl !== change.after.ttl ? ` (ttl ${change.before.ttl} -> ${change.after.ttl})` : '';
      return `~ ${change.after.name} ${change.after.type} ${formatRecordData(change.before)} -> ${formatRecordData(change.after)}${ttl}`;
    }
  }
}

export function renderPlanText(views: readonly TargetPlanView[]): string {
  const lines: string[] = [];
  for (const view of views) {
    lines.push(`${heading(view)} (${subtitle(view)})`);
    for (const note of view.notes ?? []) lines.push(`  note: ${note}`);
    if (view.error !== undefined) lines.push(`  error ${view.error.code}: ${view.error.message}`);
    else if (view.plan === undefined || view.plan.changes.length === 0) lines.push('  no changes');
    else lines.push(...view.plan.changes.map((change) => `  ${textChangeLine(change)}`));
    lines.push('');
  }
  lines.push(summaryLine(summarizePlans(views)));
  return `${lines.join('\n')}\n`;
}

/** Diff lines for a fenced `diff` block: an update is its old set (`-`) followed by its new one (`+`). */
function diffLines(change: RecordChange): string[] {
  switch (change.action) {
    case 'create':
      return [`+ ${formatRecordSet(change.after, { ttl: true })}`];
    case 'delete':
      return [`- ${formatRecordSet(change.before, { ttl: true })}`];
    case 'update':
      return [
        `- ${formatRecordSet(change.before, { ttl: true })}`,
        `+ ${formatRecordSet(change.after, { ttl: true })}`,
      ];
  }
}

/** Markdown for a pull-request comment: a heading per target, a diff block, one summary line. */
export function renderPlanMarkdown(views: readonly TargetPlanView[]): string {
  const out: string[] = ['## quorumdns plan', ''];
  for (const view of views) {
    out.push(`### ${view.service} → ${view.providerType} \`${view.provider}/${view.zone}\``, '');
    out.push(`${subtitle(view)}`, '');
    for (const note of view.notes ?? []) out.push(`> ${note}`, '');
    if (view.error !== undefined) {
      out.push(`**Error** \`${view.error.code}\`: ${escapeMarkdown(view.error.message)}`, '');
      continue;
    }
    if (view.plan === undefined || view.plan.changes.length === 0) {
      out.push('No changes.', '');
      continue;
    }
    const counts = countChanges(view.plan.changes);
    out.push(`${counts.update} to change, ${counts.create} to create, ${counts.delete} to delete`, '');
    out.push('```diff', ...view.plan.changes.flatMap(diffLines), '```', '');
  }
  out.push(`**${summaryLine(summarizePlans(views))}**`);
  return `${out.join('\n')}\n`;
}

/** Messages come from providers; keep them from opening Markdown constructs in the comment. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

/** The stable JSON shape of `plan --format json` (documented in docs/operations.md). */
export interface PlanJson {
  schemaVersion: 1;
  summary: PlanSummary;
  targets: Array<{
    service: string;
    provider: string;
    providerType: string;
    zone: string;
    mode: SteeringMode;
    generation: number | null;
    source: 'decision' | 'initial' | null;
    changes: RecordChange[];
    unchanged: number;
    error: { code: string; message: string } | null;
    notes: string[];
  }>;
}

export function planJson(views: readonly TargetPlanView[]): PlanJson {
  return {
    schemaVersion: 1,
    summary: summarizePlans(views),
    targets: views.map((view) => ({
      service: view.service,
      provider: view.provider,
      providerType: view.providerType,
      zone: view.zone,
      mode: view.mode,
      generation: view.generation,
      source: view.source,
      changes: view.plan?.changes ?? [],
      unchanged: view.plan?.unchanged.length ?? 0,
      error: view.error ?? null,
      notes: view.notes ?? [],
    })),
  };
}
