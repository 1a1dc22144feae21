/**
 * The pure parts of a drill: how snapshots of Redis become timeline steps (times taken from the records the
 * pipeline wrote, blocking rules named), and how a timeline is judged against the objectives.
 */
import type { Service } from '../../src/config/types';
import { judgeDrill } from '../../src/drill/drill-judge';
import type { TimelineStep } from '../../src/drill/drill-report';
import { DrillTimeline } from '../../src/drill/drill-timeline';
import { type DrillSnapshot, TimelineTracker } from '../../src/drill/timeline-tracker';
import type { ServiceRecord, StoredEvent } from '../../src/evaluator/service-record';
import type { AppliedTarget } from '../../src/providers/applied-target';
import { configuredDecision } from '../../src/quorum/configured-decision';
import { initialState } from '../../src/quorum/initial-state';
import type { Decision } from '../../src/quorum/types';
import { endpoint, service as buildService, tcpCheck } from '../support/config-builder';

const T0 = 1_800_000_000_000;

function webService(overrides: Partial<Service> = {}): Service {
  const check = tcpCheck({ port: 9, interval: 1000 });
  return {
    ...buildService('web', {
      pools: { a: [endpoint('a1', check)], b: [endpoint('b1', check)] },
      probeRegions: ['r1', 'r2', 'r3'],
      failureThreshold: 3,
    }),
    providers: [{ provider: 'lab', zone: 'lab.test', mode: 'rewrite' }],
    notify: [{ channel: 'ops', minSeverity: 'warning', quietPeriod: 0, maxReminders: 3 }],
    ...overrides,
  };
}

function recordOf(service: Service, generation = 1): ServiceRecord {
  const state = initialState(service, T0 - 60_000);
  return {
    state,
    generation,
    decidedAt: T0 - 60_000,
    evaluatedAt: T0 - 1000,
    explanation: {
      service: service.name,
      evaluatedAt: T0,
      regions: [],
      endpoints: [],
      pools: [],
      lines: [],
      rules: [],
    },
    configHash: 'h',
    evaluatedBy: 'test',
  };
}

let seq = 0;
function event(kind: StoredEvent['kind'], at: number, fields: Partial<StoredEvent> = {}): StoredEvent {
  seq += 1;
  return {
    kind,
    severity: 'info',
    service: 'web',
    message: `${kind} message`,
    at,
    generation: 1,
    id: `${at}-${seq}`,
    drill: true,
    ...fields,
  };
}

const serving = (pool: 'a' | 'b'): Decision => ({
  pools: [
    { pool: 'a', weight: pool === 'a' ? 1 : 0, endpoints: ['a1'] },
    { pool: 'b', weight: pool === 'b' ? 1 : 0, endpoints: ['b1'] },
  ],
});

function snapshot(now: number, fields: Partial<DrillSnapshot> = {}): DrillSnapshot {
  return { now, events: [], record: undefined, applied: new Map(), ...fields };
}

function applied(fields: Partial<AppliedTarget>): Map<string, AppliedTarget> {
  return new Map([
    [
      'lab\tlab.test',
      {
        provider: 'lab',
        zone: 'lab.test',
        generation: 1,
        changeIds: [],
        syncState: 'in-sync',
        updatedAt: T0,
        ...fields,
      },
    ],
  ]);
}

function tracker(service: Service, mode: 'dry' | 'live' = 'live', record = recordOf(service)) {
  const heard: TimelineStep[] = [];
  const timeline = new DrillTimeline(T0, (step) => heard.push(step));
  const track = new TimelineTracker({
    service,
    pools: ['a'],
    mode,
    injectedAt: T0,
    timeline,
    initialRecord: record,
    initialOpinions: { 'a1\tr1': 'up', 'a1\tr2': 'up', 'a1\tr3': 'down' },
  });
  return { timeline, track, heard };
}

