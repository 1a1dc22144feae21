/**
 * The write path shared by `freeze`, `unfreeze` and `override`: store or remove an override, write the audit
 * event (who, why, until when) to the service's event log, and ask for an evaluation so the change takes
 * effect at once. Times are on the Redis clock, the one the evaluator judges expiry with.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Millis, Service } from '../config/types';
import { EventLog } from '../evaluator/event-log';
import { OverrideStore } from '../evaluator/override-store';
import { redisTimeMs } from '../evaluator/redis-time';
import type { StoredEventInput } from '../evaluator/service-record';
import { formatDuration, formatTime } from '../quorum/format-duration';
import type { ForcePoolOverride, FreezeOverride, Override } from '../quorum/types';
import type { RedisKeyLayout } from '../redis/keys';
import { overrideEffect } from '../status/render-overrides';
import { requestEvaluation } from './request-evaluation';
import { generationInForce } from './generation-in-force';

export interface OperatorChangeContext {
  redis: Redis;
  keys: RedisKeyLayout;
  service: Service;
  /** Who acts (`--by` or the OS user). */
  by: string;
}

/**
 * An operator event as written to the stream. `expiresAt` is an audit field beyond `StoredEvent` (the stream
 * keeps unknown fields), so scripts reading the log see until when a change was meant to hold.
 */
export type OperatorEventInput = StoredEventInput & { expiresAt?: number };

export type OverrideRequest =
  | { kind: 'freeze'; reason: string; duration: Millis }
  | { kind: 'force-pool'; pool: string; direction: 'in' | 'out'; reason: string; duration: Millis };

export interface OverrideChange {
  override: Override;
  eventId: string;
}

/** Short, typeable ids for `--clear <id>`: `freeze-3f9c2a`, `drain-91ab02`, `restore-77c0de`. */
export function newOverrideId(request: Pick<OverrideRequest, 'kind'> & { direction?: 'in' | 'out' }): string {
  const word = request.kind === 'freeze' ? 'freeze' : request.direction === 'out' ? 'drain' : 'restore';
  return `${word}-${randomBytes(3).toString('hex')}`;
}

/** Stores a new override, writes its audit event and asks for an evaluation. */
export async function setOverride(
  context: OperatorChangeContext,
  request: OverrideRequest,
): Promise<OverrideChange> {
  const { redis, keys, service, by } = context;
  const now = await redisTimeMs(redis);
  const common = { by, reason: request.reason, createdAt: now, expiresAt: now + request.duration };
  const override: Override =
    request.kind === 'freeze'
      ? ({ kind: 'freeze', id: newOverrideId(request), ...common } satisfies FreezeOverride)
      : ({
          kind: 'force-pool',
          id: newOverrideId(request),
          pool: request.pool,
          direction: request.direction,
          ...common,
        } satisfies ForcePoolOverride);
  await new OverrideStore(redis, keys).set(service.name, override);
  const [what, effect] =
    override.kind === 'freeze'
      ? ['frozen', 'no automatic DNS change is published']
      : override.direction === 'out'
        ? [`pool ${override.pool} forced out`, 'drained whatever the quorum says']
        : [`pool ${override.pool} forced in`, 'kept serving whatever the quorum says'];
  const [eventId] = await appendEvents(context, now, [
    {
      kind: 'override-set',
      severity: 'warning',
      rule: override.kind === 'freeze' ? 'freeze' : 'override',
      override: override.id,
      ...(override.kind === 'force-pool' ? { pool: override.pool } : {}),
      message:
        `${service.name}: ${what} by ${by} for ${formatDuration(request.duration)} ` +
        `(until ${formatTime(common.expiresAt)}): ${effect}; override ${override.id}`,
      by,
      reason: request.reason,
      expiresAt: common.expiresAt,
    },
  ]);
  await requestEvaluation(redis, keys, service.name, `cli:${by}`);
  return { override, eventId: eventId ?? '' };
}

/**
 * Removes overrides (they are in force, the caller just listed them), writes one audit event per removed
 * override and asks for one evaluation. Returns the ones actually removed (another operator may have
 * removed one in between).
 */
export async function removeOverrides(
  context: OperatorChangeContext,
  overrides: readonly Override[],
  reason: string | undefined,
): Promise<Override[]> {
  const { redis, keys, service, by } = context;
  const store = new OverrideStore(redis, keys);
  const removed: Override[] = [];
  for (const override of overrides) {
    if (await store.remove(service.name, override.id)) removed.push(override);
  }
  if (removed.length === 0) return removed;
  const now = await redisTimeMs(redis);
  await appendEvents(
    context,
    now,
    removed.map((override) => ({
      kind: 'override-removed',
      severity: 'info',
      rule: override.kind === 'freeze' ? 'freeze' : 'override',
      override: override.id,
      ...(override.kind === 'force-pool' ? { pool: override.pool } : {}),
      message:
        `${service.name}: override ${override.id} (${overrideEffect(override)}) removed by ${by}; ` +
        `it was set by ${override.by}: ${JSON.stringify(override.reason)}`,
      by,
      ...(reason !== undefined ? { reason } : {}),
    })),
  );
  await requestEvaluation(redis, keys, service.name, `cli:${by}`);
  return removed;
}

/** The active overrides of a service on the Redis clock. */
export async function activeOverridesOf(
  redis: Redis,
  keys: RedisKeyLayout,
  service: string,
): Promise<{ now: number; overrides: Override[] }> {
  const now = await redisTimeMs(redis);
  return { now, overrides: await new OverrideStore(redis, keys).list(service, now) };
}

type EventDraft = Omit<OperatorEventInput, 'service' | 'at' | 'generation'>;

async function appendEvents(
  context: OperatorChangeContext,
  now: number,
  drafts: EventDraft[],
): Promise<string[]> {
  const { redis, keys, service } = context;
  const generation = await generationInForce(redis, keys, service.name);
  const events: OperatorEventInput[] = drafts.map((draft) => ({
    ...draft,
    service: service.name,
    at: now,
    generation,
  }));
  return new EventLog(redis, keys).append(service.name, events);
}
