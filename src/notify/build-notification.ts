/**
 * From events to one platform-neutral notification: what happened to a service, in the words an on-call
 * engineer needs (what DNS answers now and before, which pools moved and why, how the probe regions voted,
 * which rules fired), one message per decision, never one per opinion flip.
 *
 * Pure: no I/O, no clock. The caller (the notify worker) has already grouped the events of one service that
 * go to one channel, and passes the service record when it could read it.
 */
import { createHash } from 'node:crypto';
import { redact } from '../config/resolve-secret';
import type { Config, Service, Severity } from '../config/types';
import { compareStreamIds } from '../evaluator/event-codec';
import {
  type DnsChangeSummary,
  DRILL_EVENT_KINDS,
  type ServiceRecord,
  type StoredEvent,
  type StoredEventKind,
} from '../evaluator/service-record';
import { describeServingPools } from '../quorum/decision-shape';
import { formatDuration, formatTime } from '../quorum/format-duration';
import { inRuleOrder } from '../quorum/rule-order';
import type { Decision, RuleName } from '../quorum/types';
import { labelOfTargetName, plannedDnsChanges } from './answer-lines';
import type {
  Notification,
  NotificationDnsChange,
  NotificationKind,
  NotificationPoolChange,
  NotificationVote,
} from './notification';
import { votesFromExplanation } from './notification-votes';

export const DRILL_TAG = '[DRILL]';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

const OVERRIDE_KINDS: ReadonlySet<StoredEventKind> = new Set([
  'override-set',
  'override-removed',
  'override-active',
  'override-expired',
  'freeze-held',
]);

const DRILL_KINDS: ReadonlySet<StoredEventKind> = new Set(DRILL_EVENT_KINDS);

/** Kinds that alone never make a message: the decision (or its absence) is what people act on. */
const QUIET_KINDS: ReadonlySet<StoredEventKind> = new Set(['endpoint-verdict', 'pool-verdict']);

/** Extra audit field operator events carry beyond `StoredEvent` (src/cli/operator-override.ts). */
type EventWithExpiry = StoredEvent & { expiresAt?: unknown };

/**
 * One notification from the events of one service (already grouped by the caller), or undefined when none
 * of them is worth a message (e.g. only endpoint-verdict info events with no decision change).
 */
export function buildNotification(input: {
  config: Config;
  service: string;
  events: StoredEvent[];
  /** The service's current record, when readable (generation, state, explanation). */
  record?: ServiceRecord;
}): Notification | undefined {
  const { config, record } = input;
  // Stream ids order the events of one service exactly (and break ties of one evaluation's shared time).
  const events = [...input.events].sort((a, b) => a.at - b.at || compareStreamIds(a.id, b.id));
  const kind = kindOf(events);
  if (kind === undefined) return undefined;
  const service = config.services[input.service];
  const facts = collectFacts(config, service, input.service, events);
  const drill = events.some((e) => e.drill === true || DRILL_KINDS.has(e.kind));
  const severity = severityOf(kind, events);
  const pools = poolChanges(input.service, events);
  const subject: MessageSubject = { kind, svc: input.service, events, facts, pools };
  const notification: Notification = {
    version: 1,
    id: notificationId(['events', config.deployment.id, input.service, ...events.map((e) => e.id).sort()]),
    kind,
    severity,
    deployment: config.deployment.id,
    service: input.service,
    title: tagDrill(drill, titleOf(subject)),
    summary: summaryOf(subject),
    drill,
    generation: Math.max(...events.map((e) => e.generation)),
    at: Math.max(...events.map((e) => e.at)),
    dnsChanges: facts.dnsChanges,
    pools,
    votes: [],
    rules: rulesOf(events),
    explanation: explanationOf(input.service, events),
    eventIds: events.map((e) => e.id),
  };
  const drillId = events.map((e) => e.drillRun?.id).find((id) => typeof id === 'string');
  if (drillId !== undefined) notification.drillId = drillId;
  notification.votes = votesOf(kind, notification.generation, pools, record);
  if (config.deployment.statusPageUrl !== undefined)
    notification.statusPageUrl = config.deployment.statusPageUrl;
  const incident = incidentOf(kind, notification, events, facts);
  if (incident !== undefined) notification.incident = incident;
  return notification;
}

