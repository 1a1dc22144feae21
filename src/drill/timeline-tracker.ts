/**
 * Turns what a drill reads from Redis into timeline steps. Pure (no I/O): the runner reads a `DrillSnapshot`
 * per poll and hands it over, so the interpretation is tested with plain data.
 *
 * Where each step's time comes from (all Redis-clock ms, written by the process that did the step):
 * - first flip: the drilled endpoint's `last` observation (`recordedAt`) in the poll that first sees a region's
 *   opinion down with `drill: true`; when the streak shows the flip was some checks earlier, it is dated back by
 *   that many check intervals (and says so);
 * - quorum: the `pool-verdict` event (down) of the drilled pool; decision: the `decision-changed` event whose
 *   answer drains it (or, for a pool that served no traffic, its `pool-drained` event); a `drain-clamped`,
 *   `fail-open` or `freeze-held` event blocks it and names the rule;
 * - submitted / in sync: the apply processor's `applied` record of each target (`pending` with the
 *   generation: `updatedAt`; in sync: `appliedAt`); a dry drill's `dry-run` record is the planned step;
 * - notified: the notify hash's delivery history (`delivered\t<channel>`, src/notify/notify-cursor.ts) of the
 *   first message that carried news of the outage;
 * - pool up: the pool's `upSince` in the evaluator's state; failback: the `decision-changed` event that gives
 *   the pool its traffic back, then the targets' `applied` records of that generation.
 */
import type { Service } from '../config/types';
import { compareStreamIds } from '../evaluator/event-codec';
import type { ServiceRecord, StoredEvent } from '../evaluator/service-record';
import { routedChannels } from '../evaluator/notify-routing';
import { type DeliveryRecord, deliveredField, parseDeliveryRecords } from '../notify/notify-cursor';
import { type AppliedTarget, appliedField, targetLabel } from '../providers/applied-target';
import { configuredDecision } from '../quorum/configured-decision';
import type { Decision } from '../quorum/types';
import { type LastObservation, opinionField } from '../redis/keys';
import type { DrillTimeline } from './drill-timeline';

/** What one poll read. Hashes are raw (HGETALL); `undefined` when not read this time. */
export interface DrillSnapshot {
  /** Redis-clock ms of the read. */
  now: number;
  /** Events appended since the previous snapshot, oldest first. */
  events: StoredEvent[];
  record: ServiceRecord | undefined;
  /** The `applied` hash, parsed, by field. */
  applied: Map<string, AppliedTarget>;
  opinions?: Record<string, string>;
  last?: Record<string, string>;
  streaks?: Record<string, string>;
  notify?: Record<string, string>;
}

export interface TrackedTarget {
  provider: string;
  zone: string;
  /** `<provider>/<zone>`. */
  label: string;
  /** Field in the `applied` hash. */
  field: string;
}

export interface TrackerContext {
  service: Service;
  pools: readonly string[];
  mode: 'dry' | 'live';
  injectedAt: number;
  timeline: DrillTimeline;
  /** The evaluator's record when the drill started (undefined: never evaluated). */
  initialRecord: ServiceRecord | undefined;
  /** The opinions hash when the drill started. */
  initialOpinions: Record<string, string>;
  /**
   * What makes the pool fail: a drill overlay (default; only drill-tagged observations and events count) or a
   * real outage (the lab stops a data center: untagged failed observations and events count).
   */
  cause?: 'drill' | 'outage';
}

/** Events that tell people about the outage: a notification carrying one of them is "notified". */
const NEWS_KINDS = new Set([
  'pool-verdict',
  'pool-drained',
  'decision-changed',
  'drain-clamped',
  'fail-open',
  'endpoint-verdict',
]);

/** Events whose rule keeps a drilled pool serving: the failover is blocked, the drill fails honestly. */
const BLOCKING_KINDS: Record<string, string> = {
  'drain-clamped': 'max-drained-pools',
  'fail-open': 'fail-open',
  'freeze-held': 'freeze',
};

export class TimelineTracker {
  readonly targets: TrackedTarget[];
  /** Decision generation before the drill. */
  readonly generationBefore: number;
  /** Whether a drilled pool had traffic at the start: only then does DNS have to change. */
  readonly drilledHadTraffic: boolean;
  failoverGeneration: number | undefined;
  failbackGeneration: number | undefined;
  /** The rule that blocked the failover, with the event's message. */
  blocked: { rule: string; message: string } | undefined;
  restoredAt: number | undefined;
  private readonly downPools = new Set<string>();
  /** Ids of drill events that carry news of the outage, with the channels they are routed to. */
  private readonly news: Array<{ id: string; channels: string[] }> = [];
  /** Change ids seen on `dns-applied` events, by target and generation. */
  private readonly changeIds = new Map<string, string>();

