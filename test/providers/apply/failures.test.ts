/**
 * Apply failures through the real apply queue: a permanent error (the provider answers 403 AccessDenied)
 * fails the job at once, records the error in the target's status and raises a critical event that is routed
 * to notifications; a transient one is retried by BullMQ with one warning event (not one per retry) and
 * recovers, or becomes critical when the attempts run out. A failing target never blocks another target of
 * the same service.
 */
import { routingSeverity } from '../../../src/evaluator/notify-routing';
import { Queue } from 'bullmq';
import { EventLog } from '../../../src/evaluator/event-log';
import { type ApplyJobData, type NotifyJobData, QueueName } from '../../../src/evaluator/queues';
import { StateStore } from '../../../src/evaluator/state-store';
import { memoryLogger } from '../../../src/probe/logger';
import { AppliedStore } from '../../../src/providers/applied-store';
import { type ApplyJobResult, ApplyWorker } from '../../../src/providers/apply-worker';
import { renderStatusText } from '../../../src/status/render-status-text';
import { readStatusSnapshot } from '../../../src/status/status-snapshot';
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
  settledJob,
  SHARED_REDIS_URL,
  addApplyJob,
} from './support/apply-fixture';

const fixture = applyRedis('failures');
const { redis, keys, prefix } = fixture;
const ops = { channel: 'ops', minSeverity: 'warning' as const, quietPeriod: 0, maxReminders: 3 };
const split = { ...applyService('split', ['good', 'bad']), notify: [ops] };
const flaky = { ...applyService('flaky', ['flaky']), notify: [ops] };
const doomed = { ...applyService('doomed', ['doomed']), notify: [ops] };
const config = applyConfig(prefix, [split, flaky, doomed], ['good', 'bad', 'flaky', 'doomed']);
const memories = new Map(['good', 'bad', 'flaky', 'doomed'].map((name) => [name, newMemory(name)]));
const states = new StateStore(redis, keys);
const applied = new AppliedStore(redis, keys);
const events = new EventLog(redis, keys);
const applyQueue = new Queue<ApplyJobData, ApplyJobResult>(QueueName.apply, { connection: redis, prefix });
const notifyQueue = new Queue<NotifyJobData>(QueueName.notify, { connection: redis, prefix });
let worker: ApplyWorker;

function memory(name: string) {
  const found = memories.get(name);
  if (found === undefined) throw new Error(name);
  return found;
}

beforeAll(async () => {
  worker = await ApplyWorker.start({
    config: () => config,
    redisUrl: SHARED_REDIS_URL,
    id: 'failures-worker',
    logger: memoryLogger(),
    createAdapter: (provider) => memory(provider.name),
    // One try per call inside a job, so each injected fault fails one job attempt (BullMQ does the retrying).
    sync: { retry: { ...FAST_SYNC.retry, maxAttempts: 1 } },
  });
});

afterAll(async () => {
  await worker?.close();
  await Promise.all([applyQueue.close(), notifyQueue.close()]);
  await fixture.dispose();
});

function addJob(service: string, provider: string, generation: number, attempts?: number): Promise<string> {
  return addApplyJob(applyQueue, { service, provider, generation, ...(attempts ? { attempts } : {}) });
}

function settled(jobId: string) {
  return settledJob(applyQueue, jobId);
}