test('steps take their times from what the pipeline recorded, on the Redis clock', () => {
  const service = webService();
  const { timeline, track } = tracker(service);
  const last = (recordedAt: number) =>
    JSON.stringify({
      ok: false,
      class: 'drill',
      drill: true,
      latency: 0,
      startedAt: 0,
      recordedAt,
      worker: 'w',
      run: 'r',
      seq: 1,
    });
  // r2 flipped, but the poll sees it one check late (streak -4 with threshold 3): dated back one interval.
  track.update(
    snapshot(T0 + 3500, {
      opinions: { 'a1\tr1': 'up', 'a1\tr2': 'down', 'a1\tr3': 'down' },
      last: { 'a1\tr2': last(T0 + 3400), 'a1\tr3': last(T0 + 3300) },
      streaks: { 'a1\tr2': '-4', 'a1\tr3': '-9' },
    }),
  );
  // r3 was already down before the drill: it is not a flip of the drill.
  expect(timeline.get('first-flip')).toMatchObject({ status: 'done', at: T0 + 2400, offsetMs: 2400 });
  expect(timeline.get('first-flip')?.detail).toBe('r2 says a1 is down (time estimated from the streak)');

  track.update(
    snapshot(T0 + 4000, {
      events: [
        event('pool-verdict', T0 + 3600, { pool: 'a', severity: 'warning' }),
        event('decision-changed', T0 + 3600, {
          generation: 2,
          decision: { before: serving('a'), after: serving('b') },
        }),
      ],
    }),
  );
  expect(timeline.get('quorum')).toMatchObject({ status: 'done', at: T0 + 3600 });
  expect(timeline.get('decision')).toMatchObject({ status: 'done', at: T0 + 3600 });
  expect(track.failoverGeneration).toBe(2);

  track.update(
    snapshot(T0 + 4100, {
      applied: applied({
        syncState: 'pending',
        attemptedGeneration: 2,
        changeIds: ['C9'],
        updatedAt: T0 + 3700,
      }),
    }),
  );
  expect(timeline.get('submitted', 'lab/lab.test')).toMatchObject({
    status: 'done',
    at: T0 + 3700,
    detail: 'change C9',
  });
  expect(timeline.isPending('in-sync', 'lab/lab.test')).toBe(true);
  track.update(
    snapshot(T0 + 4400, { applied: applied({ generation: 2, appliedAt: T0 + 4300, updatedAt: T0 + 4300 }) }),
  );
  expect(timeline.get('in-sync', 'lab/lab.test')).toMatchObject({ status: 'done', at: T0 + 4300 });
  // The first resolution wins: a later record does not move the submitted time.
  expect(timeline.get('submitted', 'lab/lab.test')?.at).toBe(T0 + 3700);

  // Notified: the delivery history says which events the message carried, and when (Redis time).
  const news = event('decision-changed', T0 + 3600, {
    severity: 'warning',
    decision: { after: serving('b') },
  });
  track.update(snapshot(T0 + 5000, { events: [news] }));
  const history = JSON.stringify([
    { after: '', through: `${T0 + 10}-0`, at: T0 + 100 },
    { after: `${T0 + 10}-0`, through: news.id, at: T0 + 4900, notificationId: 'n1' },
  ]);
  track.update(snapshot(T0 + 5100, { notify: { 'delivered\tops': history, ops: '{}' } }));
  expect(timeline.get('notified')).toMatchObject({
    status: 'done',
    at: T0 + 4900,
    detail: 'to ops (notification n1)',
  });

  track.markRestored(T0 + 60_000);
  const upRecord = recordOf(service, 2);
  upRecord.state.pools.a = {
    ...upRecord.state.pools.a,
    verdict: 'up',
    upSince: T0 + 61_000,
    eligible: false,
    failbackAfter: 1000,
  };
  track.update(
    snapshot(T0 + 62_500, {
      record: upRecord,
      events: [
        event('decision-changed', T0 + 62_400, {
          drill: false,
          generation: 3,
          decision: { before: serving('b'), after: serving('a') },
        }),
      ],
      applied: applied({ generation: 3, appliedAt: T0 + 62_450 }),
    }),
  );
  expect(timeline.get('pool-up')).toMatchObject({ status: 'done', at: T0 + 61_000 });
  expect(timeline.get('failback-decision')).toMatchObject({ status: 'done', at: T0 + 62_400 });
  expect(timeline.get('failback-applied', 'lab/lab.test')).toMatchObject({ status: 'done', at: T0 + 62_450 });
  expect(timeline.pending().map((step) => step.step)).toEqual(['answer']);
});