  constructor(private readonly context: TrackerContext) {
    const { service, timeline, initialRecord } = context;
    this.targets = service.providers.map((target) => ({
      provider: target.provider,
      zone: target.zone,
      label: targetLabel(target.provider, target.zone),
      field: appliedField(target.provider, target.zone),
    }));
    this.generationBefore = initialRecord?.generation ?? 0;
    const decision: Decision = initialRecord?.state.decision ?? configuredDecision(service);
    this.drilledHadTraffic = decision.pools.some(
      (answer) => context.pools.includes(answer.pool) && answer.weight > 0,
    );
    const poolStates = context.pools.map((pool) => initialRecord?.state.pools[pool]);
    const alreadyDown = poolStates.every((state) => state?.verdict === 'down');
    const alreadyDrained = poolStates.every((state) => state !== undefined && !state.eligible);
    const pools = context.pools.join(', ');

    timeline.record('injected', `injected: pool ${pools} reported failing`, {
      status: 'done',
      at: context.injectedAt,
    });
    if (this.flipCandidates().length === 0) {
      timeline.record('first-flip', 'first opinion flip', {
        status: 'skipped',
        detail: 'every region already said down of every drilled endpoint',
      });
    } else timeline.expect('first-flip', 'first opinion flip (a probe region says down)');
    if (alreadyDown) {
      timeline.record('quorum', 'quorum verdict: pool down', {
        status: 'skipped',
        detail: `the quorum already had pool ${pools} down before the drill`,
      });
      for (const pool of context.pools) this.downPools.add(pool);
    } else timeline.expect('quorum', `quorum verdict: pool ${pools} down`);
    if (alreadyDrained) {
      timeline.record('decision', 'decision: pool drained', {
        status: 'skipped',
        detail: `pool ${pools} was already drained before the drill`,
      });
    } else timeline.expect('decision', `decision: pool ${pools} drained`);

    const dnsSkip = this.dnsSkipReason(alreadyDrained);
    if (this.targets.length === 0) {
      timeline.record('submitted', 'change submitted', {
        status: 'skipped',
        detail: 'the service has no provider target',
      });
    }
    for (const target of this.targets) {
      const where = `(${target.label})`;
      if (dnsSkip !== undefined) {
        timeline.record(
          'submitted',
          `change submitted ${where}`,
          { status: 'skipped', detail: dnsSkip },
          target.label,
        );
        timeline.record(
          'in-sync',
          `provider in sync ${where}`,
          { status: 'skipped', detail: dnsSkip },
          target.label,
        );
      } else if (context.mode === 'dry') {
        timeline.expect('submitted', `change planned, not applied (dry) ${where}`, target.label);
        timeline.record(
          'in-sync',
          `provider in sync ${where}`,
          { status: 'skipped', detail: 'dry drill: DNS is not changed' },
          target.label,
        );
      } else {
        timeline.expect('submitted', `change submitted ${where}`, target.label);
        timeline.expect('in-sync', `provider in sync ${where}`, target.label);
      }
    }
    if (dnsSkip !== undefined || this.targets.length === 0) {
      timeline.record('answer', 'answer changed at the name servers', {
        status: 'skipped',
        detail: dnsSkip ?? 'the service has no provider target',
      });
    } else if (context.mode === 'dry') {
      timeline.record('answer', 'answer changed at the name servers', {
        status: 'skipped',
        detail: 'dry drill: DNS is not changed',
      });
    } else timeline.expect('answer', 'answer changed at the name servers');

    if (service.notify.length === 0) {
      timeline.record('notified', 'notification delivered', {
        status: 'skipped',
        detail: 'the service has no notification route',
      });
    } else timeline.expect('notified', 'notification delivered');

    timeline.expect('restored', 'drill overlay removed (restore)');
    timeline.expect('pool-up', `quorum verdict: pool ${pools} up`);
    const failbackSkip = this.failbackSkipReason(alreadyDrained);
    if (failbackSkip !== undefined) {
      timeline.record('failback-decision', 'failback decision', { status: 'skipped', detail: failbackSkip });
    } else timeline.expect('failback-decision', `failback decision: pool ${pools} serves again`);
    for (const target of this.targets) {
      const label = `failback applied (${target.label})`;
      if (failbackSkip !== undefined || dnsSkip !== undefined || context.mode === 'dry') {
        timeline.record(
          'failback-applied',
          label,
          { status: 'skipped', detail: failbackSkip ?? dnsSkip ?? 'dry drill: DNS is not changed' },
          target.label,
        );
      } else timeline.expect('failback-applied', label, target.label);
    }
  }

