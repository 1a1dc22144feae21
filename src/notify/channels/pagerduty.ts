/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/overview).
 *
 * - A notification with `incident.action === 'trigger'` (quorum failover, fail-open, permanent apply failure)
 *   is an alert event `trigger` with its stable `dedup_key`, so repeats update the one open alert;
 * - `resolve` (failback, fail-open cleared, a successful apply after a failure) closes the alert with that key;
 * - everything else (drills, overrides, informational messages, tests) is sent as a Change Event
 *   (`/v2/change/enqueue`): it shows on the service's timeline and pages nobody. Drills never page.
 *
 * Endpoint: `https://events.pagerduty.com` unless the channel has a `url` (the EU service region
 * `https://events.eu.pagerduty.com`, or a local receiver in tests); `/v2/enqueue` or `/v2/change/enqueue` is
 * appended. Documented limits: summary 1,024 characters, dedup_key 255, payload 512 KB (kept under 500,000
 * bytes; the explanation in custom_details is cut first).
 */
import { redact } from '../../config/resolve-secret';
import type { Severity } from '../../config/types';
import { formatTime } from '../../quorum/format-duration';
import type { ChannelFormatter, ChannelSecrets, FormattedRequest } from '../channel-formatter';
import type { Notification } from '../notification';
import { truncate, truncateLines, utf8Length } from '../truncate';
import { fitPayload, type SectionLimits } from './fit-payload';
import { isHttpUrl } from './notification-text';
import { MissingSecretError } from './missing-secret-error';

export const PAGERDUTY_EVENTS_BASE_URL = 'https://events.pagerduty.com';
export const PAGERDUTY_ALERT_PATH = '/v2/enqueue';
export const PAGERDUTY_CHANGE_PATH = '/v2/change/enqueue';

export const PAGERDUTY_LIMITS = {
  summary: 1024,
  dedupKey: 255,
  payloadBytes: 500_000,
} as const;

type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY: Record<Severity, PagerDutySeverity> = {
  critical: 'critical',
  warning: 'warning',
  info: 'info',
};

export interface PagerDutyCustomDetails {
  kind: Notification['kind'];
  service: string;
  deployment: string;
  generation: number;
  drill: boolean;
  drill_id?: string;
  summary: string;
  dns_changes: Array<{
    target: string;
    state: string;
    before: string;
    after: string;
    change_id?: string;
    error?: string;
  }>;
  pools: string[];
  votes: string[];
  rules: string[];
  explanation: string;
  notification_id: string;
}

export type PagerDutyBody =
  | {
      routing_key: string;
      event_action: 'trigger';
      dedup_key: string;
      client: string;
      payload: {
        summary: string;
        source: string;
        severity: PagerDutySeverity;
        timestamp: string;
        component: string;
        group: string;
        class: string;
        custom_details: PagerDutyCustomDetails;
      };
      links?: Array<{ href: string; text: string }>;
    }
  | { routing_key: string; event_action: 'resolve'; dedup_key: string }
  | {
      routing_key: string;
      payload: { summary: string; source: string; timestamp: string; custom_details: PagerDutyCustomDetails };
      links?: Array<{ href: string; text: string }>;
    };

/** `https://events.eu.pagerduty.com` (or a full `.../v2/enqueue` URL) -> the base the paths are added to. */
export function pagerDutyBase(url: string | undefined): string {
  if (url === undefined || url === '') return PAGERDUTY_EVENTS_BASE_URL;
  return url.replace(/\/+$/, '').replace(/\/v2(\/change)?\/enqueue$/, '');
}

