/**
 * Everything `quorumdns status` shows, read for several services in ONE pipelined round trip (plus a second
 * one only when a drill overlay is stored as a hash): the evaluator's record, opinions, streaks and last
 * observations, heartbeats, overrides, the drill overlay and the newest events, with the Redis server time
 * in the same pipeline so every age is measured on the clock the evaluator uses.
 *
 * Values are parsed with the evaluator's own validators. A corrupt value becomes a `problems` line of its
 * service instead of failing the whole command: status is what an operator runs during an incident.
 */
import type { Redis } from 'ioredis';
import type { Config, EndpointTarget, Service } from '../config/types';
import { CorruptDataError } from '../evaluator/errors';
import { decodeEvent, type StreamEntry } from '../evaluator/event-codec';
import { parseOverrideHash } from '../evaluator/override-store';
import type { ServiceRecord, StoredEvent } from '../evaluator/service-record';
import { parseStateHash } from '../evaluator/state-store';
import { servesAnything } from '../quorum/decision-shape';
import { isOverrideActive } from '../quorum/overrides';
import { regionLiveness } from '../quorum/region-liveness';
import { targetStatuses } from './target-status';
import type { Override } from '../quorum/types';
import {
  type HeartbeatRecord,
  type LastObservation,
  opinionField,
  type RedisKeyLayout,
  type StoredOpinion,
} from '../redis/keys';
import {
  type DrillView,
  type EndpointStatusView,
  type OpinionCell,
  type OverrideView,
  type PoolStatusView,
  type ProviderTargetStatus,
  type RecordStatus,
  type RegionStatusView,
  type ServiceStatus,
  STATUS_SCHEMA_VERSION,
  type StatusSnapshot,
} from './snapshot-types';

/** How many of each service's newest events status shows unless told otherwise. */
export const DEFAULT_STATUS_EVENTS = 10;

export interface StatusSnapshotOptions {
  redis: Redis;
  keys: RedisKeyLayout;
  config: Config;
  /** The services to read, in the order they are shown. */
  services: Service[];
  /** Newest events per service. @defaultValue DEFAULT_STATUS_EVENTS */
  eventCount?: number;
}

type Hash = Record<string, string>;
type Reply = [Error | null, unknown];

/** The per-service commands of the pipeline, in this order. */
const PER_SERVICE = [
  'state',
  'opinions',
  'streaks',
  'last',
  'overrides',
  'events',
  'drill',
  'drillTtl',
  'applied',
] as const;

export async function readStatusSnapshot(options: StatusSnapshotOptions): Promise<StatusSnapshot> {
  const { redis, keys, config, services } = options;
  const eventCount = options.eventCount ?? DEFAULT_STATUS_EVENTS;
  const pipeline = redis.pipeline();
  pipeline.time();
  pipeline.hgetall(keys.heartbeats);
  for (const service of services) {
    const k = keys.service(service.name);
    pipeline.hgetall(k.state);
    pipeline.hgetall(k.opinions);
    pipeline.hgetall(k.streaks);
    pipeline.hgetall(k.last);
    pipeline.hgetall(k.overrides);
    if (eventCount > 0) pipeline.xrevrange(k.events, '+', '-', 'COUNT', eventCount);
    else pipeline.echo('no events asked for');
    // GET answers WRONGTYPE for a hash overlay; that one case costs a second round trip below.
    pipeline.get(k.drill);
    pipeline.pttl(k.drill);
    pipeline.hgetall(k.applied);
  }
  const replies = ((await pipeline.exec()) ?? []) as Reply[];
  const now = redisTime(value(replies[0]));
  const heartbeatProblems = new Map<string, string>();
  const heartbeats = parseHeartbeats(keys.heartbeats, hashOf(value(replies[1])), heartbeatProblems);

  const statuses: ServiceStatus[] = [];
  for (const [index, service] of services.entries()) {
    const base = 2 + index * PER_SERVICE.length;
    const reply = (name: (typeof PER_SERVICE)[number]): Reply =>
      replies[base + PER_SERVICE.indexOf(name)] ?? [new Error('no reply from Redis'), null];
    const k = keys.service(service.name);
    const problems = service.probeRegions.flatMap((region) => heartbeatProblems.get(region) ?? []);
    const record = guard(problems, () => parseStateHash(k.state, hashOf(value(reply('state')))));
    const overrides =
      guard(problems, () => parseOverrideHash(k.overrides, hashOf(value(reply('overrides'))))) ?? [];
    const events = eventCount > 0 ? decodeEvents(k.events, value(reply('events')), problems) : [];
    const drill = await readDrill(redis, k.drill, reply('drill'), reply('drillTtl'), problems);
    const targets = targetStatuses({
      config,
      service,
      decisionGeneration: record?.record.generation ?? 0,
      applied: hashOf(value(reply('applied'))),
      appliedKey: k.applied,
      problems,
    });
    statuses.push(
      serviceStatus({
        config,
        service,
        now,
        record: record?.record,
        opinions: hashOf(value(reply('opinions'))),
        streaks: hashOf(value(reply('streaks'))),
        last: hashOf(value(reply('last'))),
        lastKey: k.last,
        heartbeats,
        overrides,
        events,
        drill,
        targets,
        problems,
      }),
    );
  }
  return {
    schemaVersion: STATUS_SCHEMA_VERSION,
    generatedAt: now,
    deployment: {
      id: config.deployment.id,
      keyPrefix: config.deployment.redis.keyPrefix,
      configHash: config.hash,
    },
    services: statuses,
  };
}

