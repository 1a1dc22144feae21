import { ObservationBuffer } from '../../src/probe/observation-buffer';
import { ObservationSink, type SinkEvent } from '../../src/probe/observation-sink';
import type { PendingObservation, RecordResult } from '../../src/probe/recorder';
import { observation } from './helpers';

/** A recorder standing in for Redis: up or down at the test's command, keeping what it applied in order. */
function fakeRecorder() {
  const applied: number[] = [];
  const replayed: number[] = [];
  const batches: number[] = [];
  let up = true;
  let failAfter: number | undefined;
  return {
    applied,
    replayed,
    batches,
    setUp(value: boolean) {
      up = value;
    },
    /** The next batch loses the connection after this many items (their replies are lost too). */
    dropConnectionAfter(n: number) {
      failAfter = n;
    },
    recordBatch(batch: readonly PendingObservation[]): Promise<RecordResult[]> {
      batches.push(batch.length);
      const connectionLost = new Error('Connection is closed.');
      if (!up)
        return Promise.resolve(
          batch.map(() => ({ status: 'failed', error: connectionLost, transient: true })),
        );
      const cut = failAfter;
      failAfter = undefined;
      return Promise.resolve(
        batch.map((item, index): RecordResult => {
          if (cut !== undefined && index >= cut)
            return { status: 'failed', error: connectionLost, transient: true };
          applied.push(item.seq);
          if (item.replay) replayed.push(item.seq);
          return {
            status: 'recorded',
            recorded: {
              observation: item.observation,
              opinion: 'unknown',
              previous: 'unknown',
              flipped: false,
              streak: 1,
              duplicate: false,
            },
          };
        }),
      );
    },
  };
}

const thresholds = { failureThreshold: 3, successThreshold: 2 };

describe('ObservationBuffer', () => {
  test('drops the oldest when full and counts it', () => {
    const buffer = new ObservationBuffer<number>(3);
    for (let i = 1; i <= 5; i += 1) buffer.push(i);
    expect(buffer.size).toBe(3);
    expect(buffer.dropped).toBe(2);
    expect(buffer.take(10)).toEqual([3, 4, 5]);
  });

  test('putBack restores taken items in front, in order, dropping the oldest of them when newer ones filled the room', () => {
    const buffer = new ObservationBuffer<number>(4);
    [1, 2, 3].forEach((i) => buffer.push(i));
    const taken = buffer.take(3);
    [4, 5].forEach((i) => buffer.push(i));
    buffer.putBack(taken);
    expect(buffer.dropped).toBe(1);
    expect(buffer.take(10)).toEqual([2, 3, 4, 5]);
  });
});

describe('ObservationSink', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('observations finished in the same turn ride in one pipeline', async () => {
    const recorder = fakeRecorder();
    const sink = new ObservationSink({ recorder });
    for (let i = 0; i < 50; i += 1) sink.push(observation(`e${i}`, true), thresholds);
    await jest.advanceTimersByTimeAsync(1);
    expect(recorder.batches).toEqual([50]);
    expect(sink.stats()).toMatchObject({ buffered: 0, recorded: 50, redis: 'up' });
  });

  test('while Redis is down observations wait; once back they are written in order and each state change is reported once', async () => {
    const recorder = fakeRecorder();
    const events: SinkEvent[] = [];
    const sink = new ObservationSink({ recorder, onEvent: (e) => events.push(e) });
    sink.push(observation('a', true), thresholds);
    await jest.advanceTimersByTimeAsync(1);

    recorder.setUp(false);
    for (let i = 0; i < 20; i += 1) {
      sink.push(observation('a', i % 2 === 0), thresholds);
      await jest.advanceTimersByTimeAsync(300);
    }
    expect(events.map((e) => e.kind)).toEqual(['redis-unreachable']);
    expect(sink.stats()).toMatchObject({ buffered: 20, redis: 'down' });

    recorder.setUp(true);
    sink.wake();
    await jest.advanceTimersByTimeAsync(1);
    expect(recorder.applied).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(events.map((e) => e.kind)).toEqual(['redis-unreachable', 'redis-back']);
    expect(events[1]).toMatchObject({ kind: 'redis-back', flushed: 20, dropped: 0 });
    expect(sink.stats()).toMatchObject({ buffered: 0, redis: 'up' });
  });

  test('a connection lost mid-batch retries the unanswered tail, in order, after the answered head', async () => {
    const recorder = fakeRecorder();
    const sink = new ObservationSink({ recorder });
    recorder.dropConnectionAfter(4);
    for (let i = 0; i < 10; i += 1) sink.push(observation('a', true), thresholds);
    await jest.advanceTimersByTimeAsync(1);
    expect(recorder.applied).toEqual([1, 2, 3, 4]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(recorder.applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Sent without an answer: the retry asks the script to check whether Redis applied them already.
    expect(recorder.replayed).toEqual([5, 6, 7, 8, 9, 10]);
  });

  test('a long outage keeps the newest `capacity` observations and reports how many were dropped', async () => {
    const recorder = fakeRecorder();
    const events: SinkEvent[] = [];
    const sink = new ObservationSink({ recorder, capacity: 5, onEvent: (e) => events.push(e) });
    recorder.setUp(false);
    for (let i = 0; i < 12; i += 1) {
      sink.push(observation('a', true), thresholds);
      await jest.advanceTimersByTimeAsync(100);
    }
    recorder.setUp(true);
    await jest.advanceTimersByTimeAsync(5000);
    expect(recorder.applied).toEqual([8, 9, 10, 11, 12]);
    expect(events.at(-1)).toMatchObject({ kind: 'redis-back', flushed: 5, dropped: 7 });
  });

  test('flush() writes what is buffered before a deadline, and says how much is left when Redis stays away', async () => {
    const recorder = fakeRecorder();
    const sink = new ObservationSink({ recorder });
    recorder.setUp(false);
    for (let i = 0; i < 3; i += 1) sink.push(observation('a', true), thresholds);
    const stuck = sink.flush(1000);
    await jest.advanceTimersByTimeAsync(1100);
    expect(await stuck).toBe(3);

    recorder.setUp(true);
    const done = sink.flush(1000);
    await jest.advanceTimersByTimeAsync(10);
    expect(await done).toBe(0);
    expect(recorder.applied).toEqual([1, 2, 3]);
  });
});
