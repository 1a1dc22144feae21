/**
 * A BullMQ worker together with the Redis connections it owns, run the way every quorumdns worker runs one
 * (evaluate, apply, notify, scheduled drills):
 * - two connections of its own (src/evaluator/evaluator-redis.ts): the fail-fast `commands` connection for
 *   queue adds and the processor's reads, and the blocking `worker` connection BullMQ requires. They are named
 *   after the role and id (`quorumdns-apply:<id>`, `quorumdns-apply-worker:<id>`), so `CLIENT LIST` shows who
 *   holds what; and being its own, a slow webhook or provider never takes slots from an evaluation;
 * - queues on the commands connection, under the deployment's prefix;
 * - errors of queues and worker, and stalled jobs recovered, are logged, never thrown: they are Redis
 *   hiccups the connections recover from;
 * - `close` goes in the order that loses nothing: the worker first (jobs in flight finish unless forced),
 *   then whatever the owner handed over (`closeWith`) and the queues, in the order they were given, then the
 *   connections.
 */
import { type Processor, Queue, Worker, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createEvaluatorRedis } from '../evaluator/evaluator-redis';
import type { QueueName } from '../evaluator/queues';
import type { Logger } from '../probe/logger';

export interface QueueWorkerHostOptions {
  /** What the worker does (`apply`, `notify`): its log lines and connection names say it. */
  role: string;
  /** Who runs it: the worker's BullMQ name (each job's `processedBy`) and its connections' names. */
  id: string;
  /**
   * What the connection names say instead of the role, where the two differ: the evaluator's connections have
   * always been `quorumdns-evaluator…`, while its jobs and log lines say `evaluate`. @defaultValue role
   */
  connectionRole?: string;
  /** Resolved Redis URL (never logged). */
  redisUrl: string;
  /** BullMQ prefix of the deployment's queues (`RedisKeyLayout.queuePrefix`). */
  queuePrefix: string;
  logger: Logger;
}

/** The worker settings that differ between workers; connection, prefix, name and autorun are the host's. */
export type QueueWorkerSettings = Pick<
  WorkerOptions,
  'concurrency' | 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'settings'
>;

/**
 * Something closed with the host, after its worker and before its connections. It is told whether the host's
 * close is forced, so that a resource with work in flight (another worker) abandons it too.
 */
export interface Closable {
  close(force?: boolean): Promise<unknown>;
}

export class QueueWorkerHost {
  /** Fail-fast connection for the processor's commands and queue adds. */
  readonly commands: Redis;
  private readonly workerConnection: Redis;
  private readonly owned: Closable[] = [];
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: QueueWorkerHostOptions) {
    const { id, redisUrl } = options;
    const named = options.connectionRole ?? options.role;
    this.commands = createEvaluatorRedis(redisUrl, 'commands', `quorumdns-${named}:${id}`);
    this.workerConnection = createEvaluatorRedis(redisUrl, 'worker', `quorumdns-${named}-worker:${id}`);
  }

  /** A queue on the commands connection, closed with the host. */
  queue<Data>(name: QueueName): Queue<Data> {
    const queue = new Queue<Data>(name, { connection: this.commands, prefix: this.options.queuePrefix });
    queue.on('error', (error: Error) =>
      this.options.logger.log('warn', `${this.options.role} queue error`, { error: error.message }),
    );
    this.owned.push(queue);
    return queue;
  }

  /** Closed with the host, after its worker and what was handed over or opened before it (an adapter pool). */
  closeWith(resource: Closable): void {
    this.owned.push(resource);
  }

  /** The host's one worker, on `name`; it takes no job before `start`. */
  createWorker<Data, Result>(
    name: QueueName,
    processor: Processor<Data, Result>,
    settings: QueueWorkerSettings,
  ): Worker<Data, Result> {
    if (this.worker !== undefined) throw new Error(`${this.options.role}: the host already has a worker`);
    const { role, logger } = this.options;
    const worker = new Worker<Data, Result>(name, processor, {
      ...settings,
      connection: this.workerConnection,
      prefix: this.options.queuePrefix,
      name: this.options.id,
      autorun: false,
    });
    worker.on('error', (error: Error) =>
      logger.log('warn', `${role} worker error`, { error: error.message }),
    );
    // Jobs of a worker that died mid-job (kill -9, lost host) come back to the queue and run again.
    worker.on('stalled', (jobId: string) => logger.log('warn', `recovered a stalled ${role} job`, { jobId }));
    this.worker = worker;
    return worker;
  }

  /** Starts taking jobs; when the worker cannot get ready, everything is closed and the error thrown. */
  async start(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) throw new Error(`${this.options.role}: start before createWorker`);
    try {
      void worker.run().catch((error: unknown) => {
        this.options.logger.log('error', `${this.options.role} worker stopped`, {
          error: error instanceof Error ? error.message : String(error),
        });
      });
      await worker.waitUntilReady();
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  isRunning(): boolean {
    return this.closing === undefined && this.worker?.isRunning() === true;
  }

  /**
   * Graceful: jobs in flight finish; `force` abandons them (BullMQ hands them to another worker), and is
   * passed on to what was handed over.
   */
  close(force = false): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close(force).catch(() => undefined);
      for (const resource of this.owned) await resource.close(force).catch(() => undefined);
      await Promise.all([
        this.commands.quit().catch(() => undefined),
        this.workerConnection.quit().catch(() => undefined),
      ]);
      this.commands.disconnect();
      this.workerConnection.disconnect();
    })();
    return this.closing;
  }
}