/** A reminder that a pool is still drained (`repeatEvery` of a route), number `reminder` of at most `of`. */
export function buildReminder(input: {
  config: Config;
  service: string;
  pool: string;
  drainedAt: number;
  reminder: number;
  of: number;
  now: number;
  record?: ServiceRecord;
}): Notification {
  const { config, record, pool } = input;
  const drainedFor = formatDuration(Math.max(0, input.now - input.drainedAt));
  const poolLine = record?.explanation.pools.find((p) => p.pool === pool)?.line;
  const serving = record === undefined ? undefined : describeServingPools(record.state.decision);
  const notification: Notification = {
    version: 1,
    id: notificationId([
      'reminder',
      config.deployment.id,
      input.service,
      pool,
      input.drainedAt,
      input.reminder,
    ]),
    kind: 'reminder',
    severity: 'warning',
    deployment: config.deployment.id,
    service: input.service,
    title: `${input.service}: pool ${pool} still drained after ${drainedFor} (reminder ${input.reminder} of ${input.of})`,
    summary:
      `Pool ${pool} has been drained since ${formatTime(input.drainedAt)}.` +
      (serving === undefined ? '' : ` The answer is ${serving}.`) +
      (poolLine === undefined ? '' : ` ${capitalize(poolLine)}`),
    drill: false,
    generation: record?.generation ?? 0,
    at: input.now,
    dnsChanges: [],
    pools: [{ pool, change: 'drained', reason: poolLine ?? `drained since ${formatTime(input.drainedAt)}` }],
    votes: record === undefined ? [] : votesFromExplanation(record.explanation, [pool]),
    rules: record?.explanation.rules ?? [],
    explanation: record?.explanation.lines ?? [],
    eventIds: [],
  };
  if (config.deployment.statusPageUrl !== undefined)
    notification.statusPageUrl = config.deployment.statusPageUrl;
  return notification;
}

/** What `quorumdns notify test <channel>` sends: proves the channel works, pages nobody. */
export function buildTestNotification(input: { config: Config; channel: string; now: number }): Notification {
  const { config, channel, now } = input;
  const notification: Notification = {
    version: 1,
    id: notificationId(['test', config.deployment.id, channel, now]),
    kind: 'test',
    severity: 'info',
    deployment: config.deployment.id,
    service: '(test)',
    title: `quorumdns test message for channel ${channel}`,
    summary:
      `If you can read this, channel ${channel} of deployment ${config.deployment.id} works. ` +
      `Sent at ${formatTime(now)} by quorumdns notify test; nothing changed.`,
    drill: false,
    generation: 0,
    at: now,
    dnsChanges: [],
    pools: [],
    votes: [],
    rules: [],
    explanation: [],
    eventIds: [],
  };
  if (config.deployment.statusPageUrl !== undefined)
    notification.statusPageUrl = config.deployment.statusPageUrl;
  return notification;
}

// ---------------------------------------------------------------------------------------------------------
// What the events say.

interface Facts {
  /** The decision before the first and after the last decision change of the group (validated). */
  before?: Decision;
  after?: Decision;
  decisionChanged: boolean;
  dnsChanges: NotificationDnsChange[];
  /** Apply events with a readable DNS summary, with their target label. */
  applies: Array<{ event: StoredEvent; dns: DnsChangeSummary; label: string }>;
}

/** What the title and the summary put into words: one kind of message about one service's events. */
interface MessageSubject {
  kind: NotificationKind;
  /** The service's name. */
  svc: string;
  events: readonly StoredEvent[];
  facts: Facts;
  pools: readonly NotificationPoolChange[];
}

function has(events: readonly StoredEvent[], kind: StoredEventKind): boolean {
  return events.some((e) => e.kind === kind);
}

function kindOf(events: readonly StoredEvent[]): NotificationKind | undefined {
  if (events.length === 0) return undefined;
  if (has(events, 'fail-open')) return 'fail-open';
  if (has(events, 'dns-apply-failed')) return 'apply-failed';
  if (has(events, 'pool-drained')) return 'failover';
  if (has(events, 'fail-open-cleared')) return 'fail-open-cleared';
  if (has(events, 'pool-restored')) return 'failback';
  if (has(events, 'decision-changed')) return 'decision';
  if (events.some((e) => OVERRIDE_KINDS.has(e.kind))) return 'override';
  if (has(events, 'drill-started')) return 'drill-started';
  // Before drill-ended: who stopped the drill is the news (a live runner's drill-ended follows it).
  if (has(events, 'drill-stopped')) return 'drill-stopped';
  if (has(events, 'drill-ended')) return 'drill-ended';
  if (events.every((e) => QUIET_KINDS.has(e.kind) && e.severity === 'info')) return undefined;
  return 'info';
}

