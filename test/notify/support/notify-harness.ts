/**
 * The notify worker against the real Redis (random key prefix), real BullMQ and a real local webhook
 * receiver. Events are appended to the service's stream and their notify jobs added by the evaluator's own
 * dispatcher, exactly as an evaluation commit does; the worker's log lines are kept for assertions.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config, NotificationChannel, NotificationRoute, Service } from '../../../src/config/types';
import { EventLog } from '../../../src/evaluator/event-log';
import { JobDispatcher } from '../../../src/evaluator/job-dispatcher';
import { type ApplyJobData, type NotifyJobData, QueueName } from '../../../src/evaluator/queues';
import { redisTimeMs } from '../../../src/evaluator/redis-time';
import type { StoredEvent, StoredEventInput } from '../../../src/evaluator/service-record';
import { FailedNotificationStore } from '../../../src/notify/failed-notifications';
import { NotifyWorker, type NotifyWorkerOptions } from '../../../src/notify/notify-worker';
import { memoryLogger } from '../../../src/probe/logger';
import { type RedisKeyLayout, redisKeys } from '../../../src/redis/keys';
import { buildConfig, endpoint, service as buildService, tcpCheck } from '../../support/config-builder';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../../support/redis-test-keys';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** The secret part of the test channels' URLs: must never show up in a log line or an error. */
export const SECRET_PATH = '/hooks/T0SECRETAAA/B0SECRETBBB/xoxSecretTokenCCC123';
export const SECRET_PARTS = ['T0SECRETAAA', 'B0SECRETBBB', 'xoxSecretTokenCCC123'];

export type EventSpec = Partial<StoredEventInput> & Pick<StoredEventInput, 'kind'>;

export interface HarnessOptions {
  /** Routes of service `api` (channels `ops` and `audit` exist). */
  routes: Array<Partial<NotificationRoute> & { channel: string }>;
  /** Channel timeout (ms). @defaultValue 3000 */
  timeoutMs?: number;
}

export interface NotifyHarness {
  prefix: string;
  redis: Redis;
  keys: RedisKeyLayout;
  receiver: WebhookReceiver;
  config: Config;
  env: NodeJS.ProcessEnv;
  logger: ReturnType<typeof memoryLogger>;
  queue: Queue<NotifyJobData>;
  failures: FailedNotificationStore;
  startWorker(options?: Partial<NotifyWorkerOptions>): Promise<NotifyWorker>;
  /** Appends events of service `api` (one commit: same `at`) and adds their notify jobs. */
  emit(events: EventSpec[]): Promise<StoredEvent[]>;
  /** Appends events without adding jobs. */
  append(events: EventSpec[]): Promise<StoredEvent[]>;
  /** Every log line as one text (redaction checks). */
  logText(): string;
  dispose(): Promise<void>;
}

export function apiService(routes: HarnessOptions['routes']): Service {
  const check = tcpCheck({ port: 9 });
  const base = buildService('api', {
    pools: { a: [endpoint('a1', check)], b: [endpoint('b1', check)] },
    probeRegions: ['r1', 'r2', 'r3'],
  });
  return {
    ...base,
    notify: routes.map((route) => ({ minSeverity: 'info', quietPeriod: 0, maxReminders: 3, ...route })),
  };
}

export async function createNotifyHarness(name: string, options: HarnessOptions): Promise<NotifyHarness> {
  const prefix = randomPrefix(`notify-${name}`);
  const redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: null });
  const keys = redisKeys(prefix);
  const receiver = await startWebhookReceiver();
  const channel = (channelName: string): NotificationChannel => ({
    name: channelName,
    type: 'webhook',
    url: { kind: 'env', name: `QDNS_TEST_HOOK_${channelName.toUpperCase()}` },
    timeout: options.timeoutMs ?? 3000,
  });
  const config: Config = {
    ...buildConfig({ services: [apiService(options.routes)], keyPrefix: prefix, redisUrl: SHARED_REDIS_URL }),
    notifications: { ops: channel('ops'), audit: channel('audit') },
  };
  const env = {
    QDNS_TEST_HOOK_OPS: `${receiver.url}/ops${SECRET_PATH}`,
    QDNS_TEST_HOOK_AUDIT: `${receiver.url}/audit${SECRET_PATH}`,
  };
  const logger = memoryLogger();
  const queue = new Queue<NotifyJobData>(QueueName.notify, { connection: redis, prefix });
  const applyQueue = new Queue<ApplyJobData>(QueueName.apply, { connection: redis, prefix });
  const dispatcher = new JobDispatcher(applyQueue, queue);
  const eventLog = new EventLog(redis, keys);
  const workers: NotifyWorker[] = [];
  const append = async (specs: EventSpec[]): Promise<StoredEvent[]> => {
    const at = await redisTimeMs(redis);
    const inputs: StoredEventInput[] = specs.map((spec) => ({
      severity: 'warning',
      service: 'api',
      message: `api: ${spec.kind}${spec.pool ? ` ${spec.pool}` : ''}`,
      at,
      generation: 1,
      ...spec,
    }));
    const ids = await eventLog.append('api', inputs);
    return inputs.map((input, index) => ({ ...input, id: ids[index] as string }));
  };

  return {
    prefix,
    redis,
    keys,
    receiver,
    config,
    env,
    logger,
    queue,
    failures: new FailedNotificationStore(redis, keys),
    async startWorker(overrides = {}) {
      const worker = await NotifyWorker.start({
        config: () => config,
        redisUrl: SHARED_REDIS_URL,
        logger,
        env,
        leaseRetryMs: 100,
        ownerPollMs: 250,
        ...overrides,
      });
      workers.push(worker);
      return worker;
    },
    async emit(specs) {
      const stored = await append(specs);
      await dispatcher.dispatch(config.services.api as Service, 1, false, stored);
      return stored;
    },
    append,
    logText: () => logger.entries.map((entry) => JSON.stringify(entry)).join('\n'),
    async dispose() {
      await Promise.all(workers.map((worker) => worker.close(true)));
      await receiver.close();
      await Promise.all([queue.close(), applyQueue.close()]);
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

/** A failover as one evaluation commits it: the drain and the decision, same time, same generation. */
export function failoverEvents(pool = 'a'): EventSpec[] {
  return [
    {
      kind: 'pool-drained',
      pool,
      rule: 'quorum',
      message: `api: pool ${pool} drained: 3 of 3 probe regions say down`,
    },
    {
      kind: 'decision-changed',
      rule: 'quorum',
      message: 'api: decision changed: b serves',
      decision: {
        before: { pools: [{ pool: 'a', weight: 1, endpoints: ['a1'] }] },
        after: { pools: [{ pool: 'b', weight: 1, endpoints: ['b1'] }] },
      },
      explanation: ['pool a: down (3 of 3 regions)', 'answer: b'],
    },
  ];
}
