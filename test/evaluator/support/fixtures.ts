/**
 * Test fixtures of the evaluator: a small service (pools `a` and `b`, two endpoints each, three probe
 * regions), and a "probe side" that writes opinions and heartbeats into Redis exactly as probe workers do
 * (key layout of src/redis/keys.ts, `HeartbeatRecord` JSON, Redis server time).
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config, Safety, Service } from '../../../src/config/types';
import { QueueName } from '../../../src/evaluator/queues';
import type { ServiceRecord } from '../../../src/evaluator/service-record';
import { decide } from '../../../src/quorum/decide';
import { redisTimeMs } from '../../../src/evaluator/redis-time';
import { type HeartbeatRecord, opinionField, type RedisKeyLayout, redisKeys } from '../../../src/redis/keys';
import { deleteKeys } from '../../support/redis-test-keys';
import { waitFor } from '../../support/wait-for';
import { buildConfig, endpoint, service as buildService, tcpCheck } from '../../support/config-builder';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REGIONS = ['r1', 'r2', 'r3'];
export const POOL_A = ['a1', 'a2'];
export const POOL_B = ['b1', 'b2'];

export function randomPrefix(name: string): string {
  return `qdns-test-eval-${name}-${randomBytes(4).toString('hex')}`;
}

export interface TestServiceOptions {
  safety?: Partial<Safety>;
  staleAfter?: number;
}

/** Failover `a` (priority 1) -> `b`; one provider target; `ops` gets warnings and up, `audit` everything. */
export function testService(name: string, options: TestServiceOptions = {}): Service {
  const check = tcpCheck({ port: 9, interval: 1000 });
  const base = buildService(name, {
    pools: {
      a: POOL_A.map((id) => endpoint(id, check)),
      b: POOL_B.map((id) => endpoint(id, check)),
    },
    probeRegions: REGIONS,
    staleAfter: options.staleAfter ?? 3000,
  });
  return {
    ...base,
    safety: { ...base.safety, failbackAfter: 2000, ...options.safety },
    providers: [{ provider: 'route53-main', zone: 'Z123', mode: 'rewrite' }],
    notify: [
      { channel: 'ops', minSeverity: 'warning', quietPeriod: 0, maxReminders: 3 },
      { channel: 'audit', minSeverity: 'info', quietPeriod: 0, maxReminders: 3 },
    ],
  };
}

/** The record an evaluation commits for `service`'s first decision (no opinions yet), dated `now`. */
export function firstDecisionRecord(service: string, generation: number, now: number): ServiceRecord {
  const output = decide({
    service: testService(service),
    opinions: {},
    heartbeatAges: {},
    previous: undefined,
    overrides: [],
    now,
  });
  return {
    state: output.state,
    generation,
    decidedAt: now,
    evaluatedAt: now,
    explanation: output.explanation,
    configHash: 'hash-1',
    evaluatedBy: 'test',
  };
}

export function testConfig(prefix: string, services: Service[]): Config {
  return buildConfig({ services, keyPrefix: prefix, probeRegions: REGIONS });
}

/** Writes what probe workers would write. */
export class ProbeSide {
  private beating: NodeJS.Timeout | undefined;
  private readonly live = new Set<string>(REGIONS);

  constructor(
    readonly redis: Redis,
    readonly keys: RedisKeyLayout,
  ) {}

  async setOpinions(
    service: string,
    endpoints: string[],
    regions: string[],
    opinion: 'up' | 'down',
  ): Promise<void> {
    const fields: string[] = [];
    for (const id of endpoints) for (const region of regions) fields.push(opinionField(id, region), opinion);
    await this.redis.hset(this.keys.service(service).opinions, ...fields);
  }

  async allUpPools(service: string, endpoints: string[]): Promise<void> {
    await this.setOpinions(service, endpoints, REGIONS, 'up');
  }

  async allUp(service: string): Promise<void> {
    await this.setOpinions(service, [...POOL_A, ...POOL_B], REGIONS, 'up');
  }

  /** One heartbeat per live region, stamped with the Redis clock (as the probe's heartbeat script does). */
  async beat(): Promise<void> {
    const time = await redisTimeMs(this.redis);
    const fields: string[] = [];
    for (const region of this.live) {
      const record: HeartbeatRecord = {
        workerId: `w-${region}`,
        region,
        version: 'test',
        configHash: 'test',
        time,
      };
      fields.push(region, JSON.stringify(record));
    }
    if (fields.length > 0) await this.redis.hset(this.keys.heartbeats, ...fields);
  }

  /** Keeps beating every 200 ms for the live regions (like workers running). */
  startBeating(): void {
    void this.beat();
    this.beating = setInterval(() => void this.beat().catch(() => undefined), 200);
  }

  /** The region's workers stop: its heartbeat ages from now on. */
  silence(region: string): void {
    this.live.delete(region);
  }

  /** The region's workers are back. */
  revive(region: string): void {
    this.live.add(region);
  }

  stop(): void {
    clearInterval(this.beating);
  }
}

/** A Redis client and key layout for one test file; `dispose` deletes every key of the prefix. */
export function testRedis(name: string): {
  redis: Redis;
  prefix: string;
  keys: RedisKeyLayout;
  dispose(): Promise<void>;
} {
  const prefix = randomPrefix(name);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    redis,
    prefix,
    keys: redisKeys(prefix),
    async dispose() {
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/** Read-only handles on the apply and notify queues of a prefix. */
export function jobQueues(
  redis: Redis,
  prefix: string,
): { apply: Queue; notify: Queue; evaluate: Queue; close(): Promise<void> } {
  const apply = new Queue(QueueName.apply, { connection: redis, prefix });
  const notify = new Queue(QueueName.notify, { connection: redis, prefix });
  const evaluate = new Queue(QueueName.evaluate, { connection: redis, prefix });
  return {
    apply,
    notify,
    evaluate,
    async close() {
      await Promise.all([apply.close(), notify.close(), evaluate.close()]);
    },
  };
}

export { deleteKeys, waitFor };
