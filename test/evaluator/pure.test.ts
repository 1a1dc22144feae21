/** The evaluator's pure helpers: notification routing, the jobs of a commit, input parsing, serialisation. */
import { heartbeatAgesAt, parseHeartbeats, parseOpinions } from '../../src/evaluator/evaluation-inputs';
import { jobsOf } from '../../src/evaluator/job-dispatcher';
import { KeyedSerializer } from '../../src/evaluator/keyed-serializer';
import { routedChannels, routingSeverity } from '../../src/evaluator/notify-routing';
import { applyJobId, evaluateSchedulerId, notifyJobId } from '../../src/evaluator/queues';
import { sameStateApartFromTime } from '../../src/evaluator/service-evaluator';
import type { StoredEvent } from '../../src/evaluator/service-record';
import { initialState } from '../../src/quorum/decide';
import { testService } from './support/fixtures';

const service = testService('api');

test('severity routing: a channel gets events at or above its minSeverity', () => {
  expect(routedChannels(service, 'info')).toEqual(['audit']);
  expect(routedChannels(service, 'warning')).toEqual(['ops', 'audit']);
  expect(routedChannels(service, 'critical')).toEqual(['ops', 'audit']);
  expect(routedChannels({ notify: [] }, 'critical')).toEqual([]);
});

test('the jobs of a commit: apply per provider target only when the generation moved, notify per routed channel', () => {
  const event = (id: string, severity: StoredEvent['severity'], drill?: boolean): StoredEvent => ({
    id,
    kind: 'pool-drained',
    severity,
    service: 'api',
    message: 'm',
    at: 1,
    generation: 4,
    ...(drill === undefined ? {} : { drill }),
  });
  const jobs = jobsOf(service, 4, true, [event('1-0', 'info'), event('1-1', 'critical', true)]);
  expect(jobs.apply).toEqual([{ service: 'api', provider: 'route53-main', zone: 'Z123', generation: 4 }]);
  expect(jobs.notify).toEqual([
    { service: 'api', eventId: '1-0', channel: 'audit', drill: false },
    { service: 'api', eventId: '1-1', channel: 'ops', drill: true },
    { service: 'api', eventId: '1-1', channel: 'audit', drill: true },
  ]);
  expect(jobsOf(service, 4, false, []).apply).toEqual([]);
});

test('job ids are deterministic and free of ":" (BullMQ refuses it in custom ids)', () => {
  const apply = applyJobId({ service: 'api', provider: 'r53', zone: 'Z1', generation: 12 });
  expect(apply).toBe('apply/api/r53/Z1/12');
  expect(notifyJobId({ service: 'api', eventId: '17-3', channel: 'ops', drill: false })).toBe(
    'notify/api/17-3/ops',
  );
  expect(evaluateSchedulerId('api')).toBe('tick-api');
  for (const id of [apply, evaluateSchedulerId('api')]) expect(id).not.toContain(':');
});

test('opinions: fields and values the recorder would never write are skipped and reported, the rest kept', () => {
  const skipped: string[] = [];
  const matrix = parseOpinions(
    'k',
    { 'a1\tr1': 'down', 'a1\tr2': 'up', 'a2\tr1': 'sideways', garbage: 'up' },
    skipped,
  );
  expect(matrix).toEqual({ a1: { r1: 'down', r2: 'up' } });
  expect(skipped).toHaveLength(2);
  expect(skipped.join('\n')).toContain('sideways');
});

test('heartbeat ages on the Redis clock; an unreadable heartbeat counts as no heartbeat (stale)', () => {
  const { times, skipped } = parseHeartbeats('hb', [
    ['r1', JSON.stringify({ time: 9000 })],
    ['r2', JSON.stringify({ time: 10_500 })],
    ['r3', '{oops'],
    ['r4', 'null'],
  ]);
  const ages = heartbeatAgesAt({ times }, 10_000);
  expect(ages).toEqual({ r1: 1000, r2: 0 });
  expect(skipped).toHaveLength(2);
});

test('state comparison ignores evaluatedAt and key order, nothing else', () => {
  const state = initialState(service, 1000);
  const reordered = JSON.parse(JSON.stringify({ ...state, evaluatedAt: 5000 })) as typeof state;
  const keys = Object.keys(reordered).reverse();
  const shuffled = Object.fromEntries(
    keys.map((key) => [key, reordered[key as keyof typeof state]]),
  ) as unknown as typeof state;
  expect(sameStateApartFromTime(state, shuffled)).toBe(true);
  expect(sameStateApartFromTime(state, { ...state, failOpen: true })).toBe(false);
});

test('KeyedSerializer runs one key at a time, different keys together, and survives a failing task', async () => {
  const serializer = new KeyedSerializer();
  const order: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const first = serializer.run('a', async () => {
    order.push('a1 start');
    await gate;
    order.push('a1 end');
    throw new Error('a1 failed');
  });
  const second = serializer.run('a', async () => {
    order.push('a2');
    return 2;
  });
  const other = serializer.run('b', async () => {
    order.push('b');
    return 'b';
  });
  expect(await other).toBe('b');
  release();
  await expect(first).rejects.toThrow('a1 failed');
  expect(await second).toBe(2);
  expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);
});

test('an all-clear is routed like the condition it clears, so a pager channel can resolve its incident', () => {
  expect(routingSeverity({ kind: 'fail-open-cleared', severity: 'info' })).toBe('critical');
  expect(routingSeverity({ kind: 'pool-restored', severity: 'info' })).toBe('warning');
  expect(routingSeverity({ kind: 'pool-restored', severity: 'warning' })).toBe('warning');
  expect(routingSeverity({ kind: 'endpoint-verdict', severity: 'info' })).toBe('info');
});
