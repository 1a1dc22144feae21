/**
 * The Redis key layout of one quorumdns deployment. The ONE place key names are spelt:
 * probe workers write these keys, the evaluator and `status` read them.
 *
 * Every key starts with the deployment's `keyPrefix` (config `deployment.redis.keyPrefix`).
 * Keys of one service carry the hash tag `{<service>}` so a service's keys live in one slot of a
 * Redis Cluster: the recording script touches several of them atomically. Heartbeat keys share
 * the tag `{heartbeats}` for the same reason (one script writes the region hash and the worker key).
 *
 * The full layout, value formats included, is documented in docs/probe-worker.md.
 */

/** The three opinions a probe region can hold of an endpoint (mirrors `Opinion` in src/quorum/types.ts). */
export type StoredOpinion = 'up' | 'down' | 'unknown';

/** Separates endpoint id and probe region in hash fields: neither may contain a tab (ids are names, not prose). */
export const FIELD_SEPARATOR = '\t';

/** The hash tag of a service's keys. Braces in a service name would break the tag, so they are not allowed. */
export function serviceTag(service: string): string {
  if (service.includes('{') || service.includes('}')) {
    throw new Error(`service name "${service}" must not contain braces (it is used as a Redis hash tag)`);
  }
  return `{${service}}`;
}

/** Hash field of one (endpoint, probe region) pair in the per-service hashes. */
export function opinionField(endpoint: string, region: string): string {
  return `${endpoint}${FIELD_SEPARATOR}${region}`;
}

/** The inverse of `opinionField`; `undefined` for a field that was not written by it. */
export function parseOpinionField(field: string): { endpoint: string; region: string } | undefined {
  const at = field.lastIndexOf(FIELD_SEPARATOR);
  if (at <= 0 || at === field.length - 1) return undefined;
  return { endpoint: field.slice(0, at), region: field.slice(at + 1) };
}

/** The keys of one service. All of them hash to the same Redis Cluster slot. */
export interface ServiceKeys {
  /** Hash `<endpoint>\t<region>` -> `up` | `down` | `unknown`. */
  opinions: string;
  /** Hash `<endpoint>\t<region>` -> signed integer: +n = n consecutive oks, -n = n consecutive failures. */
  streaks: string;
  /** Hash `<endpoint>\t<region>` -> compact JSON `LastObservation` of the newest recorded observation. */
  last: string;
  /**
   * The evaluator's hash: `record` (JSON: generation, decidedAt, evaluatedAt, configHash, evaluatedBy),
   * `state` (JSON `ServiceState` of the core), `explanation` (JSON `Explanation`), `generation`, `version`
   * (compare-and-set counter), `evaluatedAt`, and `dispatchVersion`/`dispatchEvents` while the apply/notify
   * jobs of a commit are still to be added. Written by src/evaluator/state-store.ts (docs/evaluator.md).
   */
  state: string;
  /** The evaluator's hash: override id -> JSON `Override` (src/evaluator/override-store.ts). */
  overrides: string;
  /** Capped stream of this service's events (the audit log), one JSON field `event` per entry. */
  events: string;
  /**
   * The drill overlay of this service: String JSON `DrillOverlay` (src/drill/), with a PX expiry as the
   * backstop that ends an interrupted drill. Probe workers report the drilled pool's endpoints as failing.
   */
  drill: string;
  /**
   * The apply processor's hash: `<provider>\t<zone>` -> JSON `AppliedTarget` (last applied generation,
   * change id, sync state, error). Fencing compares job generations against it (src/providers/).
   */
  applied: string;
  /** Hash `<provider>\t<zone>` -> lease token: one apply at a time per target (src/providers/). */
  applyLease: string;
  /**
   * The notify processor's hash: `<channel>` -> JSON delivery cursor (last event id sent, grouping and
   * reminder bookkeeping) (src/notify/).
   */
  notify: string;
  /** Capped stream of drill runs of this service (JSON reports), newest last (src/drill/). */
  drillRuns: string;
}

