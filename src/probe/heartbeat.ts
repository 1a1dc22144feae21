import type { Config } from '../config/types';
import { type Clock, systemClock } from './clock';
import type { ObservationRecorder } from './recorder';

/** A heartbeat at least this often, whatever the intervals: the design's staleAfter defaults to 3 x interval. */
export const MAX_HEARTBEAT_PERIOD = 5000;

/**
 * How often a worker of `region` beats: at most every 5 s, at least as often as its shortest check interval,
 * and at least three times per `staleAfter` of every service it probes, so one lost beat never makes a live
 * region look stale.
 */
export function heartbeatPeriod(config: Config, region: string): number {
  let period = MAX_HEARTBEAT_PERIOD;
  for (const service of Object.values(config.services)) {
    if (!service.probeRegions.includes(region)) continue;
    period = Math.min(period, Math.floor(service.staleAfter / 3));
    for (const pool of service.pools) {
      for (const endpoint of pool.endpoints) period = Math.min(period, endpoint.check.interval);
    }
  }
  return Math.max(100, period);
}

/** Expiry of a worker's own heartbeat key: the longest staleAfter it serves, and never under 3 periods. */
export function heartbeatTtl(config: Config, region: string, period: number): number {
  let ttl = 3 * period;
  for (const service of Object.values(config.services)) {
    if (service.probeRegions.includes(region)) ttl = Math.max(ttl, service.staleAfter);
  }
  return ttl;
}

export interface HeartbeatSettings {
  configHash: string;
  period: number;
  ttlMs: number;
}

export interface HeartbeatWriterOptions {
  recorder: Pick<ObservationRecorder, 'heartbeat'>;
  region: string;
  workerId: string;
  version: string;
  /** Read at every beat, so a reload changes the config hash and period from the next beat on. */
  settings: () => HeartbeatSettings;
  clock?: Clock;
}

/**
 * Writes the worker's heartbeat on a fixed period. Failures are silent here: the observation sink already
 * reports Redis being unreachable, once, and the next beat simply tries again.
 */
export class HeartbeatWriter {
  private readonly clock: Clock;
  private cancel: (() => void) | undefined;
  private running = false;
  private beats = 0;
  private failures = 0;
  private lastRedisTime: number | undefined;

  constructor(private readonly options: HeartbeatWriterOptions) {
    this.clock = options.clock ?? systemClock;
  }

  /** Beats now, then every period. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.tick(this.clock.now());
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
  }

  /** One beat; resolves to the Redis time of the beat, or undefined when Redis did not take it. */
  async beat(): Promise<number | undefined> {
    const settings = this.options.settings();
    try {
      const time = await this.options.recorder.heartbeat({
        region: this.options.region,
        workerId: this.options.workerId,
        version: this.options.version,
        configHash: settings.configHash,
        ttlMs: settings.ttlMs,
      });
      this.beats += 1;
      this.lastRedisTime = time;
      return time;
    } catch {
      this.failures += 1;
      return undefined;
    }
  }

  stats(): { beats: number; failures: number; lastRedisTime: number | undefined } {
    return { beats: this.beats, failures: this.failures, lastRedisTime: this.lastRedisTime };
  }

  private tick(scheduledAt: number): void {
    if (!this.running) return;
    void this.beat();
    // Next beat one period after this one was due, not after it finished: a slow Redis does not stretch it.
    const next = scheduledAt + this.options.settings().period;
    this.cancel = this.clock.setTimer(
      () => this.tick(Math.max(next, this.clock.now())),
      next - this.clock.now(),
    );
  }
}