test('a blocking safety rule resolves the decision as blocked, naming the rule, and skips what cannot follow', () => {
  const { timeline, track } = tracker(webService());
  track.update(
    snapshot(T0 + 3000, {
      events: [
        event('pool-verdict', T0 + 2000, { pool: 'a', severity: 'warning' }),
        event('drain-clamped', T0 + 2000, {
          pool: 'a',
          severity: 'critical',
          rule: 'max-drained-pools',
          message: 'pool a keeps serving: maxDrainedPools 1 already reached',
        }),
      ],
    }),
  );
  expect(track.blocked).toEqual({
    rule: 'max-drained-pools',
    message: 'pool a keeps serving: maxDrainedPools 1 already reached',
  });
  expect(timeline.get('decision')).toMatchObject({ status: 'blocked', rule: 'max-drained-pools' });
  for (const step of ['submitted', 'in-sync', 'failback-applied'] as const) {
    expect(timeline.get(step, 'lab/lab.test')?.status).toBe('skipped');
  }
  timeline.resolveRemaining(() => ({ status: 'missed' }));
  const judged = judgeDrill({
    timeline: timeline.list(),
    objectives: { failoverWithin: 60_000 },
    mode: 'live',
  });
  expect(judged.verdict).toBe('fail');
  expect(judged.reasons[0]).toMatch(
    /^failover: decision: pool a drained was blocked by rule max-drained-pools/,
  );
  expect(judged.objectives[0]).toMatchObject({ objective: 'failoverWithin', status: 'fail' });
});

test('a drilled pool that serves no traffic needs no DNS change: the drain is the decision', () => {
  const service = webService();
  const record = recordOf(service);
  record.state.decision = serving('a');
  const heard: TimelineStep[] = [];
  const timeline = new DrillTimeline(T0, (step) => heard.push(step));
  const track = new TimelineTracker({
    service,
    pools: ['b'],
    mode: 'live',
    injectedAt: T0,
    timeline,
    initialRecord: record,
    initialOpinions: {},
  });
  expect(track.drilledHadTraffic).toBe(false);
  expect(timeline.get('submitted', 'lab/lab.test')?.detail).toContain('serves no traffic');
  track.update(
    snapshot(T0 + 2000, { events: [event('pool-drained', T0 + 1900, { pool: 'b', severity: 'warning' })] }),
  );
  expect(timeline.get('decision')).toMatchObject({ status: 'done', at: T0 + 1900 });
  // Everything resolved so far was heard live, once.
  expect(heard.filter((step) => step.step === 'decision')).toHaveLength(1);
});

