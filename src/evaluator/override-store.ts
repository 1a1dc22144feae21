/**
 * Operator overrides (freeze, force a pool in/out) per service: hash `ServiceKeys.overrides`, field = override
 * id, value = JSON `Override`.
 *
 * Expiry: an override is in force until `expiresAt` (Redis ms). `list` never returns an expired override.
 * Expired ones stay stored for `EXPIRED_OVERRIDE_GRACE_MS` so the evaluator can report "override X expired:
 * <what it was>" once; after that `set` prunes them, and the whole hash carries a PEXPIREAT of its last
 * expiry + grace, so a service whose overrides all expired leaves nothing behind.
 */
import type { Redis } from 'ioredis';
import type { RedisKeyLayout } from '../redis/keys';
import { isOverrideActive } from '../quorum/overrides';
import type { Override } from '../quorum/types';
import { CorruptOverrideError } from './errors';
import { overrideSchema, parseStoredJson } from './redis-schemas';

/** How long an expired override is kept (for the evaluator's "expired" event and for `status`). */
export const EXPIRED_OVERRIDE_GRACE_MS = 60 * 60 * 1000;

/**
 * KEYS[1] overrides hash; ARGV[1] id, ARGV[2] JSON, ARGV[3] grace ms.
 * Writes the override, prunes overrides expired longer than the grace, then sets the key's expiry to the
 * latest expiry + grace (or none while any override has no expiry). Uses the Redis clock.
 */
const SET_OVERRIDE_LUA = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local grace = tonumber(ARGV[3])
local latest = 0
local forever = false
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local ok, value = pcall(cjson.decode, all[i + 1])
  if ok and type(value) == 'table' then
    local expires = value['expiresAt']
    if type(expires) ~= 'number' then
      forever = true
    elseif expires + grace <= now then
      redis.call('HDEL', KEYS[1], all[i])
    elseif expires > latest then
      latest = expires
    end
  else
    -- Not ours to judge here: a corrupt value is reported by readers, and must not expire with the key.
    forever = true
  end
end
if forever then
  redis.call('PERSIST', KEYS[1])
elseif latest > 0 then
  redis.call('PEXPIREAT', KEYS[1], latest + grace)
end
return 1
`;

export class OverrideStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
  ) {}

  /** Stores (or replaces, by id) an override of `service`. */
  async set(service: string, override: Override): Promise<void> {
    const parsed = overrideSchema.safeParse(override);
    if (!parsed.success) throw new TypeError(`invalid override ${override.id}: ${parsed.error.message}`);
    await this.redis.eval(
      SET_OVERRIDE_LUA,
      1,
      this.keys.service(service).overrides,
      override.id,
      JSON.stringify(override),
      String(EXPIRED_OVERRIDE_GRACE_MS),
    );
  }

  /** Removes an override by id; false when there was none. */
  async remove(service: string, id: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.service(service).overrides, id)) === 1;
  }

  /** The overrides in force at `nowMs` (Redis ms), sorted by creation time. */
  async list(service: string, nowMs: number): Promise<Override[]> {
    return activeAt(await this.listStored(service), nowMs);
  }

  /** Every stored override, recently expired ones included (what the decision core wants). */
  async listStored(service: string): Promise<Override[]> {
    const key = this.keys.service(service).overrides;
    return parseOverrideHash(key, await this.redis.hgetall(key));
  }

  /** Active overrides of several services in one round trip (services without any map to `[]`). */
  async listAll(services: string[], nowMs: number): Promise<Map<string, Override[]>> {
    const stored = await this.listAllStored(services);
    return new Map([...stored].map(([service, overrides]) => [service, activeAt(overrides, nowMs)]));
  }

  async listAllStored(services: string[]): Promise<Map<string, Override[]>> {
    const pipeline = this.redis.pipeline();
    const keys = services.map((service) => this.keys.service(service).overrides);
    for (const key of keys) pipeline.hgetall(key);
    const replies = (await pipeline.exec()) ?? [];
    const result = new Map<string, Override[]>();
    services.forEach((service, index) => {
      const [error, hash] = replies[index] ?? [new Error('no reply'), {}];
      if (error) throw error;
      result.set(service, parseOverrideHash(keys[index] as string, hash as Record<string, string>));
    });
    return result;
  }
}

function activeAt(overrides: Override[], nowMs: number): Override[] {
  return overrides.filter((override) => isOverrideActive(override, nowMs));
}

export function parseOverrideHash(key: string, hash: Record<string, string>): Override[] {
  const overrides: Override[] = [];
  for (const [id, text] of Object.entries(hash)) {
    const fail = (field: string, problem: string): never => {
      throw new CorruptOverrideError(key, field, problem);
    };
    const override = parseStoredJson(text, overrideSchema, id, fail) as unknown as Override;
    if (override.id !== id) fail(`${id}.id`, `${JSON.stringify(override.id)} differs from the hash field`);
    overrides.push(override);
  }
  return overrides.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