function details(n: Notification, limits: SectionLimits): PagerDutyCustomDetails {
  const lines = (items: string[], max: number): string[] =>
    truncateLines(items, max).split('\n').filter(Boolean);
  const custom: PagerDutyCustomDetails = {
    kind: n.kind,
    service: n.service,
    deployment: n.deployment,
    generation: n.generation,
    drill: n.drill,
    summary: truncate(n.summary, limits.summary),
    dns_changes: n.dnsChanges.map((change) => {
      const entry: PagerDutyCustomDetails['dns_changes'][number] = {
        target: change.target,
        state: change.state,
        before: truncate(change.before.join('\n'), limits.dns),
        after: truncate(change.after.join('\n'), limits.dns),
      };
      if (change.changeId !== undefined) entry.change_id = change.changeId;
      if (change.error !== undefined) entry.error = truncate(redact(change.error), 2000);
      return entry;
    }),
    pools: lines(
      n.pools.map((p) => `${p.pool} ${p.change}: ${p.reason}`),
      limits.pools,
    ),
    votes: lines(
      n.votes.map((v) => `${v.region}: ${v.says}`),
      limits.votes,
    ),
    rules: n.rules,
    explanation: truncateLines(n.explanation, limits.explanation),
    notification_id: n.id,
  };
  if (n.drillId !== undefined) custom.drill_id = n.drillId;
  return custom;
}

export function pagerDutyBody(n: Notification, routingKey: string): PagerDutyBody {
  const links =
    n.statusPageUrl !== undefined && isHttpUrl(n.statusPageUrl)
      ? [{ href: n.statusPageUrl, text: 'Status page' }]
      : undefined;
  const summary = truncate(n.title, PAGERDUTY_LIMITS.summary);
  const source = `quorumdns/${n.deployment}/${n.service}`;
  const incident = n.drill ? undefined : n.incident;
  if (incident?.action === 'resolve') {
    return {
      routing_key: routingKey,
      event_action: 'resolve',
      dedup_key: truncate(incident.dedupKey, PAGERDUTY_LIMITS.dedupKey, ''),
    };
  }
  const base: SectionLimits = {
    summary: 4000,
    dns: 20_000,
    pools: 20_000,
    votes: 20_000,
    explanation: 100_000,
  };
  const build = (limits: SectionLimits): PagerDutyBody => {
    if (incident?.action === 'trigger') {
      const pool = n.pools.find((p) => p.change === 'drained')?.pool;
      return {
        routing_key: routingKey,
        event_action: 'trigger',
        dedup_key: truncate(incident.dedupKey, PAGERDUTY_LIMITS.dedupKey, ''),
        client: 'quorumdns',
        payload: {
          summary,
          source,
          severity: SEVERITY[n.severity],
          timestamp: formatTime(n.at),
          component: pool ?? n.service,
          group: n.service,
          class: n.kind,
          custom_details: details(n, limits),
        },
        ...(links !== undefined ? { links } : {}),
      };
    }
    return {
      routing_key: routingKey,
      payload: { summary, source, timestamp: formatTime(n.at), custom_details: details(n, limits) },
      ...(links !== undefined ? { links } : {}),
    };
  };
  return fitPayload(base, build, (body) => utf8Length(JSON.stringify(body)), PAGERDUTY_LIMITS.payloadBytes);
}

/** PagerDuty answers 202 `{"status":"success","message":"Event processed",...}`. */
export function checkPagerDutyAnswer(status: number, body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const answer = parsed as { status?: unknown; message?: unknown; errors?: unknown };
  if (answer.status === undefined || answer.status === 'success') return undefined;
  const errors = Array.isArray(answer.errors) ? `: ${answer.errors.map(String).join('; ')}` : '';
  return truncate(
    redact(`PagerDuty answered ${status} ${String(answer.status)} ${String(answer.message ?? '')}${errors}`),
    500,
  );
}

export const pagerDutyFormatter: ChannelFormatter = {
  type: 'pagerduty',
  format(n: Notification, secrets: ChannelSecrets, _now: number): FormattedRequest {
    if (secrets.routingKey === undefined || secrets.routingKey === '') {
      throw new MissingSecretError('a pagerduty channel needs a routing key (channel setting routingKey)');
    }
    const body = pagerDutyBody(n, secrets.routingKey);
    const path = 'event_action' in body ? PAGERDUTY_ALERT_PATH : PAGERDUTY_CHANGE_PATH;
    return {
      url: pagerDutyBase(secrets.url) + path,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    };
  },
  checkResponse: checkPagerDutyAnswer,
};
