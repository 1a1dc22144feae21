/**
 * Fencing through the real apply queue (BullMQ on the real Redis): an apply job never publishes an answer
 * older than the one applied. A job older than the applied generation is dropped; an old job that runs after
 * the decision moved on applies the NEWEST decision (and the newer job is then dropped); the same generation
 * delivered twice changes DNS once.
 */
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { EventLog } from '../../../src/evaluator/event-log';
import { type ApplyJobData, QueueName } from '../../../src/evaluator/queues';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { AppliedStore } from '../../../src/providers/applied-store';
import { type ApplyJobResult, ApplyWorker } from '../../../src/providers/apply-worker';
import { recordSetKey } from '../../../src/providers/record-set';
import {
  answerOf,
  applyConfig,
  applyRedis,
  applyService,
  commitDecision,
  FAST_SYNC,
  MEMORY_ZONE,
  newMemory,
  POOL_ADDRESS,
  completedResult,
  SHARED_REDIS_URL,
  type TaggedCall,
  taggedAdapter,
  addApplyJob,
} from './support/apply-fixture';

const fixture = applyRedis('fencing');
const { redis, keys, prefix } = fixture;
const SERVICES = ['api', 'late', 'dup'].map((name) => applyService(name, ['mem']));
const config = applyConfig(prefix, SERVICES, ['mem']);
const memory = newMemory('mem');
const calls: TaggedCall[] = [];
const states = new StateStore(redis, keys);
const applied = new AppliedStore(redis, keys);
const events = new EventLog(redis, keys);
const queue = new Queue<ApplyJobData, ApplyJobResult>(QueueName.apply, { connection: redis, prefix });
const registry = new Registry();
let worker: ApplyWorker;

beforeAll(async () => {
  worker = await ApplyWorker.start({
    config: () => config,
    redisUrl: SHARED_REDIS_URL,
    id: 'fencing-worker',
    logger: memoryLogger(),
    registry,
    createAdapter: () => taggedAdapter(memory, 'fencing-worker', calls),
    sync: FAST_SYNC,
  });
});

afterAll(async () => {
  await worker?.close();
  await queue.close();
  await fixture.dispose();
});

function service(name: string) {
  const found = SERVICES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(name);
  return found;
}

/** Adds an apply job (its deterministic id, plus `suffix` to stand for a re-added or second job). */
function addJob(service: string, generation: number, suffix = ''): Promise<string> {
  return addApplyJob(queue, { service, generation, suffix });
}

function finished(jobId: string): Promise<ApplyJobResult> {
  return completedResult(queue, jobId);
}

function writesOf(name: string): number {
  return memory.writesPerSet.get(recordSetKey({ name, type: 'A' })) ?? 0;
}

test('a job older than the applied generation is dropped: DNS never goes back', async () => {
  memory.seed(MEMORY_ZONE, [
    { name: 'api.example.com', type: 'A', ttl: 30, values: [POOL_ADDRESS.a as string] },
  ]);
  await commitDecision(states, service('api'), 5, 'b');
  expect(await finished(await addJob('api', 5))).toMatchObject({ outcome: 'applied', generation: 5 });
  expect(answerOf(memory, 'api.example.com')).toEqual([POOL_ADDRESS.b]);
  const status = await applied.read('api', 'mem', MEMORY_ZONE);
  expect(status).toMatchObject({ generation: 5, syncState: 'in-sync' });
  expect(status?.changeIds).toHaveLength(1);

  // A retried or delayed job of generation 3 (whose decision served `a`) arrives afterwards.
  const writesBefore = memory.count('apply');
  const dropped = await finished(await addJob('api', 3));
  expect(dropped).toEqual({ outcome: 'dropped', reason: 'job generation 3 <= applied generation 5' });
  expect(memory.count('apply')).toBe(writesBefore);
  expect(answerOf(memory, 'api.example.com')).toEqual([POOL_ADDRESS.b]);
  expect((await applied.read('api', 'mem', MEMORY_ZONE))?.generation).toBe(5);

  // The audit log says what changed, where, with the change id.
  const [event] = (await events.read({ services: ['api'] })).filter((e) => e.kind === 'dns-applied');
  expect(event?.message).toMatch(
    /^api\.example\.com A at local mem\/example\.com: 192\.0\.2\.10 -> 198\.51\.100\.20 \(change C\d+, in sync after \d+ ms\)$/,
  );
  expect(event).toMatchObject({
    severity: 'info',
    generation: 5,
    by: 'fencing-worker',
    dns: {
      target: 'mem/example.com',
      before: ['api.example.com A 192.0.2.10'],
      after: [
        '_quorumdns.api.example.com TXT "heritage=quorumdns,deployment=apply-test"',
        'api.example.com A 198.51.100.20',
      ],
      changeId: status?.changeIds[0],
    },
  });
  const metrics = await registry.metrics();
  expect(metrics).toMatch(/quorumdns_apply_fenced_total\{provider="mem"\} 1/);
  expect(metrics).toMatch(/quorumdns_applies_total\{provider="mem",outcome="applied"\} 1/);
  expect(metrics).toMatch(
    /quorumdns_applied_generation\{service="api",provider="mem",zone="example.com"\} 5/,
  );
});

test('an old job that runs after the decision moved on applies the newest decision; the newer job is then dropped', async () => {
  await commitDecision(states, service('late'), 7, 'b');
  // Generation 4's job only runs now: it must publish generation 7's answer, never generation 4's.
  expect(await finished(await addJob('late', 4))).toMatchObject({ outcome: 'applied', generation: 7 });
  expect(answerOf(memory, 'late.example.com')).toEqual([POOL_ADDRESS.b]);
  expect(await finished(await addJob('late', 7))).toMatchObject({ outcome: 'dropped' });
  expect(writesOf('late.example.com')).toBe(1);
  expect((await applied.read('late', 'mem', MEMORY_ZONE))?.generation).toBe(7);
});

test('the same generation delivered twice at once is applied once', async () => {
  await commitDecision(states, service('dup'), 2, 'a');
  // The same job re-added under another id (a second evaluator finishing a crashed one's dispatch after the
  // first job was pruned) while the first one may still run.
  const [first, second] = await Promise.all([addJob('dup', 2), addJob('dup', 2, '-again')]);
  const results = await Promise.all([finished(first), finished(second)]);
  expect(results.map((result) => result.outcome).sort()).toEqual(['applied', 'dropped']);
  expect(writesOf('dup.example.com')).toBe(1);
  expect(answerOf(memory, 'dup.example.com')).toEqual([POOL_ADDRESS.a]);
});
