/**
 * The probe side of a drill: which endpoints a drill overlay (src/drill/drill-overlay.ts) says to report as
 * failing, known without a Redis round trip per check.
 *
 * Every `refreshMs` (default 500 ms) the reader fetches the overlay of every service this worker probes in ONE
 * pipeline per batch of services (GETs plus a TIME, so `endsAt` is compared on the Redis clock like everything
 * else); checks then ask the in-memory copy. A drill therefore starts and ends within about `refreshMs` plus
 * one check interval on every worker, and 10,000 services cost one pipelined read every half second.
 *
 * A value that is not a valid overlay is logged once (per key and value) and ignored: a damaged key must
 * neither stop probing nor fail endpoints. While Redis is unreachable the last copy is kept; its `endsAt`
 * still ends the drill on time.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/types';
import { type DrillOverlay, overlayActive, parseDrillOverlay } from '../drill/drill-overlay';
import type { RedisKeyLayout } from '../redis/keys';
import type { CheckResult } from './check-result';
import { type Clock, systemClock } from './clock';
import type { Logger } from './logger';

/** What a drilled endpoint reports instead of its check: a failure of class `drill`, tagged as a drill. */
export type DrillResult = CheckResult & { ok: false; failureClass: 'drill'; drill: true };

export interface DrillOverlayReaderOptions {
  redis: Redis;
  keys: RedisKeyLayout;
  logger: Logger;
  /** @defaultValue systemClock */
  clock?: Clock;
  /** How often the overlays are read. @defaultValue 500 */
  refreshMs?: number;
  /** Services per pipeline. @defaultValue 1000 */
  batchSize?: number;
}

export interface DrillOverlayReaderStats {
  refreshes: number;
  failures: number;
  /** Overlays currently active (on the Redis clock as of the last refresh). */
  active: number;
  /** Wall time of the last refresh in ms. */
  lastRefreshMs: number;
}

export const DEFAULT_DRILL_REFRESH_MS = 500;

export class DrillOverlayReader {
  private readonly clock: Clock;
  private readonly refreshMs: number;
  private readonly batchSize: number;
  /** service -> endpoint -> pool, for the services this worker probes. */
  private endpointPools = new Map<string, Map<string, string>>();
  private overlays = new Map<string, DrillOverlay>();
  /** Redis clock minus local clock, measured at the last refresh. */
  private offsetMs = 0;
  /** Problems already logged, by key: logged again only when the stored value changes. */
  private readonly reported = new Map<string, string>();
  private cancelTimer: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private stopped = false;
  private stats_: DrillOverlayReaderStats = { refreshes: 0, failures: 0, active: 0, lastRefreshMs: 0 };

  constructor(private readonly options: DrillOverlayReaderOptions) {
    this.clock = options.clock ?? systemClock;
    this.refreshMs = options.refreshMs ?? DEFAULT_DRILL_REFRESH_MS;
    this.batchSize = options.batchSize ?? 1000;
  }

  /** The services this worker probes (and their endpoints' pools); called at start and on every reload. */
  setServices(config: Config, services: Iterable<string>): void {
    const next = new Map<string, Map<string, string>>();
    for (const name of services) {
      const service = config.services[name];
      if (service === undefined) continue;
      const pools = new Map<string, string>();
      for (const pool of service.pools)
        for (const endpoint of pool.endpoints) pools.set(endpoint.id, pool.name);
      next.set(name, pools);
    }
    this.endpointPools = next;
    for (const name of [...this.overlays.keys()]) if (!next.has(name)) this.overlays.delete(name);
  }