interface ServiceFacts {
  config: Config;
  service: Service;
  now: number;
  record: ServiceRecord | undefined;
  opinions: Hash;
  streaks: Hash;
  last: Hash;
  lastKey: string;
  heartbeats: Map<string, HeartbeatRecord>;
  overrides: Override[];
  events: StoredEvent[];
  drill: DrillView | null;
  targets: ProviderTargetStatus[];
  problems: string[];
}

function serviceStatus(facts: ServiceFacts): ServiceStatus {
  const { service, record } = facts;
  const regions = regionViews(facts);
  const staleRegions = new Set(regions.filter((region) => region.status === 'stale').map((r) => r.region));
  return {
    service: service.name,
    dnsNames: [...service.dnsNames],
    recordType: service.recordType,
    policy: service.policy,
    quorum: service.quorum,
    staleAfter: service.staleAfter,
    evaluated: record !== undefined,
    record: record === undefined ? null : recordStatus(record, facts.config),
    pools: poolViews(service, record),
    regions,
    endpoints: endpointViews(facts, staleRegions),
    overrides: facts.overrides
      .filter((override) => isOverrideActive(override, facts.now))
      .map((override): OverrideView => ({
        ...override,
        remainingMs: override.expiresAt === undefined ? null : override.expiresAt - facts.now,
      })),
    drill: facts.drill,
    events: facts.events,
    targets: facts.targets,
    problems: facts.problems,
  };
}

function recordStatus(record: ServiceRecord, config: Config): RecordStatus {
  const decision = record.state.decision;
  return {
    generation: record.generation,
    decidedAt: record.decidedAt,
    evaluatedAt: record.evaluatedAt,
    evaluatedBy: record.evaluatedBy,
    configHash: record.configHash,
    configCurrent: record.configHash === config.hash,
    decision,
    serving: servesAnything(decision)
      ? decision.pools.filter((pool) => pool.weight > 0 && pool.endpoints.length > 0).map((pool) => pool.pool)
      : [],
    failOpen: record.state.failOpen,
    suspectRegions: [...record.state.suspectRegions],
    explanation: {
      evaluatedAt: record.explanation.evaluatedAt,
      lines: [...record.explanation.lines],
      rules: [...record.explanation.rules],
    },
  };
}

function poolViews(service: Service, record: ServiceRecord | undefined): PoolStatusView[] {
  return service.pools.map((pool) => {
    const explained = record?.explanation.pools.find((candidate) => candidate.pool === pool.name);
    const answer = record?.state.decision.pools.find((candidate) => candidate.pool === pool.name);
    const verdict = record?.state.pools[pool.name]?.verdict ?? explained?.verdict ?? null;
    return {
      pool: pool.name,
      priority: pool.priority,
      configuredWeight: pool.weight,
      verdict,
      status: explained?.status ?? null,
      weight: answer?.weight ?? (record === undefined ? null : 0),
      failbackIn: explained?.failbackIn ?? null,
      upCount: explained?.upCount ?? null,
      downCount: explained?.downCount ?? null,
      unknownCount: explained?.unknownCount ?? null,
      minHealthy: explained?.minHealthy ?? null,
      line: explained?.line ?? null,
    };
  });
}

function regionViews(facts: ServiceFacts): RegionStatusView[] {
  const { service, now, heartbeats } = facts;
  const ages: Record<string, number> = {};
  for (const region of service.probeRegions) {
    const beat = heartbeats.get(region);
    // A beat from "the future" (clock arithmetic across a Redis failover) counts as fresh, as in the core.
    if (beat !== undefined) ages[region] = Math.max(0, now - beat.time);
  }
  const liveness = regionLiveness(service, ages);
  const suspects = new Set(facts.record?.state.suspectRegions ?? []);
  return service.probeRegions.map((region) => {
    const beat = heartbeats.get(region);
    return {
      region,
      status: liveness.live.includes(region) ? 'live' : 'stale',
      suspect: suspects.has(region),
      heartbeatAge: ages[region] ?? null,
      lastHeartbeatAt: beat?.time ?? null,
      worker: beat?.workerId ?? null,
      version: beat?.version ?? null,
      configHash: beat?.configHash ?? null,
    };
  });
}

