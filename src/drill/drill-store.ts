/**
 * The drill's Redis side: the overlay (`ServiceKeys.drill`, a JSON string with a PX expiry) and the run
 * reports (`ServiceKeys.drillRuns`, a capped stream).
 *
 * The overlay is written with SET NX PX, so two drills of one service can never run at once (whoever comes
 * second is refused), and removed with a compare-and-delete, so a drill that ends late never removes the
 * overlay of the drill that came after it. Its expiry (`endsAt` plus a grace period) ends a drill whose
 * runner died without cleaning up.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { LuaScript } from '../evaluator/lua-script';
import { describeIssue } from '../evaluator/redis-schemas';
import type { RedisKeyLayout } from '../redis/keys';
import { type DrillOverlay, parseDrillOverlay } from './drill-overlay';
import type { DrillReport } from './drill-report';

/** How long an overlay outlives its `endsAt`: the backstop of an interrupted drill. */
export const OVERLAY_GRACE_MS = 60_000;

/** Run reports kept per service (approximately: the stream is trimmed with `~`). */
export const DRILL_RUNS_MAX_LENGTH = 200;

/** The stream field holding a run report's JSON. */
export const DRILL_RUN_FIELD = 'report';

/** KEYS[1] overlay key. ARGV[1] drill id. Deletes the overlay only when it is still this drill's. */
const REMOVE_OWN = new LuaScript(
  'quorumdns-drill-remove-own',
  `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, decoded = pcall(cjson.decode, current)
if ok and type(decoded) == 'table' and decoded.id == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return -1
`,
  1,
);

export type PlaceOverlayResult =
  { placed: true } | { placed: false; existing: DrillOverlay | undefined; remainingMs: number | undefined };

/** What `drill status` shows of one service. */
export interface ActiveDrill {
  service: string;
  overlay: DrillOverlay | undefined;
  /** Why the stored value could not be read, when it could not. */
  problem?: string;
  /** Milliseconds until the key expires (-1: no expiry). */
  ttlMs: number;
}

export class DrillStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
  ) {}

  /** SET NX PX: the overlay, expiring `OVERLAY_GRACE_MS` after its `endsAt`. Refused while one exists. */
  async place(overlay: DrillOverlay, graceMs = OVERLAY_GRACE_MS): Promise<PlaceOverlayResult> {
    const key = this.keys.service(overlay.service).drill;
    const ttl = Math.max(1, overlay.endsAt - overlay.startedAt + graceMs);
    const reply = await this.redis.set(key, JSON.stringify(overlay), 'PX', ttl, 'NX');
    if (reply === 'OK') return { placed: true };
    const [text, pttl] = await Promise.all([
      this.redis.get(key).catch(() => null),
      this.redis.pttl(key).catch(() => -2),
    ]);
    const parsed = text === null ? undefined : parseDrillOverlay(key, text);
    return {
      placed: false,
      existing: parsed?.ok ? parsed.overlay : undefined,
      remainingMs: pttl >= 0 ? pttl : undefined,
    };
  }

  /** Removes the overlay if it is still drill `id`'s. `removed`, `absent` (expired or stopped), `other`. */
  async removeOwn(service: string, id: string): Promise<'removed' | 'absent' | 'other'> {
    const reply = await REMOVE_OWN.run(this.redis, [this.keys.service(service).drill], [id]);
    return reply === 1 ? 'removed' : reply === 0 ? 'absent' : 'other';
  }

  /** The operator's emergency stop: removes whatever overlay the service has. Returns what was there. */
  async forceRemove(service: string): Promise<ActiveDrill | undefined> {
    const [current] = await this.active([service]);
    const deleted = await this.redis.del(this.keys.service(service).drill);
    return deleted > 0 ? current : undefined;
  }

  /** The stored overlay of `service`, or `undefined` (none, or unreadable). */
  async read(service: string): Promise<DrillOverlay | undefined> {
    const key = this.keys.service(service).drill;
    const text = await this.redis.get(key);
    if (text === null) return undefined;
    const parsed = parseDrillOverlay(key, text);
    return parsed.ok ? parsed.overlay : undefined;
  }

  /** The overlays stored for `services` (one pipeline), with their expiry. */
  async active(services: readonly string[]): Promise<ActiveDrill[]> {
    if (services.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const service of services) {
      const key = this.keys.service(service).drill;
      pipeline.get(key);
      pipeline.pttl(key);
    }
    const replies = (await pipeline.exec()) ?? [];
    const found: ActiveDrill[] = [];
    services.forEach((service, index) => {
      const key = this.keys.service(service).drill;
      const [getError, text] = replies[index * 2] ?? [null, null];
      const [, ttl] = replies[index * 2 + 1] ?? [null, -2];
      if (getError) {
        found.push({ service, overlay: undefined, problem: getError.message, ttlMs: Number(ttl) });
        return;
      }
      if (text === null || text === undefined) return;
      const parsed = parseDrillOverlay(key, String(text));
      found.push(
        parsed.ok
          ? { service, overlay: parsed.overlay, ttlMs: Number(ttl) }
          : { service, overlay: undefined, problem: parsed.problem, ttlMs: Number(ttl) },
      );
    });
    return found;
  }

  /** Appends a run report (or a skipped scheduled run) to the service's capped stream; returns its id. */
  async appendRun(service: string, report: DrillReport | SkippedDrillRun): Promise<string> {
    const id = await this.redis.xadd(
      this.keys.service(service).drillRuns,
      'MAXLEN',
      '~',
      String(DRILL_RUNS_MAX_LENGTH),
      '*',
      DRILL_RUN_FIELD,
      JSON.stringify(report),
    );
    return String(id);
  }

  /** The newest `count` run records of `service`, newest first; damaged entries are returned as such. */
  async runs(service: string, count = 20): Promise<DrillRunRecord[]> {
    const [listing] = await this.runsOf([service], count);
    return listing?.runs ?? [];
  }

  /**
   * The newest `count` run records of each of `services` (one pipeline), newest first. An entry that cannot
   * be read comes back as an `UnreadableDrillRun` naming its stream id: a listing must never lose a run
   * silently (a damaged entry may be the very drill someone is looking for).
   */
  async runsOf(services: readonly string[], count = 20): Promise<DrillRunListing[]> {
    if (services.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const service of services) {
      pipeline.xrevrange(this.keys.service(service).drillRuns, '+', '-', 'COUNT', count);
    }
    const replies = (await pipeline.exec()) ?? [];
    return services.map((service, index) => {
      const [error, entries] = replies[index] ?? [null, []];
      if (error) throw error;
      const key = this.keys.service(service).drillRuns;
      return {
        service,
        runs: ((entries ?? []) as Array<[string, string[]]>).map(([streamId, fields]) =>
          parseDrillRun(key, streamId, fields),
        ),
      };
    });
  }
}

