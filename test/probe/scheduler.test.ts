import type { CheckResult, Observation } from '../../src/probe/check-result';
import type { CheckRunner } from '../../src/probe/check-runner';
import { systemClock } from '../../src/probe/clock';
import { firstSlotAtOrAfter, phaseOffset } from '../../src/probe/phase';
import type { ProbeTarget } from '../../src/probe/probe-target';
import { ProbeScheduler } from '../../src/probe/scheduler';
import { httpCheck } from '../support/config-builder';

const T0 = Date.UTC(2030, 0, 1, 0, 0, 0);

function target(
  endpoint: string,
  interval = 1000,
  service = 'api',
  region = 'r1',
  version = 'v1',
): ProbeTarget {
  return {
    key: `${service}\t${endpoint}\t${region}`,
    service,
    endpoint,
    region,
    check: httpCheck({ port: 80, interval, timeout: Math.min(interval - 1, 5000) }),
    headers: {},
    fingerprint: `${interval}:${version}`,
  };
}

/** A check runner whose checks take `duration(target endpoint)` ms of fake time and record overlap. */
function fakeRunner(duration: (endpoint: string) => number, outcome: () => CheckResult = () => ok) {
  const running = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerEndpoint = 0;
  const runner: CheckRunner = (check) => {
    const endpoint = (check as { path: string }).path;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    running.set(endpoint, (running.get(endpoint) ?? 0) + 1);
    maxPerEndpoint = Math.max(maxPerEndpoint, running.get(endpoint) ?? 0);
    return new Promise((resolve) =>
      setTimeout(() => {
        inFlight -= 1;
        running.set(endpoint, (running.get(endpoint) ?? 1) - 1);
        resolve(outcome());
      }, duration(endpoint)),
    );
  };
  return { runner, max: () => ({ inFlight: maxInFlight, perEndpoint: maxPerEndpoint }) };
}

const ok: CheckResult = { ok: true, latencyMs: 1 };

/** stop() waits for checks that end on fake timers, so time has to move while it waits. */
async function stopUnderFakeTime(scheduler: ProbeScheduler): Promise<void> {
  const stopping = scheduler.stop();
  await jest.advanceTimersByTimeAsync(60_000);
  await stopping;
}

/** Targets whose check `path` carries the endpoint name, so the fake runner can tell them apart. */
function namedTarget(endpoint: string, interval = 1000): ProbeTarget {
  const t = target(endpoint, interval);
  return { ...t, check: { ...httpCheck({ port: 80, interval, timeout: interval - 1 }), path: endpoint } };
}

