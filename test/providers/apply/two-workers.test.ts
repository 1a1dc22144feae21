/**
 * Two apply workers (two evaluator processes' worth: separate connections, separate processors) take the
 * jobs of one target at the same time while the decision moves through its generations. The per-target
 * lease makes their applies take turns: no call of one worker ever falls between another's read and its
 * verification; and the answers published only ever move forward.
 */
import { Queue } from 'bullmq';
import type { Service } from '../../../src/config/types';
import { type ApplyJobData, QueueName } from '../../../src/evaluator/queues';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { AppliedStore } from '../../../src/providers/applied-store';
import { type ApplyJobResult, ApplyWorker } from '../../../src/providers/apply-worker';
import type { Decision } from '../../../src/quorum/types';
import { endpoint, service as buildService, tcpCheck } from '../../support/config-builder';
import { waitFor } from '../../support/wait-for';
import {
  answerOf,
  applyConfig,
  applyRedis,
  commitDecision,
  FAST_SYNC,
  MEMORY_ZONE,
  newMemory,
  SHARED_REDIS_URL,
  type TaggedCall,
  taggedAdapter,
  addApplyJob,
} from './support/apply-fixture';

/** Generations are added in rounds until both workers have done provider work (which one wins is chance). */
const ROUND = 4;
const MAX_GENERATIONS = 24;
const fixture = applyRedis('two-workers');
const { redis, keys, prefix } = fixture;

/** Pool p<g> serves at generation g, with an address of its own: the answer in DNS names its generation. */
const addressOf = (generation: number): string => `192.0.2.${100 + generation}`;
const check = tcpCheck({ port: 9 });
const base = buildService('race', {
  pools: Object.fromEntries(
    Array.from({ length: MAX_GENERATIONS }, (_, i) => [`p${i + 1}`, [endpoint(`e${i + 1}`, check)]]),
  ),
  probeRegions: ['r1', 'r2', 'r3'],
});
const raceService: Service = {
  ...base,
  pools: base.pools.map((pool, index) => ({
    ...pool,
    endpoints: pool.endpoints.map((e) => ({
      ...e,
      target: { kind: 'address', address: addressOf(index + 1) },
    })),
  })),
  providers: [{ provider: 'mem', zone: MEMORY_ZONE, mode: 'rewrite' }],
};
const config = applyConfig(prefix, [raceService], ['mem']);

function decisionOf(generation: number): Decision {
  return {
    pools: raceService.pools.map((pool, index) => ({
      pool: pool.name,
      weight: index + 1 === generation ? 1 : 0,
      endpoints: pool.endpoints.map((e) => e.id),
    })),
  };
}

// Changes stay pending 80 ms: each apply takes a while, so two workers overlap unless the lease stops them.
const memory = newMemory('mem', 80);
const calls: TaggedCall[] = [];
const states = new StateStore(redis, keys);
const queue = new Queue<ApplyJobData, ApplyJobResult>(QueueName.apply, { connection: redis, prefix });
const workers: ApplyWorker[] = [];

beforeAll(async () => {
  for (const id of ['worker-1', 'worker-2']) {
    workers.push(
      await ApplyWorker.start({
        config: () => config,
        redisUrl: SHARED_REDIS_URL,
        id,
        logger: memoryLogger(),
        concurrency: 4,
        busyDelayMs: 30,
        createAdapter: () => taggedAdapter(memory, id, calls),
        sync: FAST_SYNC,
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  await queue.close();
  await fixture.dispose();
});

const bothWorked = (): boolean => new Set(calls.map((call) => call.by)).size === 2;

test('applies of one target never interleave and DNS never goes backwards', async () => {
  let generation = 0;
  while (generation < MAX_GENERATIONS && (generation === 0 || !bothWorked())) {
    const jobIds: string[] = [];
    for (let step = 0; step < ROUND; step += 1) {
      generation += 1;
      await commitDecision(states, raceService, generation, decisionOf(generation));
      // Each generation's job twice (a duplicate as a second evaluator would add it), so both workers compete.
      for (const suffix of ['', '-dup']) {
        const jobId = await addApplyJob(queue, { service: 'race', generation, suffix });
        jobIds.push(jobId);
      }
    }
    await waitFor(
      async () => {
        const jobStates = await Promise.all(jobIds.map(async (id) => (await queue.getJob(id))?.getState()));
        if (jobStates.includes('failed')) throw new Error(`a job failed: ${jobStates.join(',')}`);
        return jobStates.every((state) => state === 'completed');
      },
      { what: 'every apply job of the round to complete', timeoutMs: 30_000 },
    );
  }

  // Both workers did provider work (otherwise the test proves nothing about two of them).
  expect(bothWorked()).toBe(true);

  // Never interleaved: from a worker's plan read, through its write(s), to its verification read, every
  // adapter call is its own.
  calls.forEach((call, index) => {
    if (call.operation !== 'apply') return;
    const before = calls[index - 1];
    expect(before).toMatchObject({ by: call.by, operation: 'read' });
    let end = index + 1;
    while (end < calls.length && !(calls[end]?.by === call.by && calls[end]?.operation === 'read')) end += 1;
    const window = calls.slice(index - 1, end + 1);
    expect(window.filter((other) => other.by !== call.by)).toEqual([]);
  });

  // Forward only: the generations written, in order, strictly increase.
  const written = calls
    .filter((call) => call.operation === 'apply')
    .map((call) => {
      const change = call.changes?.find((c) => c.action !== 'delete' && c.after.type === 'A');
      const value = change !== undefined && change.action !== 'delete' ? change.after.values?.[0] : undefined;
      return Number(value?.split('.')[3]) - 100;
    });
  expect(written.length).toBeGreaterThan(0);
  written.forEach((generation, index) => {
    if (index > 0) expect(generation).toBeGreaterThan(written[index - 1] as number);
  });
  expect(answerOf(memory, 'race.example.com')).toEqual([addressOf(generation)]);
  expect(await new AppliedStore(redis, keys).read('race', 'mem', MEMORY_ZONE)).toMatchObject({
    generation,
    syncState: 'in-sync',
  });
});
