/**
 * ServiceEvaluator without the worker: racing evaluations of one service, the cheap touch, and the jobs a
 * crashed committer still owed.
 */
import { Queue } from 'bullmq';
import { EventLog } from '../../src/evaluator/event-log';
import { JobDispatcher } from '../../src/evaluator/job-dispatcher';
import { type ApplyJobData, type NotifyJobData, QueueName } from '../../src/evaluator/queues';
import { ServiceEvaluator } from '../../src/evaluator/service-evaluator';
import { NO_RECORD } from '../../src/evaluator/service-record';
import { StateStore } from '../../src/evaluator/state-store';
import { decide } from '../../src/quorum/decide';
import { POOL_A, ProbeSide, REGIONS, testRedis, testService } from './support/fixtures';

const fixture = testRedis('service-evaluator');
const { redis, keys, prefix } = fixture;
const stateStore = new StateStore(redis, keys);
const eventLog = new EventLog(redis, keys);
const applyQueue = new Queue<ApplyJobData>(QueueName.apply, { connection: redis, prefix });
const notifyQueue = new Queue<NotifyJobData>(QueueName.notify, { connection: redis, prefix });
const probe = new ProbeSide(redis, keys);

function evaluatorNamed(id: string): ServiceEvaluator {
  return new ServiceEvaluator({
    redis,
    keys,
    stateStore,
    eventLog,
    dispatcher: new JobDispatcher(applyQueue, notifyQueue),
    evaluatorId: id,
    maxCommitAttempts: 50,
  });
}

beforeAll(() => probe.beat());
afterAll(async () => {
  await applyQueue.close();
  await notifyQueue.close();
  await fixture.dispose();
});

test('twenty evaluations racing on one flip: exactly one new generation, its events once, one apply job', async () => {
  const service = testService('race');
  await probe.allUp('race');
  await evaluatorNamed('first').evaluate(service, 'h');
  await probe.setOpinions('race', POOL_A, REGIONS, 'down');
  const evaluators = Array.from({ length: 20 }, (_, i) => evaluatorNamed(`e${i}`));
  const results = await Promise.all(evaluators.map((evaluator) => evaluator.evaluate(service, 'h')));

  expect(results.filter((result) => result.outcome === 'decision-changed')).toHaveLength(1);
  expect(results.every((result) => result.generation === 2)).toBe(true);
  expect(results.some((result) => result.conflicts > 0)).toBe(true);
  const events = await eventLog.read({ services: ['race'] });
  expect(
    events.filter((event) => event.kind === 'decision-changed').map((event) => event.generation),
  ).toEqual([1, 2]);
  expect(events.filter((event) => event.kind === 'pool-drained')).toHaveLength(1);
  const applies = (await applyQueue.getJobs(['waiting'])).filter((job) => job.data.service === 'race');
  expect(applies.map((job) => job.data.generation).sort()).toEqual([1, 2]);
});

test('an evaluation that changes nothing only touches evaluatedAt', async () => {
  const service = testService('calm');
  await probe.allUp('calm');
  const evaluator = evaluatorNamed('calm');
  await evaluator.evaluate(service, 'h');
  await evaluator.evaluate(service, 'h'); // verdict bookkeeping may settle on the second look
  const before = await stateStore.readVersioned('calm');
  await probe.beat();
  const result = await evaluator.evaluate(service, 'h');
  const after = await stateStore.readVersioned('calm');
  expect(result.outcome).toBe('unchanged');
  expect(after?.version).toBe(before?.version);
  expect(after?.record.evaluatedAt).toBe(result.now);
  expect(after?.record.explanation).toEqual(before?.record.explanation);
});

test('a new config hash is committed even when nothing else changed', async () => {
  const service = testService('rehash');
  await probe.allUp('rehash');
  const evaluator = evaluatorNamed('rehash');
  await evaluator.evaluate(service, 'h1');
  await evaluator.evaluate(service, 'h1');
  const result = await evaluator.evaluate(service, 'h2');
  expect(result.outcome).toBe('state-committed');
  expect((await stateStore.read('rehash'))?.configHash).toBe('h2');
});

test('jobs a crashed committer owed are added by the next evaluation, then the debt is cleared', async () => {
  const service = testService('owed');
  // The commit of generation 1 landed, with its events, but its committer died before adding any job.
  const output = decide({
    service,
    opinions: {},
    heartbeatAges: {},
    previous: undefined,
    overrides: [],
    now: 1000,
  });
  const committed = await stateStore.commit(
    'owed',
    NO_RECORD,
    {
      state: output.state,
      generation: 1,
      decidedAt: 1000,
      evaluatedAt: 1000,
      explanation: output.explanation,
      configHash: 'h',
      evaluatedBy: 'dead',
    },
    [
      {
        kind: 'fail-open',
        severity: 'critical',
        service: 'owed',
        message: 'owed event',
        at: 1000,
        generation: 1,
      },
    ],
  );
  if (committed.outcome !== 'committed') throw new Error('expected a commit');
  expect(await applyQueue.getJob('apply/owed/route53-main/Z123/1')).toBeUndefined();

  await probe.allUp('owed');
  const result = await evaluatorNamed('heir').evaluate(service, 'h');
  expect(await applyQueue.getJob('apply/owed/route53-main/Z123/1')).toBeDefined();
  const [eventId] = committed.eventIds;
  for (const channel of ['ops', 'audit']) {
    expect((await notifyQueue.getJob(`notify/owed/${eventId}/${channel}`))?.data).toEqual({
      service: 'owed',
      eventId,
      channel,
      drill: false,
    });
  }
  expect(result.jobs.apply.map((job) => job.generation)).toContain(1);
  expect(await stateStore.readPendingDispatch('owed')).toBeUndefined();
});
