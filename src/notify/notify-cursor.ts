/**
 * Per (service, channel) delivery bookkeeping in the service's notify hash (`ServiceKeys.notify`):
 *
 * - `<channel>`: JSON `NotifyCursor`, the newest event of the service's stream this channel is done with
 *   (sent, judged not worth a message, or recorded as undeliverable). Every event up to it is covered.
 * - `lease\t<channel>`: `<token> <expires at, Redis ms>`, held while one worker builds and sends the next
 *   group of a channel: two notify jobs of one commit (or of one quiet period) would otherwise both read the
 *   same cursor and both send the same message.
 *
 * - `delivered\t<channel>`: JSON array of the newest `DELIVERY_HISTORY` deliveries (`DeliveryRecord`: which
 *   events a delivered message carried and the Redis time it was confirmed). Appended by the same script that
 *   moves the cursor to a `delivered` outcome, never rewritten otherwise: drills read it to time "notification
 *   delivered" on the Redis clock (src/drill/), which the cursor alone cannot tell once it has moved on.
 *
 * The cursor moves with a compare-and-set under the lease (one Lua script), only after the group is settled,
 * so a crash between sending and moving repeats a message rather than losing one (at least once).
 * Channel names never contain a tab, so `lease\t...` (and the failure fields of failed-notifications.ts)
 * never collide with a cursor field.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { compareStreamIds } from '../evaluator/event-codec';
import { LuaScript } from '../evaluator/lua-script';
import { FIELD_SEPARATOR, type RedisKeyLayout } from '../redis/keys';

export type CursorOutcome =
  /** The group was delivered. */
  | 'delivered'
  /** No event of the group was worth a message (buildNotification said so). */
  | 'nothing-to-send'
  /** The group could not be delivered; it is listed by `quorumdns notify failed`. */
  | 'failed'
  /** The events were older than the worker's maximum event age: not sent (stale news). */
  | 'expired';

export interface NotifyCursor {
  /** Stream id (`<ms>-<seq>`) of the newest event covered. */
  lastEventId: string;
  /** Epoch ms (worker clock) of the move. */
  updatedAt: number;
  lastOutcome: CursorOutcome;
  /** Id of the last notification sent (receivers deduplicate on it). */
  lastNotificationId?: string;
}

const cursorSchema = z.looseObject({
  lastEventId: z.string().regex(/^\d+-\d+$/),
  updatedAt: z.number().int().nonnegative(),
  lastOutcome: z.enum(['delivered', 'nothing-to-send', 'failed', 'expired']),
  lastNotificationId: z.string().optional(),
});

/** One delivered message in the `delivered\t<channel>` history. */
export interface DeliveryRecord {
  /** The cursor before the move (exclusive; '' when the channel had none): the message carried the events after it. */
  after: string;
  /** The newest event the message carried (inclusive). */
  through: string;
  notificationId?: string;
  /** Redis-clock epoch ms when the delivery was recorded (just after the receiver accepted it). */
  at: number;
}

/** Deliveries kept per (service, channel) in the history field. */
export const DELIVERY_HISTORY = 20;

export function deliveredField(channel: string): string {
  return `delivered${FIELD_SEPARATOR}${channel}`;
}

const deliveryRecordsSchema = z.array(
  z.looseObject({
    after: z.string(),
    through: z.string().regex(/^\d+-\d+$/),
    notificationId: z.string().optional(),
    at: z.number().int().nonnegative(),
  }),
);