function severityOf(kind: NotificationKind, events: readonly StoredEvent[]): Severity {
  if (kind === 'fail-open') return 'critical';
  return events.reduce<Severity>(
    (max, e) => (SEVERITY_RANK[e.severity] > SEVERITY_RANK[max] ? e.severity : max),
    'info',
  );
}

/** Redis data is checked where it is read; fields the codec passes through loosely are checked here. */
function isDecision(value: unknown): value is Decision {
  if (typeof value !== 'object' || value === null) return false;
  const pools = (value as { pools?: unknown }).pools;
  return (
    Array.isArray(pools) &&
    pools.every(
      (p: unknown) =>
        typeof p === 'object' &&
        p !== null &&
        typeof (p as { pool?: unknown }).pool === 'string' &&
        typeof (p as { weight?: unknown }).weight === 'number' &&
        Array.isArray((p as { endpoints?: unknown }).endpoints),
    )
  );
}

function isDnsSummary(value: unknown): value is DnsChangeSummary {
  if (typeof value !== 'object' || value === null) return false;
  const dns = value as Partial<Record<keyof DnsChangeSummary, unknown>>;
  const lines = (v: unknown): boolean => Array.isArray(v) && v.every((line) => typeof line === 'string');
  return typeof dns.target === 'string' && lines(dns.before) && lines(dns.after);
}

function collectFacts(
  config: Config,
  service: Service | undefined,
  serviceName: string,
  events: readonly StoredEvent[],
): Facts {
  const decisions = events.filter((e) => e.kind === 'decision-changed' && isDecision(e.decision?.after));
  const first = decisions[0]?.decision;
  const last = decisions[decisions.length - 1]?.decision;
  const facts: Facts = { decisionChanged: decisions.length > 0, dnsChanges: [], applies: [] };
  if (first !== undefined && isDecision(first.before)) facts.before = first.before;
  if (last !== undefined) facts.after = last.after;

  if (service !== undefined && facts.after !== undefined) {
    facts.dnsChanges = plannedDnsChanges({
      config,
      service,
      ...(facts.before !== undefined ? { before: facts.before } : {}),
      after: facts.after,
    });
  }
  for (const event of events) {
    if ((event.kind !== 'dns-applied' && event.kind !== 'dns-apply-failed') || !isDnsSummary(event.dns))
      continue;
    const dns = event.dns;
    const label = labelOfTargetName(config, dns.target);
    facts.applies.push({ event, dns, label });
    const change: NotificationDnsChange = {
      target: label,
      before: dns.before,
      after: dns.after,
      state: event.kind === 'dns-applied' ? 'applied' : 'failed',
    };
    if (dns.changeId !== undefined) change.changeId = dns.changeId;
    if (event.kind === 'dns-apply-failed') {
      // Provider messages may quote endpoints with credentials in them.
      change.error = redact(
        dns.error ? `${dns.error.code}: ${dns.error.message}` : stripService(serviceName, event.message),
      );
    }
    const at = facts.dnsChanges.findIndex((c) => c.target === label);
    if (at >= 0) facts.dnsChanges[at] = change;
    else facts.dnsChanges.push(change);
  }
  return facts;
}

function poolChanges(serviceName: string, events: readonly StoredEvent[]): NotificationPoolChange[] {
  const changes: NotificationPoolChange[] = [];
  for (const event of events) {
    if (event.pool === undefined) continue;
    const reason = poolReason(serviceName, event.pool, event.message);
    if (event.kind === 'pool-drained') {
      changes.push({
        pool: event.pool,
        change: event.rule === 'override' ? 'forced-out' : 'drained',
        reason,
      });
    } else if (event.kind === 'pool-restored') {
      const forcedIn = event.rule === 'override' && /restored by override/.test(event.message);
      changes.push({ pool: event.pool, change: forcedIn ? 'forced-in' : 'restored', reason });
    } else if (event.kind === 'drain-clamped') {
      changes.push({ pool: event.pool, change: 'held', reason });
    }
  }
  return changes;
}

function rulesOf(events: readonly StoredEvent[]): RuleName[] {
  const fired = new Set<string>(events.map((e) => e.rule).filter((r): r is RuleName => r !== undefined));
  return inRuleOrder(fired);
}