/** What one entry of `drillRuns` holds: a run's report, a skipped scheduled run, or something unreadable. */
export type DrillRunRecord = DrillReport | SkippedDrillRun | UnreadableDrillRun;

/** The run records of one service, newest first. */
export interface DrillRunListing {
  service: string;
  runs: DrillRunRecord[];
}

/**
 * An entry of `drillRuns` that is not a run record quorumdns wrote (not JSON, a missing field, another
 * format version). `streamId` is the entry's stream id (not a drill id: none could be read).
 */
export interface UnreadableDrillRun {
  unreadable: true;
  streamId: string;
  problem: string;
}

/** A scheduled drill that did not start (a blocked window, another drill running): kept with the runs. */
export interface SkippedDrillRun {
  version: 1;
  skipped: true;
  service: string;
  schedule: string;
  pool: string;
  mode: 'dry' | 'live';
  /** Redis-clock epoch ms of the decision to skip. */
  at: number;
  reason: string;
}

const mode = z.enum(['dry', 'live']);

/**
 * What a listing reads of a stored record, checked rather than cast: the format version, the service and the
 * fields `drill history` shows. Loose objects: everything else a report carries is kept as stored.
 */
const skippedRunSchema = z.looseObject({
  version: z.literal(1),
  service: z.string().min(1),
  skipped: z.literal(true),
  schedule: z.string(),
  pool: z.string(),
  mode,
  at: z.number(),
  reason: z.string(),
});

const reportSchema = z.looseObject({
  version: z.literal(1),
  service: z.string().min(1),
  id: z.string().min(1),
  pools: z.array(z.string()),
  mode,
  trigger: z.string(),
  startedAt: z.number(),
  verdict: z.enum(['pass', 'fail']),
  reasons: z.array(z.string()),
  interrupted: z.string().optional(),
  timeline: z.array(z.looseObject({ step: z.string(), status: z.string(), at: z.number().optional() })),
  objectives: z.array(
    z.looseObject({
      objective: z.string(),
      from: z.string(),
      to: z.string(),
      measuredMs: z.number().optional(),
    }),
  ),
});

/** One stream entry (`[field, value, ...]`) as a run record; never throws. */
export function parseDrillRun(key: string, streamId: string, fields: readonly string[]): DrillRunRecord {
  const unreadable = (problem: string): UnreadableDrillRun => ({ unreadable: true, streamId, problem });
  let text: string | undefined;
  for (let at = 0; at + 1 < fields.length; at += 2) {
    if (fields[at] === DRILL_RUN_FIELD) text = fields[at + 1];
  }
  if (text === undefined) return unreadable(`${key}: the entry has no ${DRILL_RUN_FIELD} field`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return unreadable(`${key}: field ${DRILL_RUN_FIELD} is not JSON`);
  }
  const skipped = typeof json === 'object' && json !== null && 'skipped' in json;
  const parsed = (skipped ? skippedRunSchema : reportSchema).safeParse(json);
  if (!parsed.success) {
    const { field, problem } = describeIssue(parsed.error, DRILL_RUN_FIELD);
    return unreadable(`${key}: ${field}: ${problem}`);
  }
  // The stored object as it is (a newer writer's extra fields included), now known to have the right shape.
  return json as DrillReport | SkippedDrillRun;
}
