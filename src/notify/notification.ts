/**
 * A notification: one message about one service, built from the events of one decision (or of one quiet
 * period), independent of any chat platform. Channel formatters (src/notify/channels/) turn it into each
 * platform's payload; the generic webhook sends it as JSON (its `version` is part of the public contract).
 */
import type { Severity } from '../config/types';
import type { RuleName } from '../quorum/types';

export type NotificationKind =
  /** One or more pools drained: traffic moved away. */
  | 'failover'
  /** One or more pools restored: traffic moved back. */
  | 'failback'
  /** Weights or serving set changed otherwise (weighted / all-healthy services). */
  | 'decision'
  /** No pool is healthy: the last good answer keeps being served. Critical. */
  | 'fail-open'
  | 'fail-open-cleared'
  /** A provider target could not be updated. */
  | 'apply-failed'
  /** An operator set or removed an override, or one expired. */
  | 'override'
  | 'drill-started'
  | 'drill-ended'
  /** An operator stopped a drill (`quorumdns drill stop`). */
  | 'drill-stopped'
  /** A pool is still drained (`repeatEvery`). */
  | 'reminder'
  /** `quorumdns notify test <channel>`. */
  | 'test'
  /** Anything else routed to the channel (verdict changes, suspect or stale regions). */
  | 'info';

/** What one provider target's DNS answer did (or will do). */
export interface NotificationDnsChange {
  /** `<provider type> <provider name>/<zone>`, e.g. `route53 aws-main/Z0123`. */
  target: string;
  /** One line per record set, e.g. `api.example.com A 192.0.2.10, 192.0.2.11`. */
  before: string[];
  after: string[];
  /** `planned` at decision time; `applied` / `failed` once the apply processor reported. */
  state: 'planned' | 'applied' | 'failed';
  changeId?: string;
  error?: string;
}

export interface NotificationPoolChange {
  pool: string;
  change: 'drained' | 'restored' | 'held' | 'forced-out' | 'forced-in';
  /** Why, one sentence. */
  reason: string;
}

/** How one probe region voted on the pools that changed. */
export interface NotificationVote {
  region: string;
  /** e.g. `down: use1-a, use1-b` / `up` / `stale (last heartbeat 42 s ago)` / `suspect`. */
  says: string;
}

export interface Notification {
  /** Version of this JSON shape (the generic webhook's body carries it). */
  version: 1;
  /** Stable id: same events -> same id (receivers can deduplicate). */
  id: string;
  kind: NotificationKind;
  severity: Severity;
  /** Deployment id (config `deployment.id`). */
  deployment: string;
  service: string;
  /** One line, e.g. `api: failover aws-use1 -> gcp-euw1`. Drills are prefixed `[DRILL]`. */
  title: string;
  /** One or two sentences a person reads first. */
  summary: string;
  drill: boolean;
  /** Drill id, when `drill`. */
  drillId?: string;
  /** Decision generation in force. */
  generation: number;
  /** Epoch ms of the newest event included. */
  at: number;
  dnsChanges: NotificationDnsChange[];
  pools: NotificationPoolChange[];
  votes: NotificationVote[];
  /** The rules that fired (quorum, fail-open, max-drained-pools, flap-damping, override, ...). */
  rules: RuleName[];
  /** Explanation lines of the decision (may be long: formatters truncate to their platform's limits). */
  explanation: string[];
  /** The stream ids of the events this message covers. */
  eventIds: string[];
  /** Config `deployment.statusPageUrl`. */
  statusPageUrl?: string;
  /**
   * For incident tools (PagerDuty): `trigger` opens an incident, `resolve` closes the one with the same
   * `dedupKey`. Absent for purely informational messages.
   */
  incident?: { action: 'trigger' | 'resolve'; dedupKey: string };
}
