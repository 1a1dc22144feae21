/**
 * QueueWorkerHost against the real Redis: its worker takes the jobs of its queue under the deployment's
 * prefix, only once started, under the host's id; its connections are named after the role (or the
 * connection role) and id; `close` ends the worker, closes what was handed over (telling it whether the close
 * is forced), then both connections. Each test has a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { QueueName } from '../../src/evaluator/queues';
import { memoryLogger } from '../../src/probe/logger';
import { QueueWorkerHost, type QueueWorkerHostOptions } from '../../src/queue/queue-worker-host';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';

const cleanup = new Redis(SHARED_REDIS_URL);
const prefixes: string[] = [];
const hosts: QueueWorkerHost[] = [];

function newHost(
  role: string,
  options: Partial<Pick<QueueWorkerHostOptions, 'id' | 'connectionRole'>> = {},
): { host: QueueWorkerHost; logger: ReturnType<typeof memoryLogger> } {
  const queuePrefix = randomPrefix(`host-${role}`);
  prefixes.push(queuePrefix);
  const logger = memoryLogger();
  const host = new QueueWorkerHost({
    role,
    id: 'test-1',
    ...options,
    redisUrl: SHARED_REDIS_URL,
    queuePrefix,
    logger,
  });
  hosts.push(host);
  return { host, logger };
}

/** The names of the connections Redis has now (`CLIENT LIST`). */
async function connectionNames(): Promise<string[]> {
  const list = String(await cleanup.client('LIST'));
  return [...list.matchAll(/ name=(\S*)/g)].map((match) => match[1] as string);
}

afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close(true)));
  for (const prefix of prefixes) await deleteKeys(cleanup, prefix);
  await cleanup.quit();
});

describe('QueueWorkerHost', () => {
  it("takes its queue's jobs once started, under the deployment's prefix, as the named worker", async () => {
    const { host } = newHost('notify');
    const queue = host.queue<{ n: number }>(QueueName.notify);
    const seen: number[] = [];
    host.createWorker<{ n: number }, string>(
      QueueName.notify,
      async (job) => {
        seen.push(job.data.n);
        return 'done';
      },
      { concurrency: 2 },
    );

    // Added before start: nothing takes it until the host starts (the worker does not autorun).
    const first = await queue.add('one', { n: 1 });
    await host.start();
    expect(host.isRunning()).toBe(true);
    const second = await queue.add('two', { n: 2 });

    await waitFor(() => seen.length === 2, { timeoutMs: 20_000, what: 'both jobs to be processed' });
    expect(seen.sort()).toEqual([1, 2]);
    for (const added of [first, second]) {
      const job = await queue.getJob(added.id as string);
      expect(job?.processedBy).toBe('test-1');
      expect(job?.returnvalue).toBe('done');
    }
    const prefix = prefixes.at(-1) as string;
    expect((await cleanup.keys(`${prefix}:${QueueName.notify}:*`)).length).toBeGreaterThan(0);
  });

  it('closes the worker, then what it was handed, then both connections', async () => {
    const { host } = newHost('apply');
    host.queue(QueueName.apply);
    const order: string[] = [];
    host.closeWith({
      close: async () => {
        order.push(`resource closed while the commands connection was ${host.commands.status}`);
      },
    });
    host.createWorker(QueueName.apply, async () => 'ok', {});
    await host.start();

    await host.close();

    expect(host.isRunning()).toBe(false);
    expect(order).toEqual(['resource closed while the commands connection was ready']);
    await waitFor(() => host.commands.status === 'end', {
      timeoutMs: 10_000,
      what: 'the commands connection to end',
    });
    // Closing again is the same close, not a second one.
    await expect(host.close()).resolves.toBeUndefined();
    expect(order).toHaveLength(1);
  });

  it('names its connections after the role and id, or after the connection role when it has one', async () => {
    // An id of this run's own: other test files' hosts may be connected to the shared Redis at the same time.
    const id = `names-${randomBytes(4).toString('hex')}`;
    newHost('apply', { id });
    newHost('evaluate', { id, connectionRole: 'evaluator' });
    const expected = [
      `quorumdns-apply:${id}`,
      `quorumdns-apply-worker:${id}`,
      `quorumdns-evaluator:${id}`,
      `quorumdns-evaluator-worker:${id}`,
    ];

    await waitFor(
      async () => {
        const names = await connectionNames();
        return expected.every((name) => names.includes(name));
      },
      { timeoutMs: 10_000, what: 'the four named connections in CLIENT LIST' },
    );
    const ours = (await connectionNames()).filter((name) => name.endsWith(`:${id}`));
    expect(ours.sort()).toEqual(expected.sort());
  });

  it('tells what it was handed whether the close is forced', async () => {
    const told: Array<boolean | undefined> = [];
    const closable = {
      close: async (force?: boolean) => {
        told.push(force);
      },
    };
    const { host: graceful } = newHost('notify');
    graceful.closeWith(closable);
    const { host: forced } = newHost('notify');
    forced.closeWith(closable);

    await graceful.close();
    await forced.close(true);

    expect(told).toEqual([false, true]);
  });

  it('refuses a second worker, and a start without one, saying which role', async () => {
    const { host } = newHost('evaluate');
    await expect(host.start()).rejects.toThrow('evaluate: start before createWorker');
    host.createWorker(QueueName.evaluate, async () => undefined, {});
    expect(() => host.createWorker(QueueName.evaluate, async () => undefined, {})).toThrow(
      'evaluate: the host already has a worker',
    );
  });
});