  private dnsSkipReason(alreadyDrained: boolean): string | undefined {
    if (alreadyDrained)
      return `pool ${this.context.pools.join(', ')} was already drained: DNS does not change`;
    if (!this.drilledHadTraffic) {
      return `pool ${this.context.pools.join(', ')} serves no traffic in the current answer: DNS does not change`;
    }
    return undefined;
  }

  private failbackSkipReason(alreadyDrained: boolean): string | undefined {
    const { service, mode } = this.context;
    if (alreadyDrained) return 'the pool was drained before the drill: there is nothing to fail back';
    if (mode === 'dry') {
      return 'dry drill: judged up to the decision; the failback follows the restore after failbackAfter';
    }
    if (service.safety.failback === 'manual') {
      return `failback is manual: pool ${this.context.pools.join(', ')} stays drained until an operator restores it`;
    }
    return undefined;
  }

  /** (endpoint, region) pairs of the drilled pools whose opinion was not already down. */
  private flipCandidates(): Array<{ field: string; endpoint: string; interval: number }> {
    const { service, pools, initialOpinions } = this.context;
    const candidates: Array<{ field: string; endpoint: string; interval: number }> = [];
    for (const pool of service.pools) {
      if (!pools.includes(pool.name)) continue;
      for (const endpoint of pool.endpoints) {
        for (const region of service.probeRegions) {
          const field = opinionField(endpoint.id, region);
          if (initialOpinions[field] !== 'down') {
            candidates.push({ field, endpoint: endpoint.id, interval: endpoint.check.interval });
          }
        }
      }
    }
    return candidates;
  }

  /** Whether the poll should still read opinions (first flip) and the notify hash. */
  get wantsOpinions(): boolean {
    return this.context.timeline.isPending('first-flip');
  }

  get wantsNotify(): boolean {
    return this.context.timeline.isPending('notified');
  }

  /** Marks the restore (the overlay is gone); from now on failback steps are looked for. */
  markRestored(at: number, detail?: string): void {
    this.restoredAt = at;
    this.context.timeline.resolve('restored', { status: 'done', at, ...(detail ? { detail } : {}) });
  }

  update(snapshot: DrillSnapshot): void {
    // Opinions first: a flip precedes the verdicts and decisions it causes (and is heard first when live).
    if (snapshot.opinions !== undefined) this.lookForFlip(snapshot);
    for (const event of snapshot.events) this.onEvent(event);
    this.lookAtApplied(snapshot.applied);
    this.lookForPoolUp(snapshot.record);
    if (snapshot.notify !== undefined) this.lookForDelivery(snapshot.notify, snapshot.now);
  }

