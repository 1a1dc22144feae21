/**
 * The served zones in memory, kept current from Redis. Every write to a `local` zone publishes
 * `<zone> <serial>` (local-zone-store.ts); the cache reloads that zone at once, so answers change within
 * milliseconds of an apply. A periodic serial check is the backstop for messages lost while the subscriber
 * was reconnecting. When Redis is unreachable the last loaded copy keeps being served (what a secondary name
 * server does when its primary is away), and the outage is logged once.
 */
import type { Redis } from 'ioredis';
import { LocalZoneStore } from '../providers/local/local-zone-store';
import { LOCAL_LIMITS } from '../providers/local/local-adapter';
import { redisKeys } from '../redis/keys';
import { buildServedZone, type ServedZone } from './served-zone';

export type DnsServerLogLevel = 'info' | 'warn' | 'error';
export type DnsServerLog = (
  level: DnsServerLogLevel,
  message: string,
  fields?: Record<string, unknown>,
) => void;

export interface ZoneCacheOptions {
  redis: Redis;
  keyPrefix: string;
  zones: readonly string[];
  /** Serial check when no update message came. @default 1000 */
  refreshIntervalMs?: number;
  log?: DnsServerLog;
}

interface ZoneState {
  store: LocalZoneStore;
  served: ServedZone;
  /** A reload in flight, and whether another one was asked for meanwhile (coalesced into one). */
  loading?: Promise<void>;
  again: boolean;
  failing: boolean;
}

export class ZoneCache {
  private readonly states = new Map<string, ZoneState>();
  private readonly log: DnsServerLog;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private closed = false;

  private constructor(private readonly options: ZoneCacheOptions) {
    this.log = options.log ?? (() => undefined);
  }

  /** Loads every zone (throws when Redis cannot be read: a server must not start empty) and subscribes. */
  static async start(options: ZoneCacheOptions): Promise<ZoneCache> {
    const cache = new ZoneCache(options);
    try {
      await cache.loadAll();
      await cache.subscribe();
    } catch (error) {
      await cache.close();
      throw error;
    }
    cache.timer = setInterval(() => void cache.checkSerials(), options.refreshIntervalMs ?? 1000);
    cache.timer.unref();
    return cache;
  }

  zones(): ServedZone[] {
    return [...this.states.values()].map((state) => state.served);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber) {
      try {
        await subscriber.quit();
      } catch {
        subscriber.disconnect();
      }
    }
    // A reload still in flight is not awaited: with a Redis client that queues commands while disconnected it
    // could wait for ever, and all it can still do is replace a zone nobody reads any more.
  }

  private async loadAll(): Promise<void> {
    for (const zone of this.options.zones) {
      const store = new LocalZoneStore({
        redis: this.options.redis,
        keyPrefix: this.options.keyPrefix,
        zone,
        limits: LOCAL_LIMITS,
      });
      const served = await this.load(store);
      this.states.set(store.zone, { store, served, again: false, failing: false });
    }
  }

  private async load(store: LocalZoneStore): Promise<ServedZone> {
    const snapshot = await store.snapshot();
    for (const problem of snapshot.corrupt) {
      this.log('warn', 'skipping a record the zone store holds that is not a record set', {
        zone: store.zone,
        problem: problem.message,
      });
    }
    return buildServedZone(snapshot);
  }

  private async subscribe(): Promise<void> {
    const subscriber = this.options.redis.duplicate({
      enableOfflineQueue: true,
      connectionName: 'quorumdns-dns',
    });
    subscriber.on('error', () => {
      // Reconnects are ioredis's job; a lost message is caught by the serial check.
    });
    this.subscriber = subscriber;
    let connectedBefore = false;
    subscriber.on('ready', () => {
      // Messages published while the subscriber was away are lost: reload everything after a reconnect.
      if (connectedBefore) for (const zone of this.states.keys()) this.reload(zone);
      connectedBefore = true;
    });
    subscriber.on('message', (_channel: string, message: string) => {
      const [zone, serial] = message.split(' ');
      const state = zone === undefined ? undefined : this.states.get(zone);
      if (state !== undefined && Number(serial) !== state.served.serial) this.reload(state.store.zone);
    });
    await subscriber.subscribe(redisKeys(this.options.keyPrefix).localZoneUpdates);
  }

  /** Reloads one zone; calls while a reload runs coalesce into one more reload after it. */
  private reload(zone: string): void {
    const state = this.states.get(zone);
    if (state === undefined || this.closed) return;
    if (state.loading) {
      state.again = true;
      return;
    }
    state.loading = (async () => {
      do {
        state.again = false;
        try {
          state.served = await this.load(state.store);
          if (state.failing)
            this.log('info', 'zone reloaded from Redis again', { zone, serial: state.served.serial });
          state.failing = false;
        } catch (error) {
          if (!state.failing) {
            this.log('warn', 'cannot reload the zone from Redis; serving the last loaded copy', {
              zone,
              serial: state.served.serial,
              error: error instanceof Error ? error.message : String(error),
            });
          }
          state.failing = true;
        }
      } while (state.again && !this.closed);
      state.loading = undefined;
    })();
  }

  private async checkSerials(): Promise<void> {
    // A check still waiting on a slow Redis is not stacked with another one.
    if (this.checking) return;
    this.checking = true;
    try {
      for (const [zone, state] of this.states) {
        if (this.closed) return;
        try {
          if ((await state.store.serial()) !== state.served.serial || state.failing) this.reload(zone);
        } catch {
          // Redis away: the reload logs it once; meanwhile the copy in memory answers.
          if (!state.failing) this.reload(zone);
        }
      }
    } finally {
      this.checking = false;
    }
  }
}