function endpointViews(facts: ServiceFacts, staleRegions: ReadonlySet<string>): EndpointStatusView[] {
  const { service, record } = facts;
  const reportedLast = new Set<string>();
  return service.pools.flatMap((pool) =>
    pool.endpoints.map((endpoint) => {
      const opinions: Record<string, OpinionCell> = {};
      for (const region of service.probeRegions) {
        const field = opinionField(endpoint.id, region);
        const last = parseLast(facts.lastKey, field, facts.last[field], facts.problems, reportedLast);
        const streakText = facts.streaks[field];
        const streak = streakText !== undefined && /^-?\d+$/.test(streakText) ? Number(streakText) : null;
        opinions[region] = {
          opinion: storedOpinion(facts.opinions[field]),
          stale: staleRegions.has(region),
          streak,
          lastCheckAt: last?.recordedAt ?? null,
          lastOk: last?.ok ?? null,
          failureClass: last && !last.ok ? (last.class ?? null) : null,
          detail: last && !last.ok ? (last.detail ?? null) : null,
          latencyMs: last?.latency ?? null,
          drill: last?.drill === true,
        };
      }
      return {
        endpoint: endpoint.id,
        pool: pool.name,
        target: describeTarget(endpoint.target),
        verdict: record?.state.endpoints[endpoint.id] ?? null,
        opinions,
      };
    }),
  );
}

function describeTarget(target: EndpointTarget): string {
  switch (target.kind) {
    case 'address':
      return target.address;
    case 'cname':
      return target.cname;
    case 'alias':
      return target.dnsName;
  }
}

function storedOpinion(text: string | undefined): StoredOpinion {
  return text === 'up' || text === 'down' ? text : 'unknown';
}

function parseLast(
  key: string,
  field: string,
  text: string | undefined,
  problems: string[],
  reported: Set<string>,
): LastObservation | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (isRecord(value) && typeof value.ok === 'boolean' && typeof value.recordedAt === 'number') {
      return value as unknown as LastObservation;
    }
  } catch {
    // Reported below like any other unreadable value.
  }
  if (!reported.has(field)) {
    reported.add(field);
    problems.push(`corrupt last observation in Redis key ${key}, field ${JSON.stringify(field)}`);
  }
  return undefined;
}

/** Region -> its heartbeat; unreadable ones go to `problems` (region -> line) and count as never seen. */
function parseHeartbeats(
  key: string,
  hash: Hash,
  problems: Map<string, string>,
): Map<string, HeartbeatRecord> {
  const beats = new Map<string, HeartbeatRecord>();
  for (const [region, text] of Object.entries(hash)) {
    try {
      const value: unknown = JSON.parse(text);
      if (isRecord(value) && typeof value.time === 'number' && Number.isFinite(value.time)) {
        beats.set(region, value as unknown as HeartbeatRecord);
        continue;
      }
    } catch {
      // Falls through to the problem line.
    }
    // A region whose heartbeat cannot be read counts as never seen: stale, exactly what the evaluator does.
    problems.set(
      region,
      `corrupt heartbeat in Redis key ${key}, field ${region}: region shown as never seen`,
    );
  }
  return beats;
}

function decodeEvents(key: string, reply: unknown, problems: string[]): StoredEvent[] {
  const entries = Array.isArray(reply) ? (reply as StreamEntry[]) : [];
  const events: StoredEvent[] = [];
  // XREVRANGE answers newest first; status lists oldest first, like a log.
  for (const entry of [...entries].reverse()) {
    const event = guard(problems, () => decodeEvent(key, entry));
    if (event !== undefined) events.push(event);
  }
  return events;
}

async function readDrill(
  redis: Redis,
  key: string,
  valueReply: Reply,
  ttlReply: Reply,
  problems: string[],
): Promise<DrillView | null> {
  const ttl = typeof ttlReply[1] === 'number' ? ttlReply[1] : -2;
  if (ttl === -2) return null;
  const ttlMs = ttl >= 0 ? ttl : null;
  const [error, text] = valueReply;
  if (error === null) {
    if (typeof text !== 'string') return null;
    return { key, ttlMs, value: parseMaybeJson(text) };
  }
  if (!/WRONGTYPE/.test(error.message)) throw error;
  try {
    const hash = await redis.hgetall(key);
    return Object.keys(hash).length === 0 ? null : { key, ttlMs, value: hash };
  } catch (hashError) {
    if (hashError instanceof Error && /WRONGTYPE/.test(hashError.message)) {
      problems.push(`drill overlay ${key} is neither a string nor a hash`);
      return { key, ttlMs, value: null };
    }
    throw hashError;
  }
}

function parseMaybeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A pipeline reply's value; a Redis error (not corrupt data) fails the whole snapshot. */
function value(reply: Reply | undefined): unknown {
  if (reply === undefined) throw new Error('no reply from Redis');
  if (reply[0] !== null) throw reply[0];
  return reply[1];
}

function hashOf(reply: unknown): Hash {
  return isRecord(reply) ? (reply as Hash) : {};
}

function redisTime(reply: unknown): number {
  if (!Array.isArray(reply) || reply.length < 2)
    throw new Error(`unexpected TIME reply ${JSON.stringify(reply)}`);
  return Number(reply[0]) * 1000 + Math.floor(Number(reply[1]) / 1000);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs a parse; corrupt data becomes a problem line and `undefined`, anything else propagates. */
function guard<T>(problems: string[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof CorruptDataError) {
      problems.push(error.message);
      return undefined;
    }
    throw error;
  }
}