/** Everything `keys(prefix)` returns: one object so callers never build key strings themselves. */
export interface RedisKeyLayout {
  prefix: string;
  service(service: string): ServiceKeys;
  /** Hash region -> JSON `HeartbeatRecord` of the freshest beat of any worker of that region. */
  heartbeats: string;
  /** String JSON `HeartbeatRecord` of one worker, with a PX expiry: absent = that worker is gone. */
  workerHeartbeat(region: string, workerId: string): string;
  /** Sorted set `<region>\t<workerId>` scored by the Redis ms of its last beat: lists workers without SCAN. */
  workers: string;
  /** The capped events stream (audit); its format belongs to the evaluator. */
  events: string;
  /** The prefix BullMQ queues use (`new Queue(name, { prefix })`): the same deployment prefix. */
  queuePrefix: string;
  /**
   * The `local` provider's zone (lab): hash `<name>\t<type>\t<setIdentifier>` -> JSON `RecordSet`, plus
   * `localZoneChanges(zone)` (hash change id -> JSON status). Served by the embedded DNS server.
   */
  localZone(zone: string): string;
  localZoneChanges(zone: string): string;
  /**
   * The `local` zone's counters: hash `serial` (the SOA serial, bumped by every write), `changeSeq` (last
   * change id number) and the test hooks `faults:apply` / `faults:read` / `faults:any` (the next N such calls
   * answer THROTTLED). Same hash tag as the zone: one script touches all three keys.
   */
  localZoneMeta(zone: string): string;
  /** Pub/sub channel: every write to a `local` zone publishes `<zone> <serial>`; the DNS server reloads on it. */
  localZoneUpdates: string;
  /** Sorted set of undelivered (permanently failed) notifications, scored by failure time (src/notify/). */
  notifyFailed: string;
}

/** The deployment's key layout under `prefix` (config `deployment.redis.keyPrefix`). */
export function redisKeys(prefix: string): RedisKeyLayout {
  if (prefix.length === 0) throw new Error('Redis key prefix must not be empty');
  const heartbeatTag = '{heartbeats}';
  return {
    prefix,
    service(service: string): ServiceKeys {
      const base = `${prefix}:${serviceTag(service)}`;
      return {
        opinions: `${base}:opinions`,
        streaks: `${base}:streaks`,
        last: `${base}:last`,
        state: `${base}:state`,
        overrides: `${base}:overrides`,
        events: `${base}:events`,
        drill: `${base}:drill`,
        applied: `${base}:applied`,
        applyLease: `${base}:apply-lease`,
        notify: `${base}:notify`,
        drillRuns: `${base}:drill-runs`,
      };
    },
    heartbeats: `${prefix}:${heartbeatTag}`,
    workerHeartbeat: (region, workerId) => `${prefix}:${heartbeatTag}:worker:${region}:${workerId}`,
    workers: `${prefix}:${heartbeatTag}:workers`,
    events: `${prefix}:events`,
    queuePrefix: prefix,
    localZone: (zone) => `${prefix}:{localdns:${zone}}:records`,
    localZoneChanges: (zone) => `${prefix}:{localdns:${zone}}:changes`,
    localZoneMeta: (zone) => `${prefix}:{localdns:${zone}}:meta`,
    localZoneUpdates: `${prefix}:localdns:updates`,
    notifyFailed: `${prefix}:notify-failed`,
  };
}

/** The value stored in `ServiceKeys.last`: short names keep 10,000 endpoints' worth of hashes small. */
export interface LastObservation {
  ok: boolean;
  /** Failure class, absent when ok. */
  class?: string;
  detail?: string;
  /** Latency in ms. */
  latency: number;
  /** Probe clock epoch ms when the check started. */
  startedAt: number;
  /** Redis server clock epoch ms when the observation was recorded. */
  recordedAt: number;
  /** Worker that recorded it. */
  worker: string;
  /** Run (worker process) and sequence number of the observation: lets a replay after a lost reply be skipped. */
  run: string;
  seq: number;
  /** Present and true when a drill overlay forced the result. */
  drill?: boolean;
}

/** The value stored in `heartbeats` (per region) and in each worker's heartbeat key. */
export interface HeartbeatRecord {
  workerId: string;
  region: string;
  /** quorumdns version of the worker. */
  version: string;
  /** `Config.hash` the worker runs with: different hashes in one deployment = a config rollout in progress. */
  configHash: string;
  /** Redis server clock epoch ms of the beat. */
  time: number;
}