/** The history stored in a `delivered\t<channel>` field; an unreadable value reads as none. */
export function parseDeliveryRecords(text: string | null | undefined): DeliveryRecord[] {
  if (text === null || text === undefined) return [];
  try {
    const parsed = deliveryRecordsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** What `read` found: a cursor, none, or an unreadable value (treated as none; the next move repairs it). */
export interface CursorRead {
  cursor: NotifyCursor | undefined;
  /** Why the stored value was ignored, when it was. */
  unreadable?: string;
}

export type AdvanceResult = 'moved' | 'cursor-moved-meanwhile' | 'lease-lost';

/**
 * KEYS[1] notify hash. ARGV[1] lease field, ARGV[2] token, ARGV[3] ttl ms.
 * Takes the lease when free, expired or already ours (then extends it). Time is Redis time: workers on hosts
 * with skewed clocks still agree on expiry.
 */
const ACQUIRE = new LuaScript(
  'quorumdns-notify-lease-acquire',
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local sep = string.find(current, ' ', 1, true)
  if sep then
    local holder = string.sub(current, 1, sep - 1)
    local expires = tonumber(string.sub(current, sep + 1))
    if holder ~= ARGV[2] and expires ~= nil and expires > now then return 0 end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. (now + tonumber(ARGV[3])))
return 1
`,
  1,
);

/** KEYS[1] notify hash. ARGV[1] lease field, ARGV[2] token. Deletes the lease if it is still ours. */
const RELEASE = new LuaScript(
  'quorumdns-notify-lease-release',
  `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and string.sub(current, 1, #ARGV[2] + 1) == ARGV[2] .. ' ' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`,
  1,
);

/**
 * KEYS[1] notify hash. ARGV[1] cursor field, ARGV[2] lease field, ARGV[3] token, ARGV[4] expected
 * lastEventId ('' = no readable cursor), ARGV[5] new cursor JSON, ARGV[6..] more field/value pairs written
 * with it (a failure record). Returns 1 moved, 0 the cursor moved meanwhile, -1 the lease is someone else's.
 * A move to a `delivered` outcome also appends a `DeliveryRecord` (Redis time) to `delivered\t<channel>`.
 */
const ADVANCE = new LuaScript(
  'quorumdns-notify-cursor-advance',
  `
local lease = redis.call('HGET', KEYS[1], ARGV[2])
if not lease or string.sub(lease, 1, #ARGV[3] + 1) ~= ARGV[3] .. ' ' then return -1 end
local current = redis.call('HGET', KEYS[1], ARGV[1])
local last = ''
if current then
  local ok, decoded = pcall(cjson.decode, current)
  if ok and type(decoded) == 'table' and type(decoded.lastEventId) == 'string' then last = decoded.lastEventId end
end
if last ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[5])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
local okNext, nextCursor = pcall(cjson.decode, ARGV[5])
if okNext and type(nextCursor) == 'table' and nextCursor.lastOutcome == 'delivered' then
  local t = redis.call('TIME')
  local field = 'delivered\\t' .. ARGV[1]
  local history = {}
  local stored = redis.call('HGET', KEYS[1], field)
  if stored then
    local okStored, decoded = pcall(cjson.decode, stored)
    if okStored and type(decoded) == 'table' then history = decoded end
  end
  table.insert(history, {
    after = ARGV[4],
    through = nextCursor.lastEventId,
    notificationId = nextCursor.lastNotificationId,
    at = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000),
  })
  while #history > ${DELIVERY_HISTORY} do table.remove(history, 1) end
  redis.call('HSET', KEYS[1], field, cjson.encode(history))
end
return 1
`,
  1,
);

export function leaseField(channel: string): string {
  return `lease${FIELD_SEPARATOR}${channel}`;
}

/** A held lease: pass it to `advance` and `release`. */
export interface ChannelLease {
  service: string;
  channel: string;
  token: string;
}

export class NotifyCursorStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
  ) {}

  async read(service: string, channel: string): Promise<CursorRead> {
    const text = await this.redis.hget(this.keys.service(service).notify, channel);
    if (text === null) return { cursor: undefined };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { cursor: undefined, unreadable: `not JSON: ${JSON.stringify(text.slice(0, 40))}` };
    }
    const parsed = cursorSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        cursor: undefined,
        unreadable: `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`,
      };
    }
    return { cursor: parsed.data };
  }

  /** The lease of (service, channel) for `ttlMs`, or `undefined` while another worker holds it. */
  async acquire(service: string, channel: string, ttlMs: number): Promise<ChannelLease | undefined> {
    const token = randomBytes(9).toString('base64url');
    const got = await ACQUIRE.run(
      this.redis,
      [this.keys.service(service).notify],
      [leaseField(channel), token, String(Math.max(1, Math.ceil(ttlMs)))],
    );
    return got === 1 ? { service, channel, token } : undefined;
  }

  async release(lease: ChannelLease): Promise<void> {
    await RELEASE.run(
      this.redis,
      [this.keys.service(lease.service).notify],
      [leaseField(lease.channel), lease.token],
    );
  }

  /**
   * Moves the cursor from `expected` (the lastEventId read under the lease, `undefined` for none) to `next`,
   * writing `alsoWrite` (hash field -> value) in the same step.
   */
  async advance(
    lease: ChannelLease,
    expected: string | undefined,
    next: NotifyCursor,
    alsoWrite: Record<string, string> = {},
  ): Promise<AdvanceResult> {
    const reply = await ADVANCE.run(
      this.redis,
      [this.keys.service(lease.service).notify],
      [
        lease.channel,
        leaseField(lease.channel),
        lease.token,
        expected ?? '',
        JSON.stringify(next),
        ...Object.entries(alsoWrite).flat(),
      ],
    );
    if (reply === 1) return 'moved';
    return reply === 0 ? 'cursor-moved-meanwhile' : 'lease-lost';
  }
}

/** Whether stream id `id` is at or before `cursor` (ids compare by ms, then sequence). */
export function isCovered(id: string, cursor: NotifyCursor | undefined): boolean {
  if (cursor === undefined) return false;
  return compareStreamIds(id, cursor.lastEventId) <= 0;
}