  private onEvent(event: StoredEvent): void {
    const { timeline, pools } = this.context;
    if (event.at < this.context.injectedAt) return;
    const drilledPool = event.pool !== undefined && pools.includes(event.pool);
    const causedHere = (event.drill === true) === ((this.context.cause ?? 'drill') === 'drill');
    // News of the outage: the drain and what led to it, never an `info` event (an endpoint seen up again).
    const news = event.severity !== 'info' && NEWS_KINDS.has(event.kind);
    if (causedHere && news && (event.pool === undefined || drilledPool)) {
      const channels = routedChannels(this.context.service, event.severity);
      if (channels.length > 0) this.news.push({ id: event.id, channels });
    }
    switch (event.kind) {
      case 'pool-verdict':
        if (drilledPool && event.severity === 'warning' && this.restoredAt === undefined) {
          this.downPools.add(event.pool as string);
          if (pools.every((pool) => this.downPools.has(pool))) {
            timeline.resolve('quorum', { status: 'done', at: event.at, detail: event.message });
          }
        }
        return;
      case 'decision-changed': {
        const after = event.decision?.after;
        if (after === undefined) return;
        const weights = pools.map((pool) => after.pools.find((answer) => answer.pool === pool)?.weight ?? 0);
        if (this.restoredAt === undefined && this.drilledHadTraffic && weights.every((w) => w === 0)) {
          if (timeline.resolve('decision', { status: 'done', at: event.at, detail: event.message })) {
            this.failoverGeneration = event.generation;
          }
        } else if (
          this.restoredAt !== undefined &&
          this.failoverGeneration !== undefined &&
          weights.some((w) => w > 0)
        ) {
          if (
            timeline.resolve('failback-decision', { status: 'done', at: event.at, detail: event.message })
          ) {
            this.failbackGeneration = event.generation;
          }
        }
        return;
      }
      case 'pool-drained':
        if (drilledPool && !this.drilledHadTraffic && this.restoredAt === undefined) {
          timeline.resolve('decision', {
            status: 'done',
            at: event.at,
            detail: `${event.message} (the pool served no traffic: the answer does not change)`,
          });
        }
        return;
      case 'pool-restored':
        if (drilledPool && !this.drilledHadTraffic && this.restoredAt !== undefined) {
          timeline.resolve('failback-decision', { status: 'done', at: event.at, detail: event.message });
        }
        return;
      case 'dns-applied':
        if (event.dns?.changeId !== undefined) {
          this.changeIds.set(`${event.dns.target}\t${event.generation}`, event.dns.changeId);
        }
        return;
      case 'dns-apply-failed':
        if (event.dns !== undefined) {
          const step = this.failbackGeneration !== undefined ? 'failback-applied' : 'in-sync';
          timeline.note(step, `apply failed: ${event.message}`, event.dns.target);
        }
        return;
      default: {
        const rule = BLOCKING_KINDS[event.kind];
        if (rule === undefined || this.restoredAt !== undefined) return;
        if (event.kind === 'drain-clamped' && !drilledPool) return;
        if (timeline.resolve('decision', { status: 'blocked', at: event.at, rule, detail: event.message })) {
          this.blocked = { rule, message: event.message };
          const why = `no failover: rule ${rule} kept pool ${pools.join(', ')} serving`;
          for (const target of this.targets) {
            timeline.resolve('submitted', { status: 'skipped', detail: why }, target.label);
            timeline.resolve('in-sync', { status: 'skipped', detail: why }, target.label);
            timeline.resolve('failback-applied', { status: 'skipped', detail: why }, target.label);
          }
          timeline.resolve('answer', { status: 'skipped', detail: why });
          timeline.resolve('failback-decision', { status: 'skipped', detail: why });
        }
      }
    }
  }

  private lookForFlip(snapshot: DrillSnapshot): void {
    const opinions = snapshot.opinions ?? {};
    let earliest: { at: number; field: string; estimated: boolean } | undefined;
    for (const candidate of this.flipCandidates()) {
      if (opinions[candidate.field] !== 'down') continue;
      const last = parseLast(snapshot.last?.[candidate.field]);
      if (last === undefined || (this.context.cause === 'outage' ? last.ok : last.drill !== true)) continue;
      // The observation that flipped the opinion made the streak exactly -failureThreshold; a longer streak
      // means later checks overwrote it, each about one interval later.
      const streak = Number(snapshot.streaks?.[candidate.field] ?? NaN);
      const extra = Number.isFinite(streak)
        ? Math.max(0, -streak - this.context.service.failureThreshold)
        : 0;
      const at = Math.max(this.context.injectedAt, last.recordedAt - extra * candidate.interval);
      if (earliest === undefined || at < earliest.at)
        earliest = { at, field: candidate.field, estimated: extra > 0 };
    }
    if (earliest === undefined) return;
    const [endpoint, region] = earliest.field.split('\t');
    this.context.timeline.resolve('first-flip', {
      status: 'done',
      at: earliest.at,
      detail: `${region} says ${endpoint} is down${earliest.estimated ? ' (time estimated from the streak)' : ''}`,
    });
  }

  private lookAtApplied(applied: Map<string, AppliedTarget>): void {
    const { timeline, mode } = this.context;
    for (const target of this.targets) {
      const record = applied.get(target.field);
      if (record === undefined) continue;
      const failover = this.failoverGeneration;
      if (failover !== undefined && mode === 'dry') {
        if (record.syncState === 'dry-run' && (record.attemptedGeneration ?? -1) >= failover) {
          timeline.resolve(
            'submitted',
            { status: 'done', at: record.updatedAt, detail: 'planned, nothing changed' },
            target.label,
          );
        }
      } else if (failover !== undefined) {
        this.lookAtFailoverApply(target, record, failover);
      }
      const failback = this.failbackGeneration;
      if (failback !== undefined && record.generation !== null && record.generation >= failback) {
        timeline.resolve(
          'failback-applied',
          {
            status: 'done',
            at: record.appliedAt ?? record.updatedAt,
            detail: this.changeText(target, failback),
          },
          target.label,
        );
      } else if (
        failback !== undefined &&
        record.syncState === 'failed' &&
        (record.attemptedGeneration ?? -1) >= failback
      ) {
        timeline.note(
          'failback-applied',
          `apply failed: ${record.error?.code ?? ''} ${record.error?.message ?? ''}`,
          target.label,
        );
      }
    }
  }

