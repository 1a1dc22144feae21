import fc from 'fast-check';
import {
  batchChanges,
  changeCost,
  ChangeTooLargeError,
  effectiveLimits,
} from '../../../src/providers/batching';
import type { BatchLimits, RecordChange, RecordSet } from '../../../src/providers/record-set';

const a = (name: string, values: string[]): RecordSet => ({ name, type: 'A', ttl: 30, values });
const create = (set: RecordSet): RecordChange => ({ action: 'create', after: set });

describe('changeCost', () => {
  it('counts an update updateCost times (Route 53 UPSERT twice), and at least old + new values', () => {
    const before = a('www.example.com', ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    const after = a('www.example.com', ['192.0.2.4']);
    expect(changeCost({ action: 'update', before, after }, 2)).toEqual({
      changes: 2,
      recordValues: 4, // max(2 x 1, 3 + 1)
      valueChars: 36, // 4 x 9 characters
    });
    expect(changeCost({ action: 'update', before: after, after: before }, 2)).toEqual({
      changes: 2,
      recordValues: 6,
      valueChars: 54,
    });
    expect(changeCost(create(before), 2)).toEqual({ changes: 1, recordValues: 3, valueChars: 27 });
  });

  it('counts wrr item values, and an alias as no ResourceRecord value', () => {
    const wrr: RecordSet = {
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      wrr: [
        { weight: 1, values: ['192.0.2.1', '192.0.2.2'] },
        { weight: 0, values: ['192.0.2.3'] },
      ],
    };
    expect(changeCost(create(wrr), 1).recordValues).toBe(3);
    const alias: RecordSet = {
      name: 'www.example.com',
      type: 'A',
      ttl: 0,
      alias: { hostedZoneId: 'Z1', dnsName: 'lb.example.net', evaluateTargetHealth: false },
    };
    expect(changeCost(create(alias), 2)).toEqual({ changes: 1, recordValues: 0, valueChars: 0 });
  });
});

describe('batchChanges', () => {
  const roomy: BatchLimits = { maxChanges: 100, maxRecordValues: 1000, maxValueChars: 32000 };

  it('keeps a name and its owner record in one batch when they fit together', () => {
    const changes = ['a', 'b', 'c'].flatMap((n) => [
      create({ name: `_quorumdns.${n}.example.com`, type: 'TXT', ttl: 300, values: ['"x"'] }),
      create(a(`${n}.example.com`, ['192.0.2.1'])),
    ]);
    const batches = batchChanges(changes, { ...roomy, maxChanges: 3 }, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 2]);
  });

  it('splits a name only when its changes cannot fit in one request', () => {
    const sets = ['east', 'west', 'north'].map((pool) => ({
      ...a('www.example.com', ['192.0.2.1']),
      setIdentifier: pool,
      weight: 1,
    }));
    const batches = batchChanges(sets.map(create), { ...roomy, maxChanges: 2 }, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
  });

  it('throws ChangeTooLargeError for one change above the limits, naming it', () => {
    const big = create(a('www.example.com', ['192.0.2.1', '192.0.2.2', '192.0.2.3']));
    expect(() => batchChanges([big], { ...roomy, maxRecordValues: 2 }, 2)).toThrow(ChangeTooLargeError);
    expect(() => batchChanges([big], { ...roomy, maxRecordValues: 2 }, 2)).toThrow(/www\.example\.com A/);
  });

  it('returns no batch for no change, and refuses limits below 1', () => {
    expect(batchChanges([], roomy, 2)).toEqual([]);
    expect(() => batchChanges([], { ...roomy, maxChanges: 0 }, 2)).toThrow(RangeError);
  });

  const changeArb: fc.Arbitrary<RecordChange> = fc
    .record({
      name: fc.constantFrom('a.example.com', 'b.example.com', '_quorumdns.a.example.com', 'c.example.com'),
      values: fc.array(fc.constantFrom('192.0.2.1', '2001:db8::1234', 'x'), { minLength: 1, maxLength: 4 }),
      oldValues: fc.array(fc.constantFrom('192.0.2.9', 'y'), { minLength: 1, maxLength: 4 }),
      action: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
    })
    .map(({ name, values, oldValues, action }): RecordChange => {
      if (action === 'create') return create(a(name, values));
      if (action === 'delete') return { action, before: a(name, values) };
      return { action, before: a(name, oldValues), after: a(name, values) };
    });

  const limitsArb: fc.Arbitrary<BatchLimits> = fc.record({
    maxChanges: fc.integer({ min: 2, max: 12 }),
    maxRecordValues: fc.integer({ min: 8, max: 40 }),
    maxValueChars: fc.integer({ min: 120, max: 600 }),
  });

  it('property: never exceeds the limits, and keeps every change exactly once in order', () => {
    fc.assert(
      fc.property(
        fc.array(changeArb, { maxLength: 60 }),
        limitsArb,
        fc.constantFrom(1, 2),
        (changes, limits, cost) => {
          const batches = batchChanges(changes, limits, cost);
          expect(batches.flat()).toEqual(changes);
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            const total = batch
              .map((change) => changeCost(change, cost))
              .reduce((x, y) => ({
                changes: x.changes + y.changes,
                recordValues: x.recordValues + y.recordValues,
                valueChars: x.valueChars + y.valueChars,
              }));
            expect(total.changes).toBeLessThanOrEqual(limits.maxChanges);
            expect(total.recordValues).toBeLessThanOrEqual(limits.maxRecordValues);
            expect(total.valueChars).toBeLessThanOrEqual(limits.maxValueChars);
          }
        },
      ),
    );
  });

  it('property: calls grow as N / batch size, not N', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 50 }), (n, maxChanges) => {
        const changes = Array.from({ length: n }, (_, i) => create(a(`n${i}.example.com`, ['192.0.2.1'])));
        expect(batchChanges(changes, { ...roomy, maxChanges }, 2)).toHaveLength(Math.ceil(n / maxChanges));
      }),
    );
  });
});

describe('effectiveLimits', () => {
  it('config lowers the documented limits, never raises them', () => {
    const documented: BatchLimits = { maxChanges: 1000, maxRecordValues: 1000, maxValueChars: 32000 };
    expect(effectiveLimits(documented, { maxChanges: 50, maxValueChars: 64000 })).toEqual({
      maxChanges: 50,
      maxRecordValues: 1000,
      maxValueChars: 32000,
    });
  });
});