describe('ProbeScheduler (fake time)', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('phase offsets are stable, inside [0, interval) and spread endpoints over the interval', () => {
    expect(phaseOffset('api', 'a', 'r1', 5000)).toBe(phaseOffset('api', 'a', 'r1', 5000));
    expect(phaseOffset('api', 'a', 'r1', 5000)).not.toBe(phaseOffset('api', 'a', 'r2', 5000));
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i += 1) {
      const phase = phaseOffset('api', `endpoint-${i}`, 'r1', 5000);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(5000);
      buckets[Math.floor(phase / 500)]! += 1;
    }
    // 1000 phases over 10 buckets: a uniform spread puts ~100 in each; a burst would put them in one.
    for (const count of buckets) {
      expect(count).toBeGreaterThan(60);
      expect(count).toBeLessThan(140);
    }
    expect(firstSlotAtOrAfter(10_000, 300, 1000)).toBe(10_300);
    expect(firstSlotAtOrAfter(10_300, 300, 1000)).toBe(10_300);
    expect(firstSlotAtOrAfter(10_301, 300, 1000)).toBe(11_300);
  });

  test('checks start exactly on their slots for many intervals: no drift even when checks take time', async () => {
    const observations: Observation[] = [];
    const { runner } = fakeRunner(() => 370);
    const scheduler = new ProbeScheduler({ runCheck: runner, onObservation: (o) => observations.push(o) });
    const targets = ['a', 'b', 'c'].map((e) => namedTarget(e, 1000));
    scheduler.setTargets(targets);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(200 * 1000);
    await stopUnderFakeTime(scheduler);

    for (const t of targets) {
      const starts = observations.filter((o) => o.endpoint === t.endpoint).map((o) => o.startedAt);
      expect(starts.length).toBeGreaterThanOrEqual(199);
      const phase = phaseOffset(t.service, t.endpoint, t.region, 1000);
      starts.forEach((start, k) => {
        expect(start).toBe(starts[0]! + k * 1000);
        expect((start - phase) % 1000).toBe(0);
      });
    }
    const stats = scheduler.stats();
    expect(stats.slip.max).toBe(0);
    expect(stats.missedSlots).toBe(0);
    expect(stats.checksByClass.ok).toBe(observations.length);
  });

  test('a check still running at its next slot is not doubled; the slot counts as missed', async () => {
    const observations: Observation[] = [];
    const { runner, max } = fakeRunner(() => 2500);
    const scheduler = new ProbeScheduler({ runCheck: runner, onObservation: (o) => observations.push(o) });
    const t = namedTarget('slow', 1000);
    scheduler.setTargets([t]);
    scheduler.start();
    const firstSlot = scheduler.nextSlotOf(t.key)!;
    await jest.advanceTimersByTimeAsync(firstSlot - Date.now() + 9 * 1000 + 10);
    await stopUnderFakeTime(scheduler);
    // Slots 0..9 came; checks started at slots 0, 3, 6, 9; slots 1, 2, 4, 5, 7, 8 were missed.
    expect(observations.map((o) => o.startedAt - firstSlot)).toEqual([0, 3000, 6000, 9000]);
    expect(max().perEndpoint).toBe(1);
    expect(scheduler.stats().missedSlots).toBe(6);
  });

  test('never more than `concurrency` checks at once; waiting checks start later and their slip is measured', async () => {
    const observations: Observation[] = [];
    const { runner, max } = fakeRunner(() => 400);
    const scheduler = new ProbeScheduler({
      runCheck: runner,
      concurrency: 3,
      onObservation: (o) => observations.push(o),
    });
    scheduler.setTargets(Array.from({ length: 20 }, (_, i) => namedTarget(`e${i}`, 10_000)));
    scheduler.start();
    await jest.advanceTimersByTimeAsync(10_000);
    await stopUnderFakeTime(scheduler);
    expect(max().inFlight).toBe(3);
    // Every endpoint was checked once in its interval: 20 checks of 400 ms fit 3-wide into 10 s.
    expect(new Set(observations.map((o) => o.endpoint)).size).toBe(20);
    expect(scheduler.stats().missedSlots).toBe(0);
  });

  test('concurrency saturation shows as slip and, when a check waits past its next slot, as a missed slot', async () => {
    const { runner, max } = fakeRunner(() => 900);
    const observations: Observation[] = [];
    const scheduler = new ProbeScheduler({
      runCheck: runner,
      concurrency: 1,
      onObservation: (o) => observations.push(o),
    });
    // Two endpoints, 1 s interval, 900 ms checks, one at a time: demand is 1.8 s of work per second.
    scheduler.setTargets([namedTarget('x', 1000), namedTarget('y', 1000)]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(20_000);
    await stopUnderFakeTime(scheduler);
    const stats = scheduler.stats();
    expect(max().inFlight).toBe(1);
    expect(stats.slip.max).toBeGreaterThan(0);
    expect(stats.missedSlots).toBeGreaterThan(0);
    // Work done is bounded by the single slot: at most one 900 ms check at a time.
    expect(observations.length).toBeLessThanOrEqual(Math.ceil(20_000 / 900) + 1);
  });

  test('a process that was late by whole intervals counts the skipped slots and runs once', async () => {
    const observations: Observation[] = [];
    const { runner } = fakeRunner(() => 10);
    let frozenFor = 0;
    const scheduler = new ProbeScheduler({
      runCheck: runner,
      onObservation: (o) => observations.push(o),
      // The timer fires on time, but the clock says 5.5 intervals went by: a frozen event loop or VM.
      clock: { now: () => Date.now() + frozenFor, setTimer: systemClock.setTimer },
    });
    const t = namedTarget('late', 1000);
    scheduler.setTargets([t]);
    scheduler.start();
    const firstSlot = scheduler.nextSlotOf(t.key)!;
    await jest.advanceTimersByTimeAsync(firstSlot - Date.now() - 1);
    frozenFor = 5500;
    await jest.advanceTimersByTimeAsync(20);
    await stopUnderFakeTime(scheduler);
    expect(observations).toHaveLength(1);
    expect(observations[0]!.startedAt).toBe(firstSlot + 5500);
    expect(scheduler.stats().missedSlots).toBe(5);
    expect(scheduler.stats().slip.max).toBe(500);
  });

  test('setTargets keeps unchanged targets on their slots, reschedules changed intervals, drops removed ones', async () => {
    const observations: Observation[] = [];
    const { runner } = fakeRunner(() => 10);
    const scheduler = new ProbeScheduler({ runCheck: runner, onObservation: (o) => observations.push(o) });
    const keep = namedTarget('keep', 1000);
    const change = namedTarget('change', 1000);
    const drop = namedTarget('drop', 1000);
    scheduler.setTargets([keep, change, drop]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    const keepSlot = scheduler.nextSlotOf(keep.key);

    const changed = { ...namedTarget('change', 2000), fingerprint: 'other' };
    const result = scheduler.setTargets([keep, changed, namedTarget('new', 1000)]);
    expect(result).toEqual({
      added: [namedTarget('new').key],
      removed: [drop.key],
      changed: [change.key],
      unchanged: 1,
    });
    expect(scheduler.nextSlotOf(keep.key)).toBe(keepSlot);
    expect(scheduler.nextSlotOf(drop.key)).toBeUndefined();
    const changedSlot = scheduler.nextSlotOf(change.key)!;
    expect((changedSlot - phaseOffset('api', 'change', 'r1', 2000)) % 2000).toBe(0);

    const before = observations.length;
    await jest.advanceTimersByTimeAsync(10_000);
    await stopUnderFakeTime(scheduler);
    const after = observations.slice(before);
    expect(after.filter((o) => o.endpoint === 'drop')).toHaveLength(0);
    expect(after.filter((o) => o.endpoint === 'keep')).toHaveLength(10);
    expect(after.filter((o) => o.endpoint === 'change')).toHaveLength(5);
    expect(after.filter((o) => o.endpoint === 'new').length).toBeGreaterThanOrEqual(9);
  });

  test('stop() starts nothing new, lets in-flight checks finish, and aborts them after the grace period', async () => {
    const observations: Observation[] = [];
    let aborted = 0;
    const runner: CheckRunner = (_check, options) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(ok), 800);
        options?.signal?.addEventListener('abort', () => {
          aborted += 1;
          clearTimeout(timer);
          resolve({ ok: false, failureClass: 'timeout', detail: 'aborted', latencyMs: 0 });
        });
      });
    const scheduler = new ProbeScheduler({ runCheck: runner, onObservation: (o) => observations.push(o) });
    const t = namedTarget('a', 1000);
    scheduler.setTargets([t]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(scheduler.nextSlotOf(t.key)! - Date.now() + 1);
    expect(scheduler.stats().inFlight).toBe(1);

    let stopped = false;
    const stopping = scheduler.stop(500).then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    await jest.advanceTimersByTimeAsync(450);
    await stopping;
    expect(aborted).toBe(1);
    expect(observations.map((o) => o.detail)).toEqual(['aborted']);
    await jest.advanceTimersByTimeAsync(5000);
    expect(observations).toHaveLength(1);
  });

  test('a runner that rejects is counted as an internal error and scheduling goes on', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const runner: CheckRunner = () => {
      calls += 1;
      return calls === 1 ? Promise.reject(new Error('bug')) : Promise.resolve(ok);
    };
    const observations: Observation[] = [];
    const scheduler = new ProbeScheduler({
      runCheck: runner,
      onObservation: (o) => observations.push(o),
      onInternalError: (e) => errors.push(e),
    });
    scheduler.setTargets([namedTarget('a', 1000)]);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(3000);
    await stopUnderFakeTime(scheduler);
    expect(errors).toHaveLength(1);
    expect(scheduler.stats().internalErrors).toBe(1);
    expect(observations.length).toBeGreaterThanOrEqual(2);
  });
});