  /** Reads now, then every `refreshMs` (a refresh never overlaps the previous one). */
  start(): void {
    if (this.cancelTimer !== undefined || this.stopped) return;
    const tick = (): void => {
      this.cancelTimer = this.clock.setTimer(() => {
        void this.refresh().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.refreshMs);
    };
    void this.refresh();
    tick();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  stats(): DrillOverlayReaderStats {
    return { ...this.stats_ };
  }

  /**
   * The forced result of `endpoint` of `service` while a drill overlay covering its pool is active, else
   * `undefined` (the real check runs). Never throws, never touches Redis.
   */
  forcedResult(service: string, endpoint: string): DrillResult | undefined {
    const overlay = this.overlays.get(service);
    if (overlay === undefined) return undefined;
    const pool = this.endpointPools.get(service)?.get(endpoint);
    if (pool === undefined || !overlay.pools.includes(pool)) return undefined;
    if (!overlayActive(overlay, this.clock.now() + this.offsetMs)) return undefined;
    return {
      ok: false,
      failureClass: 'drill',
      detail: `drill ${overlay.id}: pool ${pool} reported failing (${overlay.mode})`.slice(0, 200),
      latencyMs: 0,
      drill: true,
    };
  }

  /** One read of every overlay; concurrent callers share it. Never rejects (failures are counted). */
  refresh(): Promise<void> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<void> {
    const services = [...this.endpointPools.keys()];
    const started = this.clock.now();
    try {
      const found = new Map<string, DrillOverlay>();
      let offset: number | undefined;
      for (let start = 0; start < services.length; start += this.batchSize) {
        const batch = services.slice(start, start + this.batchSize);
        const pipeline = this.options.redis.pipeline();
        const before = this.clock.now();
        pipeline.time();
        for (const service of batch) pipeline.get(this.options.keys.service(service).drill);
        const replies = (await pipeline.exec()) ?? [];
        const after = this.clock.now();
        const [timeError, time] = replies[0] ?? [new Error('no reply'), null];
        if (timeError) throw timeError;
        const [seconds, micros] = time as [string, string];
        offset ??= Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - (before + after) / 2;
        batch.forEach((service, index) => {
          const [error, value] = replies[index + 1] ?? [new Error('no reply'), null];
          const overlay = this.interpret(service, error, value);
          if (overlay !== undefined) found.set(service, overlay);
        });
      }
      this.overlays = found;
      if (offset !== undefined) this.offsetMs = offset;
      const now = this.clock.now() + this.offsetMs;
      this.stats_.active = [...found.values()].filter((overlay) => overlayActive(overlay, now)).length;
      this.stats_.refreshes += 1;
    } catch (error) {
      // Redis unreachable: keep the last copy (endsAt still ends a drill on time) and try again next period.
      this.stats_.failures += 1;
      if (this.stats_.failures === 1 || Number.isInteger(Math.log10(this.stats_.failures))) {
        this.options.logger.log('warn', 'drill overlays could not be read; keeping the last known ones', {
          error: error instanceof Error ? error.message : String(error),
          failures: this.stats_.failures,
        });
      }
    } finally {
      this.stats_.lastRefreshMs = this.clock.now() - started;
    }
  }

  private interpret(service: string, error: Error | null, value: unknown): DrillOverlay | undefined {
    const key = this.options.keys.service(service).drill;
    if (error) {
      // WRONGTYPE: something else is stored under the key. Connection errors fail the whole pipeline instead.
      this.reportOnce(key, `drill overlay ${key} cannot be read: ${error.message}`, error.message);
      return undefined;
    }
    if (value === null || value === undefined) {
      this.reported.delete(key);
      return undefined;
    }
    const text = String(value);
    const parsed = parseDrillOverlay(key, text);
    if (!parsed.ok) {
      this.reportOnce(key, parsed.problem, text);
      return undefined;
    }
    if (parsed.overlay.service !== service) {
      this.reportOnce(
        key,
        `${key}: drill overlay names service "${parsed.overlay.service}", not "${service}"`,
        text,
      );
      return undefined;
    }
    this.reported.delete(key);
    return parsed.overlay;
  }

  private reportOnce(key: string, problem: string, stored: string): void {
    if (this.reported.get(key) === stored) return;
    this.reported.set(key, stored);
    this.options.logger.log('warn', 'bad drill overlay ignored', { key, problem });
  }
}