  private lookAtFailoverApply(target: TrackedTarget, record: AppliedTarget, generation: number): void {
    const { timeline } = this.context;
    if (record.syncState === 'pending' && (record.attemptedGeneration ?? -1) >= generation) {
      timeline.resolve(
        'submitted',
        { status: 'done', at: record.updatedAt, detail: `change ${record.changeIds.join(', ') || '(none)'}` },
        target.label,
      );
    }
    if (record.generation !== null && record.generation >= generation) {
      const at = record.appliedAt ?? record.updatedAt;
      timeline.resolve(
        'submitted',
        {
          status: 'done',
          at,
          detail: `${this.changeText(target, generation)}; its pending state fell between two polls`,
        },
        target.label,
      );
      timeline.resolve(
        'in-sync',
        { status: 'done', at, detail: this.changeText(target, generation) },
        target.label,
      );
    } else if (record.syncState === 'failed' && (record.attemptedGeneration ?? -1) >= generation) {
      const error = `apply failed: ${record.error?.code ?? 'error'}: ${record.error?.message ?? ''}`;
      timeline.note('submitted', error, target.label);
      timeline.note('in-sync', error, target.label);
    }
  }

  private changeText(target: TrackedTarget, generation: number): string {
    const changeId = this.changeIds.get(`${target.label}\t${generation}`);
    return `generation ${generation}${changeId !== undefined ? `, change ${changeId}` : ''}`;
  }

  private lookForPoolUp(record: ServiceRecord | undefined): void {
    const restoredAt = this.restoredAt;
    if (restoredAt === undefined || record === undefined) return;
    const { pools, timeline } = this.context;
    const states = pools.map((pool) => record.state.pools[pool]);
    if (!states.every((state) => state?.verdict === 'up')) return;
    if (this.downPools.size === 0) {
      timeline.resolve('pool-up', {
        status: 'skipped',
        detail: 'the quorum never had the pool down during the drill',
      });
      return;
    }
    const since = Math.max(...states.map((state) => state?.upSince ?? record.evaluatedAt));
    timeline.resolve('pool-up', { status: 'done', at: Math.max(since, restoredAt) });
  }

  private lookForDelivery(notify: Record<string, string>, now: number): void {
    if (this.news.length === 0) return;
    let first: { at: number; detail: string } | undefined;
    for (const news of this.news) {
      for (const channel of news.channels) {
        const history = notify[deliveredField(channel)];
        if (history !== undefined) {
          const record = parseDeliveryRecords(history).find(
            (delivery) => delivery.at >= this.context.injectedAt && carries(delivery, news.id),
          );
          if (record !== undefined && (first === undefined || record.at < first.at)) {
            first = {
              at: record.at,
              detail: `to ${channel}${record.notificationId ? ` (notification ${record.notificationId})` : ''}`,
            };
          }
          continue;
        }
        // A notify worker that keeps no delivery history: the cursor says delivered, timed by this poll.
        const cursor = parseCursor(notify[channel]);
        if (cursor?.lastOutcome === 'delivered' && compareStreamIds(news.id, cursor.lastEventId) <= 0) {
          if (first === undefined || now < first.at) {
            first = { at: now, detail: `to ${channel} (time seen by the drill's poll)` };
          }
        }
      }
    }
    if (first !== undefined) this.context.timeline.resolve('notified', { status: 'done', ...first });
  }
}

function carries(delivery: DeliveryRecord, id: string): boolean {
  const afterStart = delivery.after === '' || compareStreamIds(id, delivery.after) > 0;
  return afterStart && compareStreamIds(id, delivery.through) <= 0;
}

function parseLast(text: string | undefined): LastObservation | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<LastObservation> | null;
    return value !== null && typeof value.recordedAt === 'number' ? (value as LastObservation) : undefined;
  } catch {
    return undefined;
  }
}

function parseCursor(text: string | undefined): { lastEventId: string; lastOutcome: string } | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { lastEventId?: unknown; lastOutcome?: unknown } | null;
    if (typeof value?.lastEventId !== 'string' || typeof value.lastOutcome !== 'string') return undefined;
    return { lastEventId: value.lastEventId, lastOutcome: value.lastOutcome };
  } catch {
    return undefined;
  }
}