/** The decision's own explanation when the group has one; otherwise what each event said. */
function explanationOf(serviceName: string, events: readonly StoredEvent[]): string[] {
  const decisions = events.filter((e) => e.kind === 'decision-changed' && Array.isArray(e.explanation));
  const last = decisions[decisions.length - 1];
  const eventLines = events.map((e) => `${e.kind}: ${stripService(serviceName, redact(e.message))}`);
  if (last?.explanation === undefined) return eventLines;
  return [...last.explanation.filter((line) => typeof line === 'string'), '', 'events:', ...eventLines];
}

/**
 * Votes from the record's explanation, only while that record is still the decision the message is about
 * (same generation): a newer decision's votes would answer a different question.
 */
function votesOf(
  kind: NotificationKind,
  generation: number,
  pools: readonly NotificationPoolChange[],
  record: ServiceRecord | undefined,
): NotificationVote[] {
  if (record === undefined || record.generation !== generation) return [];
  const about: NotificationKind[] = [
    'failover',
    'failback',
    'fail-open',
    'fail-open-cleared',
    'decision',
    'info',
  ];
  if (!about.includes(kind)) return [];
  return votesFromExplanation(record.explanation, [...new Set(pools.map((p) => p.pool))]);
}

// ---------------------------------------------------------------------------------------------------------
// Words.

