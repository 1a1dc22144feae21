/**
 * Reads and writes `AppliedTarget` records (the service's `applied` hash). Every read is validated: a value
 * quorumdns did not write is a `CorruptAppliedError` naming the key and the field, never trusted for fencing.
 *
 * Writes go through one Lua script that refuses to move a target's `generation` backwards (unless forced by
 * `quorumdns sync`, which realigns the bookkeeping with the decision in Redis). The apply lease already keeps
 * two applies of one target apart; the check is the second line of defence should a lease ever be lost to a
 * paused process.
 */
import type { Redis } from 'ioredis';
import { CodedError } from '../errors/coded-error';
import { CorruptDataError } from '../evaluator/errors';
import { LuaScript } from '../evaluator/lua-script';
import { describeIssue } from '../evaluator/redis-schemas';
import type { RedisKeyLayout } from '../redis/keys';
import { type AppliedTarget, appliedField, appliedTargetSchema } from './applied-target';

/** A stored `AppliedTarget` does not have the shape quorumdns writes. */
export class CorruptAppliedError extends CorruptDataError {
  override readonly code = 'ECORRUPTAPPLIED';
}

/** The write would move a target's applied generation backwards (someone newer wrote first). */
export class StaleAppliedWriteError extends CodedError {
  readonly code = 'ESTALEAPPLIED';

  constructor(
    readonly key: string,
    readonly field: string,
    readonly stored: number,
    readonly attempted: number,
  ) {
    super(
      `refused to move the applied generation of ${field.replace('\t', '/')} back from ${stored} to ${attempted} (Redis key ${key})`,
    );
  }
}

/**
 * KEYS[1] applied hash. ARGV[1] field, ARGV[2] record JSON, ARGV[3] its generation ('' = null), ARGV[4] '1' to
 * force. Returns {1} when written, {0, stored generation} when refused.
 */
const WRITE_APPLIED = new LuaScript(
  'quorumdns-write-applied',
  `
if ARGV[4] ~= '1' and ARGV[3] ~= '' then
  local current = redis.call('HGET', KEYS[1], ARGV[1])
  if current then
    local ok, stored = pcall(cjson.decode, current)
    if ok and type(stored) == 'table' and type(stored.generation) == 'number'
      and stored.generation > tonumber(ARGV[3]) then
      return {0, stored.generation}
    end
  end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1}
`,
  1,
);

export interface WriteAppliedOptions {
  /** Write even if it lowers the stored generation (`quorumdns sync` realigning with a reset state). */
  force?: boolean;
}

export class AppliedStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeyLayout,
  ) {}

  /** The record of one target; `undefined` when nothing was ever attempted there. */
  async read(service: string, provider: string, zone: string): Promise<AppliedTarget | undefined> {
    const key = this.keys.service(service).applied;
    const field = appliedField(provider, zone);
    const text = await this.redis.hget(key, field);
    return text === null ? undefined : parseAppliedTarget(key, field, text);
  }

  /** Every target record of a service, by hash field (`<provider>\t<zone>`). */
  async readAll(service: string): Promise<Map<string, AppliedTarget>> {
    const key = this.keys.service(service).applied;
    return parseAppliedHash(key, await this.redis.hgetall(key));
  }

  /** Writes a record; throws `StaleAppliedWriteError` if that would lower the stored generation. */
  async write(service: string, record: AppliedTarget, options: WriteAppliedOptions = {}): Promise<void> {
    const key = this.keys.service(service).applied;
    const field = appliedField(record.provider, record.zone);
    const reply = (await WRITE_APPLIED.run(
      this.redis,
      [key],
      [
        field,
        JSON.stringify(record),
        record.generation === null ? '' : String(record.generation),
        options.force === true ? '1' : '0',
      ],
    )) as [number, number?];
    if (reply[0] !== 1) {
      throw new StaleAppliedWriteError(key, field, Number(reply[1]), record.generation ?? -1);
    }
  }
}

/** Validates one stored value; throws `CorruptAppliedError` naming key and field (and the path inside). */
export function parseAppliedTarget(key: string, field: string, text: string): AppliedTarget {
  const name = JSON.stringify(field);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CorruptAppliedError(
      key,
      name,
      `not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = appliedTargetSchema.safeParse(value);
  if (!parsed.success) {
    const issue = describeIssue(parsed.error, name);
    throw new CorruptAppliedError(key, issue.field, issue.problem);
  }
  const record = parsed.data as AppliedTarget;
  const expected = appliedField(record.provider, record.zone);
  if (expected !== field) {
    throw new CorruptAppliedError(
      key,
      name,
      `holds the record of ${JSON.stringify(expected)} (provider and zone do not match the field)`,
    );
  }
  return record;
}

/** Validates a whole `applied` hash (HGETALL); the first corrupt field throws. */
export function parseAppliedHash(key: string, hash: Record<string, string>): Map<string, AppliedTarget> {
  const records = new Map<string, AppliedTarget>();
  for (const [field, text] of Object.entries(hash)) records.set(field, parseAppliedTarget(key, field, text));
  return records;
}
