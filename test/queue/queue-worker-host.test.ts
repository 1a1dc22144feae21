/**
 * QueueWorkerHost against the real Redis: its worker takes the jobs of its queue under the deployment's
 * prefix, only once started, under the host's id; `close` ends the worker, closes what was handed over, then
 * both connections. Each test has a key prefix of its own.
 */
import { Redis } from 'ioredis';
import { QueueName } from '../../src/evaluator/queues';
import { memoryLogger } from '../../src/probe/logger';
import { QueueWorkerHost } from '../../src/queue/queue-worker-host';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';

const cleanup = new Redis(SHARED_REDIS_URL);
const prefixes: string[] = [];
const hosts: QueueWorkerHost[] = [];

function newHost(role: string): { host: QueueWorkerHost; logger: ReturnType<typeof memoryLogger> } {
  const queuePrefix = randomPrefix(`host-${role}`);
  prefixes.push(queuePrefix);
  const logger = memoryLogger();
  const host = new QueueWorkerHost({ role, id: 'test-1', redisUrl: SHARED_REDIS_URL, queuePrefix, logger });
  hosts.push(host);
  return { host, logger };
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

  it('refuses a second worker, and a start without one, saying which role', async () => {
    const { host } = newHost('evaluate');
    await expect(host.start()).rejects.toThrow('evaluate: start before createWorker');
    host.createWorker(QueueName.evaluate, async () => undefined, {});
    expect(() => host.createWorker(QueueName.evaluate, async () => undefined, {})).toThrow(
      'evaluate: the host already has a worker',
    );
  });
});
