/** The pure grouping rule: which events after a channel's cursor make its next message, and when. */
import type { StoredEvent } from '../../../src/evaluator/service-record';
import { nextGroup } from '../../../src/notify/event-group';

function event(id: string, at: number, severity: StoredEvent['severity'] = 'warning'): StoredEvent {
  return { id, at, severity, kind: 'override-set', service: 'api', message: id, generation: 1 };
}

const warnings = (e: StoredEvent): boolean => e.severity !== 'info';
const base = { routed: warnings, maxEventAgeMs: 3600_000 };

test('nothing routed after the cursor: none', () => {
  expect(nextGroup({ ...base, events: [event('1-0', 10, 'info')], quietPeriodMs: 0, now: 100 })).toEqual({
    kind: 'none',
  });
  expect(nextGroup({ ...base, events: [], quietPeriodMs: 0, now: 100 })).toEqual({ kind: 'none' });
});

test('quiet period 0: the events of one evaluation (same time) go together, the next evaluation waits', () => {
  const events = [event('1-0', 10, 'info'), event('1-1', 10), event('2-0', 10), event('3-0', 11)];
  expect(nextGroup({ ...base, events, quietPeriodMs: 0, now: 50 })).toEqual({
    kind: 'ready',
    events: [events[1], events[2]],
    throughId: '2-0',
  });
});

test('a running quiet period waits; once over, every event within it joins', () => {
  const events = [event('1-0', 1000), event('2-0', 1500), event('3-0', 2000), event('4-0', 2600)];
  expect(nextGroup({ ...base, events, quietPeriodMs: 1000, now: 1999 })).toEqual({
    kind: 'wait',
    until: 2000,
    first: events[0],
  });
  expect(nextGroup({ ...base, events, quietPeriodMs: 1000, now: 5000 })).toEqual({
    kind: 'ready',
    events: events.slice(0, 3),
    throughId: '3-0',
  });
});

test('events too old to be news are stepped over together, up to the first fresh routed one', () => {
  const events = [event('1-0', 10), event('2-0', 20, 'info'), event('3-0', 30), event('4-0', 9000)];
  expect(nextGroup({ ...base, events, quietPeriodMs: 0, now: 5000, maxEventAgeMs: 1000 })).toEqual({
    kind: 'expired',
    events: [events[0], events[2]],
    throughId: '3-0',
  });
});

test("a commit's decision travels with its routed events, even below the route's severity", () => {
  const restore: StoredEvent = {
    ...event('5-0', 70, 'info'),
    kind: 'pool-restored',
    pool: 'a',
    generation: 3,
  };
  const decision: StoredEvent = { ...event('5-1', 70, 'info'), kind: 'decision-changed', generation: 3 };
  const laterDecision: StoredEvent = { ...event('6-0', 80, 'info'), kind: 'decision-changed', generation: 4 };
  const routed = (e: StoredEvent): boolean => e.kind === 'pool-restored';
  expect(nextGroup({ ...base, routed, events: [restore, decision], quietPeriodMs: 0, now: 100 })).toEqual({
    kind: 'ready',
    events: [restore, decision],
    throughId: '5-1',
  });
  // A decision of another commit (nothing routed in it) is only stepped over, even within the quiet period.
  expect(
    nextGroup({ ...base, routed, events: [restore, decision, laterDecision], quietPeriodMs: 50, now: 200 }),
  ).toEqual({ kind: 'ready', events: [restore, decision], throughId: '6-0' });
});