test('a provider answering 403 fails its target for good; the other target of the service is applied', async () => {
  memory('bad').injectFault({ operation: 'apply', code: 'FORBIDDEN', count: 1000 });
  await commitDecision(states, split, 1, 'b');
  const [goodId, badId] = [await addJob('split', 'good', 1), await addJob('split', 'bad', 1)];
  const [good, bad] = await Promise.all([settled(goodId), settled(badId)]);

  expect(good.state).toBe('completed');
  expect(answerOf(memory('good'), 'split.example.com')).toEqual([POOL_ADDRESS.b]);
  expect(await applied.read('split', 'good', MEMORY_ZONE)).toMatchObject({
    generation: 1,
    syncState: 'in-sync',
  });

  // Permanent: no retry (UnrecoverableError), the provider's own words kept.
  expect(bad.state).toBe('failed');
  expect(bad.job?.attemptsMade).toBe(1);
  expect(bad.job?.failedReason).toContain('injected AccessDenied');
  expect(answerOf(memory('bad'), 'split.example.com')).toEqual([]);
  expect(await applied.read('split', 'bad', MEMORY_ZONE)).toMatchObject({
    generation: null,
    syncState: 'failed',
    attemptedGeneration: 1,
    error: { code: 'FORBIDDEN', remoteCode: 'AccessDenied', transient: false },
  });

  const stream = await events.read({ services: ['split'] });
  const failure = stream.find((event) => event.kind === 'dns-apply-failed');
  expect(failure).toMatchObject({
    severity: 'critical',
    generation: 1,
    dns: {
      target: 'bad/example.com',
      after: ['split.example.com A 198.51.100.20'],
      error: { code: 'FORBIDDEN' },
    },
  });
  expect(failure?.message).toMatch(
    /^split\.example\.com A at local bad\/example\.com: apply of generation 1 failed \(attempt 1 of 12\): memory: injected AccessDenied$/,
  );
  expect(stream.filter((event) => event.kind === 'dns-applied').map((event) => event.dns?.target)).toEqual([
    'good/example.com',
  ]);
  // The critical event goes to the `ops` channel like any event of its severity.
  const notify = await notifyQueue.getJobs(['waiting', 'delayed', 'prioritized']);
  expect(notify.map((job) => job.data)).toContainEqual({
    service: 'split',
    eventId: failure?.id,
    channel: 'ops',
    drill: false,
  });

  // Status shows each target: applied vs decision generation, state, change id, error.
  const snapshot = await readStatusSnapshot({ redis, keys, config, services: [split], eventCount: 0 });
  expect(snapshot.services[0]?.targets).toEqual([
    expect.objectContaining({
      provider: 'good',
      appliedGeneration: 1,
      decisionGeneration: 1,
      current: true,
      syncState: 'in-sync',
    }),
    expect.objectContaining({
      provider: 'bad',
      appliedGeneration: null,
      current: false,
      syncState: 'failed',
      changeIds: [],
      error: { code: 'FORBIDDEN', message: 'memory: injected AccessDenied', remoteCode: 'AccessDenied' },
    }),
  ]);
  const text = renderStatusText(snapshot);
  expect(text).toContain('dns targets (applied generation vs decision generation)');
  expect(text).toMatch(/local good\/example\.com\s+rewrite\s+1\s+1\s+in-sync\s+C\d+/);
  expect(text).toMatch(
    /local bad\/example\.com\s+rewrite\s+-\s+1\s+failed \(gen 1\)\s+-\s+FORBIDDEN \[AccessDenied\]: memory: injected AccessDenied/,
  );
});

test('a transient failure is retried with one warning, then applied', async () => {
  memory('flaky').injectFault({ operation: 'read', code: 'THROTTLED', count: 2 });
  await commitDecision(states, flaky, 1, 'a');
  const { job, state } = await settled(await addJob('flaky', 'flaky', 1));
  expect(state).toBe('completed');
  // Two throttled attempts, then the third one applied (BullMQ counts the successful attempt too).
  expect(job?.attemptsMade).toBe(3);
  expect(answerOf(memory('flaky'), 'flaky.example.com')).toEqual([POOL_ADDRESS.a]);
  const status = await applied.read('flaky', 'flaky', MEMORY_ZONE);
  expect(status).toMatchObject({ generation: 1, syncState: 'in-sync' });
  expect(status?.error).toBeUndefined();
  const stream = await events.read({ services: ['flaky'] });
  expect(stream.map((event) => [event.kind, event.severity])).toEqual([
    ['dns-apply-failed', 'warning'],
    ['dns-applied', 'info'],
  ]);
  // The success clears the failure: it says so, and is routed like the worst failure (a pager gets its resolve).
  const cleared = stream[1];
  expect(cleared?.dns?.recovered).toBe(true);
  expect(cleared && routingSeverity(cleared)).toBe('critical');
});

test('a transient failure that outlasts the attempts becomes critical', async () => {
  memory('doomed').injectFault({ operation: 'read', code: 'UNAVAILABLE', count: 1000 });
  await commitDecision(states, doomed, 3, 'a');
  const { job, state } = await settled(await addJob('doomed', 'doomed', 3, 3));
  expect(state).toBe('failed');
  expect(job?.attemptsMade).toBe(3);
  const failures = (await events.read({ services: ['doomed'] })).filter((e) => e.kind === 'dns-apply-failed');
  expect(failures.map((event) => event.severity)).toEqual(['warning', 'critical']);
  expect(failures[1]?.message).toMatch(
    /apply of generation 3 failed, giving up \(attempt 3 of 3\): memory: injected ServiceUnavailable/,
  );
  expect(await applied.read('doomed', 'doomed', MEMORY_ZONE)).toMatchObject({
    syncState: 'failed',
    attemptedGeneration: 3,
    error: { code: 'UNAVAILABLE', transient: true },
  });
});