function stripService(serviceName: string, message: string): string {
  const prefix = `${serviceName}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** `quorum 2/3 (…); 0 of 2 endpoints up, 1 needed` from `api: pool a drained: quorum 2/3 …`. */
function poolReason(serviceName: string, pool: string, message: string): string {
  const text = stripService(serviceName, message);
  const match = /^pool \S+ (?:drained|restored)(?: early)?: (.*)$/s.exec(text);
  return match?.[1] ?? text.replace(new RegExp(`^pool ${escapeRegExp(pool)} `), '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Starts a sentence with a capital, unless it starts with a DNS name or an identifier (`api.lab.test A ...`). */
function capitalize(text: string): string {
  const firstWord = /^\S+/.exec(text)?.[0] ?? '';
  if (text.length === 0 || /[.\d_-]/.test(firstWord)) return text;
  return text[0]?.toUpperCase() + text.slice(1);
}

function tagDrill(drill: boolean, title: string): string {
  return drill ? `${DRILL_TAG} ${title}` : title;
}

function servingNames(decision: Decision | undefined): string {
  if (decision === undefined) return 'unknown';
  const serving = decision.pools.filter((p) => p.weight > 0 && p.endpoints.length > 0).map((p) => p.pool);
  return serving.length === 0 ? 'nothing' : serving.join(', ');
}

function poolsWith(
  pools: readonly NotificationPoolChange[],
  ...changes: NotificationPoolChange['change'][]
): string {
  return [...new Set(pools.filter((p) => changes.includes(p.change)).map((p) => p.pool))].join(', ');
}

function firstOf(events: readonly StoredEvent[], kind: StoredEventKind): StoredEvent | undefined {
  return events.find((e) => e.kind === kind);
}

function overrideId(event: StoredEvent): string {
  return event.override ?? 'override';
}

function titleOf(subject: MessageSubject): string {
  const { kind, svc, events, facts, pools } = subject;
  const before = servingNames(facts.before);
  const after = servingNames(facts.after);
  switch (kind) {
    case 'failover': {
      const drained = poolsWith(pools, 'drained', 'forced-out');
      return facts.decisionChanged
        ? `${svc}: failover ${drained} -> ${after}`
        : `${svc}: pool ${drained} drained (answer unchanged)`;
    }
    case 'failback': {
      const restored = poolsWith(pools, 'restored', 'forced-in');
      return facts.decisionChanged
        ? `${svc}: failback ${before} -> ${after}`
        : `${svc}: pool ${restored} restored (answer unchanged)`;
    }
    case 'fail-open':
      return `${svc}: FAIL-OPEN, no pool can serve; the last good answer is kept`;
    case 'fail-open-cleared':
      return `${svc}: fail-open cleared, serving ${after}`;
    case 'apply-failed': {
      const failed = facts.applies.filter((a) => a.event.kind === 'dns-apply-failed').map((a) => a.label);
      const generation = Math.max(...events.map((e) => e.generation));
      return `${svc}: DNS update failed at ${failed.join(', ') || 'a provider'} (generation ${generation})`;
    }
    case 'decision':
      return facts.before === undefined && facts.decisionChanged
        ? `${svc}: first decision, serving ${after}`
        : `${svc}: answer changed ${before} -> ${after}`;
    case 'override': {
      const event = events.find((e) => OVERRIDE_KINDS.has(e.kind));
      if (event === undefined) return `${svc}: override`;
      switch (event.kind) {
        case 'override-set':
          return `${svc}: override ${overrideId(event)} set by ${event.by ?? 'an operator'}`;
        case 'override-removed':
          return `${svc}: override ${overrideId(event)} removed by ${event.by ?? 'an operator'}`;
        case 'override-expired':
          return `${svc}: override ${overrideId(event)} ended`;
        case 'freeze-held':
          return `${svc}: freeze holds the answer`;
        default:
          return `${svc}: override ${overrideId(event)} in force`;
      }
    }
    case 'drill-started':
    case 'drill-ended': {
      const event = firstOf(events, kind);
      const run = event?.drillRun;
      const what = kind === 'drill-started' ? 'started' : 'ended';
      const mode = run?.mode !== undefined ? ` (${run.mode})` : '';
      const pool = event?.pool !== undefined ? ` on pool ${event.pool}` : '';
      return `${svc}: drill ${run?.id ?? ''}${mode}${pool} ${what}`.replace(/ {2,}/g, ' ');
    }
    case 'drill-stopped': {
      const event = firstOf(events, kind);
      const by = event?.by ?? 'an operator';
      const run = event?.drillRun;
      return run === undefined
        ? `${svc}: drill (unreadable overlay) stopped by ${by}`
        : `${svc}: drill ${run.id} (${run.mode}) stopped by ${by}`;
    }
    default: {
      const applied = facts.applies.filter((a) => a.event.kind === 'dns-applied');
      if (applied.length > 0 && applied.length === events.length) {
        return `${svc}: DNS updated at ${applied.map((a) => a.label).join(', ')} (generation ${Math.max(...events.map((e) => e.generation))})`;
      }
      const top = mostSevere(events);
      const more = events.length > 1 ? ` (+${events.length - 1} more)` : '';
      return `${svc}: ${stripService(svc, redact(top.message))}${more}`;
    }
  }
}

function mostSevere(events: readonly StoredEvent[]): StoredEvent {
  return events.reduce((top, e) => (SEVERITY_RANK[e.severity] > SEVERITY_RANK[top.severity] ? e : top));
}

function summaryOf(subject: MessageSubject): string {
  const { kind, svc, events, facts, pools } = subject;
  const answer =
    facts.after !== undefined
      ? ` The answer changes to ${describeServingPools(facts.after)}` +
        (facts.before !== undefined ? ` (was ${describeServingPools(facts.before)}).` : '.')
      : '';
  const message = (kindName: StoredEventKind): string => {
    const event = firstOf(events, kindName);
    return event === undefined ? '' : capitalize(stripService(svc, redact(event.message)));
  };
  switch (kind) {
    case 'failover': {
      const lines = pools
        .filter((p) => p.change === 'drained' || p.change === 'forced-out')
        .map(
          (p) =>
            `Pool ${p.pool} ${p.change === 'drained' ? 'drained by the quorum' : 'forced out'}: ${p.reason}.`,
        );
      return lines.join(' ') + answer;
    }
    case 'failback': {
      const lines = pools
        .filter((p) => p.change === 'restored' || p.change === 'forced-in')
        .map((p) => `Pool ${p.pool} ${p.change === 'restored' ? 'restored' : 'forced in'}: ${p.reason}.`);
      return lines.join(' ') + answer;
    }
    case 'fail-open':
      return `${message('fail-open')}. Traffic keeps going to pools the quorum says are down: act now.`;
    case 'fail-open-cleared':
      return `${message('fail-open-cleared')}.${answer}`;
    case 'apply-failed': {
      const failed = facts.applies.filter((a) => a.event.kind === 'dns-apply-failed');
      const permanent = failed.some((a) => a.event.severity === 'critical');
      const what = failed
        .map(
          (a) =>
            `${a.label}: ${redact(a.dns.error ? `${a.dns.error.code}: ${a.dns.error.message}` : a.event.message)}`,
        )
        .join('; ');
      return (
        `DNS could not be updated (${what || message('dns-apply-failed')}).` +
        (permanent
          ? ' The provider refused the change: it will not be retried until someone fixes the cause.'
          : ' It is being retried.')
      );
    }
    case 'decision':
      return `${message('decision-changed')}.`;
    case 'override': {
      const event = events.find((e) => OVERRIDE_KINDS.has(e.kind)) as EventWithExpiry | undefined;
      if (event === undefined) return '';
      const reason = event.reason !== undefined ? ` Reason: ${JSON.stringify(event.reason)}.` : '';
      const by = event.by !== undefined && event.kind.startsWith('override-') ? ` By ${event.by}.` : '';
      const until = typeof event.expiresAt === 'number' ? ` Until ${formatTime(event.expiresAt)}.` : '';
      return `${capitalize(stripService(svc, redact(event.message)))}.${by}${reason}${until}`;
    }
    case 'drill-started':
      return `${message('drill-started')}. Every notification of this drill is tagged ${DRILL_TAG}; nothing is paged.`;
    case 'drill-ended':
      return `${message('drill-ended')}.`;
    case 'drill-stopped': {
      // A live runner's own end may come in the same group: its verdict belongs in the same message.
      const ended = message('drill-ended');
      return `${message('drill-stopped')}.${ended === '' ? '' : ` ${ended}.`}`;
    }
    default:
      return events
        .slice(0, 3)
        .map((e) => `${capitalize(stripService(svc, redact(e.message)))}.`)
        .join(' ');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Incidents (PagerDuty).

/** PagerDuty accepts dedup keys up to 255 characters; longer ones are replaced by a stable digest. */
const MAX_DEDUP_KEY = 255;

function dedupKey(...parts: string[]): string {
  const key = ['quorumdns', ...parts].join('/');
  return key.length <= MAX_DEDUP_KEY ? key : `quorumdns/${createHash('sha256').update(key).digest('hex')}`;
}

/** The dedup key of the incident opened when `pool` of `service` is drained. */
export function poolIncidentKey(deployment: string, service: string, pool: string): string {
  return dedupKey(deployment, service, 'pool', pool);
}

/** The dedup key of a service's fail-open incident. */
export function failOpenIncidentKey(deployment: string, service: string): string {
  return dedupKey(deployment, service, 'fail-open');
}

/** The dedup key of the incident opened when a provider target refuses a change for good. */
export function applyIncidentKey(deployment: string, service: string, target: string): string {
  return dedupKey(deployment, service, 'apply', target);
}

/**
 * Drills never page. A quorum drain opens an incident per pool (one key per (deployment, service, pool): when
 * several pools drain at once, the first one's), a restore resolves it; fail-open per (deployment, service);
 * a permanent apply failure per target, resolved by the next successful apply there. Operator overrides are
 * deliberate and page nobody.
 */
function incidentOf(
  kind: NotificationKind,
  n: Notification,
  events: readonly StoredEvent[],
  facts: Facts,
): Notification['incident'] {
  if (n.drill) return undefined;
  const { deployment, service } = n;
  switch (kind) {
    case 'fail-open':
      return { action: 'trigger', dedupKey: failOpenIncidentKey(deployment, service) };
    case 'fail-open-cleared':
      return { action: 'resolve', dedupKey: failOpenIncidentKey(deployment, service) };
    case 'failover': {
      const drained = n.pools.find((p) => p.change === 'drained');
      return drained === undefined
        ? undefined
        : { action: 'trigger', dedupKey: poolIncidentKey(deployment, service, drained.pool) };
    }
    case 'failback': {
      const restored = n.pools.find((p) => p.change === 'restored' || p.change === 'forced-in');
      return restored === undefined
        ? undefined
        : { action: 'resolve', dedupKey: poolIncidentKey(deployment, service, restored.pool) };
    }
    case 'apply-failed': {
      const permanent = facts.applies.find(
        (a) => a.event.kind === 'dns-apply-failed' && a.event.severity === 'critical',
      );
      return permanent === undefined
        ? undefined
        : { action: 'trigger', dedupKey: applyIncidentKey(deployment, service, permanent.label) };
    }
    default: {
      const applied = facts.applies.filter((a) => a.event.kind === 'dns-applied');
      return applied.length === 1 && applied.length === events.length && applied[0] !== undefined
        ? { action: 'resolve', dedupKey: applyIncidentKey(deployment, service, applied[0].label) }
        : undefined;
    }
  }
}

/** Stable: the same inputs give the same id, so a receiver can drop a redelivered message. */
function notificationId(parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}
