/**
 * The audit log: one capped Redis stream per service (`ServiceKeys.events`). The evaluator appends core
 * events inside its commit script (state-store.ts); operator commands append theirs here. Readers merge the
 * streams of several services into one time-ordered list.
 *
 * Per-service streams keep every key of a service in its hash-tag slot (Redis Cluster). A multi-service
 * `follow` uses one XREAD over several streams, which needs a single-node Redis (or services in one slot).
 */
import type { Redis } from 'ioredis';
import type { RedisKeyLayout } from '../redis/keys';
import { compareStreamIds, decodeEvent, encodeEvent, EVENT_FIELD, type StreamEntry } from './event-codec';
import { DEFAULT_EVENTS_MAX_LENGTH } from './state-store';
import type { StoredEvent, StoredEventInput } from './service-record';

/** CLIENT SETNAME of `follow`'s blocking connection (visible in CLIENT LIST). */
export const FOLLOW_CONNECTION_NAME = 'quorumdns-events-follow';

export interface EventLogOptions {
  /** Approximate cap of each stream on `append`. @defaultValue 10000 */
  maxLength?: number;
  /** How long one XREAD of `follow` blocks before checking the abort signal again. @defaultValue 1000 */
  blockMs?: number;
}

export interface ReadEventsOptions {
  services: string[];
  /** Only events recorded at or after this Redis ms. */
  sinceMs?: number;
  /** At most this many events: the NEWEST ones (still returned oldest first). */
  count?: number;
}

export interface FollowEventsOptions {
  services: string[];
  /** Per service: deliver events after this stream id. Default: only events appended from now on. */
  fromIds?: Record<string, string>;
  signal: AbortSignal;
}

export class EventLog {
  private readonly maxLength: number;
  private readonly blockMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
    options: EventLogOptions = {},
  ) {
    this.maxLength = options.maxLength ?? DEFAULT_EVENTS_MAX_LENGTH;
    this.blockMs = options.blockMs ?? 1000;
  }

  /** Appends events (operator events: override set/removed) to the service's stream; returns their ids. */
  async append(service: string, events: StoredEventInput[]): Promise<string[]> {
    if (events.length === 0) return [];
    const key = this.keys.service(service).events;
    const multi = this.redis.multi();
    for (const event of events) {
      multi.xadd(key, 'MAXLEN', '~', String(this.maxLength), '*', EVENT_FIELD, encodeEvent(event));
    }
    const replies = (await multi.exec()) ?? [];
    return replies.map(([error, id]) => {
      if (error) throw error;
      return String(id);
    });
  }

  /** Events of `services`, merged and in time order (see compareEvents). */
  async read(options: ReadEventsOptions): Promise<StoredEvent[]> {
    const start = options.sinceMs === undefined ? '-' : `${Math.max(0, Math.floor(options.sinceMs))}-0`;
    const pipeline = this.redis.pipeline();
    const keys = options.services.map((service) => this.keys.service(service).events);
    for (const key of keys) {
      if (options.count === undefined) pipeline.xrange(key, start, '+');
      else pipeline.xrevrange(key, '+', start, 'COUNT', options.count);
    }
    const replies = (await pipeline.exec()) ?? [];
    const events: StoredEvent[] = [];
    keys.forEach((key, index) => {
      const [error, entries] = replies[index] ?? [new Error('no reply'), []];
      if (error) throw error;
      for (const entry of entries as StreamEntry[]) events.push(decodeEvent(key, entry));
    });
    events.sort(compareEvents);
    return options.count === undefined ? events : events.slice(Math.max(0, events.length - options.count));
  }

  /** Events of one service by stream id (missing ids, e.g. trimmed by the cap, are skipped). */
  async readIds(service: string, ids: string[]): Promise<StoredEvent[]> {
    if (ids.length === 0) return [];
    const key = this.keys.service(service).events;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.xrange(key, id, id);
    const replies = (await pipeline.exec()) ?? [];
    const events: StoredEvent[] = [];
    for (const [error, entries] of replies) {
      if (error) throw error;
      for (const entry of entries as StreamEntry[]) events.push(decodeEvent(key, entry));
    }
    return events;
  }

  /**
   * Calls `onEvent` for every new event of `services` until `signal` aborts (then resolves). Uses its own
   * connection: XREAD BLOCK holds a connection for the whole wait.
   */
  async follow(options: FollowEventsOptions, onEvent: (event: StoredEvent) => void): Promise<void> {
    if (options.services.length === 0 || options.signal.aborted) return;
    const keys = options.services.map((service) => this.keys.service(service).events);
    const lastIds = await this.startIds(options.services, keys, options.fromIds ?? {});
    const reader = this.redis.duplicate({ connectionName: FOLLOW_CONNECTION_NAME });
    reader.on('error', () => undefined);
    let disconnected = false;
    // Once only: a second disconnect of an ended stream leaves ioredis' 2 s close timer running.
    const stop = (): void => {
      if (disconnected) return;
      disconnected = true;
      reader.disconnect();
    };
    options.signal.addEventListener('abort', stop, { once: true });
    try {
      while (!options.signal.aborted) {
        let reply: Array<[string, StreamEntry[]]> | null;
        try {
          reply = (await reader.xread(
            'BLOCK',
            this.blockMs,
            'STREAMS',
            ...keys,
            ...keys.map((key) => lastIds.get(key) as string),
          )) as Array<[string, StreamEntry[]]> | null;
        } catch (error) {
          if (options.signal.aborted) return;
          throw error;
        }
        if (reply === null) continue;
        const batch: StoredEvent[] = [];
        for (const [key, entries] of reply) {
          for (const entry of entries) {
            batch.push(decodeEvent(key, entry));
            lastIds.set(key, entry[0]);
          }
        }
        batch.sort(compareEvents);
        for (const event of batch) onEvent(event);
      }
    } finally {
      options.signal.removeEventListener('abort', stop);
      stop();
    }
  }

  /** Resolves "from now on" to each stream's current last id, so no event between two XREADs is lost. */
  private async startIds(
    services: string[],
    keys: string[],
    fromIds: Record<string, string>,
  ): Promise<Map<string, string>> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.xrevrange(key, '+', '-', 'COUNT', 1);
    const replies = (await pipeline.exec()) ?? [];
    const ids = new Map<string, string>();
    keys.forEach((key, index) => {
      const given = fromIds[services[index] as string];
      if (given !== undefined) {
        ids.set(key, given);
        return;
      }
      const [error, entries] = replies[index] ?? [null, []];
      if (error) throw error;
      const newest = (entries as StreamEntry[])[0];
      ids.set(key, newest === undefined ? '0-0' : newest[0]);
    });
    return ids;
  }
}

/**
 * Time order across streams: the id's millisecond first; within one millisecond the streams' sequence numbers
 * are unrelated, so ties go by service name, then by sequence (the order within one service).
 */
function compareEvents(a: StoredEvent, b: StoredEvent): number {
  const [aMs = 0] = a.id.split('-').map(Number);
  const [bMs = 0] = b.id.split('-').map(Number);
  if (aMs !== bMs) return aMs - bMs;
  if (a.service !== b.service) return a.service < b.service ? -1 : 1;
  return compareStreamIds(a.id, b.id);
}