test('dry mode: the plan is the DNS step, and the failover is judged up to the decision', () => {
  const service = webService({ drill: { failoverWithin: 5000, failbackWithin: 1000, notifyWithin: 1000 } });
  const { timeline, track } = tracker(service, 'dry');
  expect(timeline.get('in-sync', 'lab/lab.test')).toMatchObject({
    status: 'skipped',
    detail: 'dry drill: DNS is not changed',
  });
  expect(timeline.get('failback-decision')?.status).toBe('skipped');
  track.update(
    snapshot(T0 + 3000, {
      events: [event('decision-changed', T0 + 2500, { generation: 2, decision: { after: serving('b') } })],
    }),
  );
  track.update(
    snapshot(T0 + 3100, {
      applied: applied({ syncState: 'dry-run', attemptedGeneration: 2, updatedAt: T0 + 2600 }),
    }),
  );
  expect(timeline.get('submitted', 'lab/lab.test')).toMatchObject({
    status: 'done',
    at: T0 + 2600,
    detail: 'planned, nothing changed',
  });
  track.markRestored(T0 + 10_000);
  timeline.resolveRemaining(() => ({ status: 'missed' }));
  const judged = judgeDrill({ timeline: timeline.list(), objectives: service.drill, mode: 'dry' });
  expect(judged.objectives).toEqual([
    expect.objectContaining({
      objective: 'failoverWithin',
      to: 'decision',
      measuredMs: 2500,
      status: 'pass',
    }),
    expect.objectContaining({
      objective: 'failbackWithin',
      status: 'not-judged',
      reason: 'dry drill: judged up to the decision',
    }),
    // Notifications are real in a dry drill too: one that never came fails the objective.
    expect.objectContaining({ objective: 'notifyWithin', status: 'fail' }),
  ]);
  expect(judged.checks.map((c) => c.name)).toEqual(['failover', 'plan', 'notify', 'restore']);
});

test('a missing objective is not judged; a slow step fails its objective with the measured time', () => {
  const steps: TimelineStep[] = [
    { step: 'injected', label: 'injected', status: 'done', at: T0, offsetMs: 0 },
    { step: 'decision', label: 'decision', status: 'done', at: T0 + 1000, offsetMs: 1000 },
    { step: 'submitted', target: 'x/z', label: 'submitted', status: 'done', at: T0 + 1200, offsetMs: 1200 },
    { step: 'in-sync', target: 'x/z', label: 'in sync', status: 'done', at: T0 + 1300, offsetMs: 1300 },
    { step: 'answer', label: 'answer', status: 'skipped', detail: 'no name server answered' },
    { step: 'notified', label: 'notified', status: 'done', at: T0 + 1500, offsetMs: 1500 },
    { step: 'restored', label: 'restored', status: 'done', at: T0 + 9000, offsetMs: 9000 },
    {
      step: 'failback-applied',
      target: 'x/z',
      label: 'failback applied',
      status: 'done',
      at: T0 + 12_000,
      offsetMs: 12_000,
    },
  ];
  const judged = judgeDrill({
    timeline: steps,
    objectives: { failoverWithin: 1000, failbackWithin: 5000 },
    mode: 'live',
  });
  expect(judged.objectives).toEqual([
    expect.objectContaining({
      objective: 'failoverWithin',
      to: 'submitted',
      measuredMs: 1200,
      status: 'fail',
      reason: 'injected -> submitted took 1.2s, over the 1s objective',
    }),
    expect.objectContaining({ objective: 'failbackWithin', measuredMs: 3000, status: 'pass' }),
    expect.objectContaining({
      objective: 'notifyWithin',
      status: 'not-judged',
      reason: 'no drill.notifyWithin objective is set',
    }),
  ]);
  expect(judged.checks.find((c) => c.name === 'answer')).toMatchObject({ status: 'skipped' });
  expect(judged.verdict).toBe('fail');
  expect(judged.reasons).toEqual(['failoverWithin: injected -> submitted took 1.2s, over the 1s objective']);
});

test('the timeline lists steps in time order, steps without a time after their predecessors', () => {
  const timeline = new DrillTimeline(T0);
  timeline.record('injected', 'injected', { status: 'done', at: T0 });
  timeline.expect('decision', 'decision');
  timeline.expect('notified', 'notified');
  timeline.expect('restored', 'restored');
  timeline.resolve('notified', { status: 'done', at: T0 + 9000 });
  timeline.resolve('restored', { status: 'done', at: T0 + 5000 });
  timeline.resolve('decision', { status: 'missed' });
  expect(timeline.list().map((step) => step.step)).toEqual(['injected', 'decision', 'restored', 'notified']);
  expect(configuredDecision(webService()).pools.find((p) => p.pool === 'a')?.weight).toBe(1);
});
