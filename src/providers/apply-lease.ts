/**
 * One apply at a time per (service, provider target). Two applies of one target interleaving could submit an
 * older answer after a newer one; the lease makes them take turns, and the fencing check under it makes
 * the later one see what the earlier one applied.
 *
 * The lease is a field of the service's `applyLease` hash (`<provider>\t<zone>` -> `<expiresAt>|<token>`), so it
 * lives in the service's hash-tag slot with the rest of its keys. Expiry is measured on the Redis clock
 * (TIME inside the scripts), so hosts with skewed clocks agree on when a lease of a dead holder ends. The
 * holder renews it while the apply runs and releases it by token (compare-and-delete): a holder whose lease
 * expired can never release or renew someone else's.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CodedError } from '../errors/coded-error';
import { LuaScript } from '../evaluator/lua-script';
import type { RedisKeyLayout } from '../redis/keys';
import { appliedField } from './applied-target';

/** Shared by the scripts: `now` in Redis ms, and the holder/expiry of `current` (`<expiresAt>|<token>`). */
const PARSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local current = redis.call('HGET', KEYS[1], ARGV[1])
local holder, expires = nil, 0
if current then
  local sep = string.find(current, '|', 1, true)
  if sep then
    expires = tonumber(string.sub(current, 1, sep - 1)) or 0
    holder = string.sub(current, sep + 1)
  end
end
`;

/** Keeps the hash alive as long as its longest lease, so leases of deleted services do not linger. */
const EXTEND_KEY = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
`;

/** KEYS[1] lease hash; ARGV[1] field, ARGV[2] token, ARGV[3] ttl ms. {1} taken, {0, holder, ms left} busy. */
const ACQUIRE = new LuaScript(
  'quorumdns-apply-lease-acquire',
  `${PARSE}
if holder and holder ~= ARGV[2] and expires > now then
  return {0, holder, expires - now}
end
redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[3])) .. '|' .. ARGV[2])
${EXTEND_KEY}
return {1}
`,
  1,
);

/** KEYS[1] lease hash; ARGV[1] field, ARGV[2] token, ARGV[3] ttl ms. 1 renewed, 0 lost. */
const RENEW = new LuaScript(
  'quorumdns-apply-lease-renew',
  `${PARSE}
if holder ~= ARGV[2] or expires <= now then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], (now + tonumber(ARGV[3])) .. '|' .. ARGV[2])
${EXTEND_KEY}
return 1
`,
  1,
);

/** KEYS[1] lease hash; ARGV[1] field, ARGV[2] token. 1 released, 0 not ours (expired and taken, or gone). */
const RELEASE = new LuaScript(
  'quorumdns-apply-lease-release',
  `${PARSE}
if holder ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
`,
  1,
);

/** The lease was lost while the apply ran (expired without renewal, e.g. Redis unreachable for too long). */
export class LeaseLostError extends CodedError {
  readonly code = 'ELEASELOST';
}

/** Someone else holds the lease (`acquire` with a wait that ran out). */
export class LeaseBusyError extends CodedError {
  readonly code = 'ELEASEBUSY';

  constructor(
    readonly target: string,
    readonly holder: string,
    readonly remainingMs: number,
  ) {
    super(
      `another apply of ${target} is running (lease held by ${holder} for up to ${Math.ceil(remainingMs / 1000)} s more)`,
    );
  }
}

export interface ApplyLeaseOptions {
  /** How long a lease lasts without renewal: a crashed holder blocks its target this long. @defaultValue 30000 */
  ttlMs?: number;
  /** How often a holder renews. @defaultValue ttlMs / 3 */
  renewEveryMs?: number;
}

/** A lease this process holds. */
export interface HeldLease {
  readonly token: string;
  /** Aborted (with a `LeaseLostError` as reason) when the lease could not be renewed: stop writing. */
  readonly signal: AbortSignal;
  /** Stops renewing and deletes the lease if it is still ours. Never throws. */
  release(): Promise<void>;
}

export type AcquireResult =
  { acquired: true; lease: HeldLease } | { acquired: false; holder: string; remainingMs: number };

export class ApplyLease {
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
    options: ApplyLeaseOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
  }

  /** Takes the lease if it is free (or expired); otherwise says who holds it. `owner` shows in the token. */
  async tryAcquire(service: string, provider: string, zone: string, owner: string): Promise<AcquireResult> {
    const key = this.keys.service(service).applyLease;
    const field = appliedField(provider, zone);
    const token = `${owner}#${randomBytes(6).toString('hex')}`;
    const reply = (await ACQUIRE.run(this.redis, [key], [field, token, String(this.ttlMs)])) as [
      number,
      string?,
      number?,
    ];
    if (reply[0] !== 1) {
      return { acquired: false, holder: String(reply[1] ?? '?'), remainingMs: Number(reply[2] ?? 0) };
    }
    return { acquired: true, lease: this.hold(key, field, token) };
  }

  /**
   * Waits for the lease (polling with jitter) up to `waitMs`; throws `LeaseBusyError` when it stays taken.
   * For `quorumdns sync`, which an operator runs while evaluators may be applying.
   */
  async acquire(
    service: string,
    provider: string,
    zone: string,
    owner: string,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<HeldLease> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const result = await this.tryAcquire(service, provider, zone, owner);
      if (result.acquired) return result.lease;
      if (Date.now() >= deadline || signal?.aborted) {
        throw new LeaseBusyError(`${service} at ${provider}/${zone}`, result.holder, result.remainingMs);
      }
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }

  private hold(key: string, field: string, token: string): HeldLease {
    const controller = new AbortController();
    let lastRenewedAt = Date.now();
    let renewing: Promise<void> = Promise.resolve();
    const lose = (why: string): void => {
      if (controller.signal.aborted) return;
      clearInterval(timer);
      controller.abort(new LeaseLostError(`apply lease ${key} ${JSON.stringify(field)} lost: ${why}`));
    };
    const timer = setInterval(() => {
      renewing = (async () => {
        try {
          const renewed = await RENEW.run(this.redis, [key], [field, token, String(this.ttlMs)]);
          if (renewed === 1) lastRenewedAt = Date.now();
          else lose('it expired and another apply may have taken it');
        } catch (error) {
          // Redis unreachable: keep trying until the lease would have expired anyway.
          if (Date.now() - lastRenewedAt >= this.ttlMs) {
            lose(
              `not renewed for ${this.ttlMs} ms (${error instanceof Error ? error.message : String(error)})`,
            );
          }
        }
      })();
    }, this.renewEveryMs);
    // A lease must never keep a stopping process alive.
    timer.unref();
    return {
      token,
      signal: controller.signal,
      release: async () => {
        clearInterval(timer);
        await renewing;
        try {
          await RELEASE.run(this.redis, [key], [field, token]);
        } catch {
          // Unreachable Redis: the lease expires on its own after ttlMs.
        }
      },
    };
  }
}
