import fc from 'fast-check';
import {
  changedSet,
  computePlan,
  countChanges,
  isEmptyPlan,
  type PlanInput,
} from '../../../src/providers/plan';
import { type RecordChange, type RecordSet, recordSetKey } from '../../../src/providers/record-set';
import { canonicalRecordSet } from '../../../src/providers/record-set-equality';

const base = { service: 'web', provider: 'memory', zone: 'example.com', mode: 'rewrite' as const };

function plan(current: RecordSet[], desired: RecordSet[], managedNames: string[]) {
  return computePlan({ ...base, current, desired, managedNames });
}

const a = (name: string, values: string[], extra: Partial<RecordSet> = {}): RecordSet => ({
  name,
  type: 'A',
  ttl: 30,
  values,
  ...extra,
});

describe('computePlan', () => {
  it('creates what is missing, updates what differs, keeps what is equal (value order and case do not matter)', () => {
    const p = plan(
      [a('www.example.com', ['192.0.2.2', '192.0.2.1']), a('api.example.com', ['192.0.2.1'])],
      [
        a('WWW.example.com.', ['192.0.2.1', '192.0.2.2']),
        a('api.example.com', ['192.0.2.9']),
        a('new.example.com', ['192.0.2.3']),
      ],
      ['www.example.com', 'api.example.com', 'new.example.com'],
    );
    expect(p.changes.map((c) => [c.action, changedSet(c).name])).toEqual([
      ['update', 'api.example.com'],
      ['create', 'new.example.com'],
    ]);
    expect(p.unchanged.map((s) => s.name)).toEqual(['www.example.com']);
    expect(countChanges(p.changes)).toEqual({ create: 1, update: 1, delete: 0 });
  });

  it('an update carries the exact current set as before (Cloud DNS deletes it exactly)', () => {
    const current = a('www.example.com', ['192.0.2.1'], { ttl: 60 });
    const p = plan([current], [a('www.example.com', ['192.0.2.1'])], ['www.example.com']);
    expect(p.changes).toEqual([
      { action: 'update', before: current, after: a('www.example.com', ['192.0.2.1']) },
    ]);
  });

  it('deletes only what is in the way at managed names', () => {
    const p = plan(
      [
        a('www.example.com', ['192.0.2.1'], { setIdentifier: 'gone', weight: 1 }), // a pool removed from config
        a('www.example.com', ['192.0.2.1'], { setIdentifier: 'east', weight: 1 }),
        { name: 'www.example.com', type: 'TXT', ttl: 300, values: ['"google-site-verification=x"'] }, // not ours
        { name: 'www.example.com', type: 'AAAA', ttl: 30, values: ['2001:db8::1'] }, // a sibling service's
        a('elsewhere.example.com', ['192.0.2.1']), // not managed
      ],
      [a('www.example.com', ['192.0.2.1'], { setIdentifier: 'east', weight: 1 })],
      ['www.example.com'],
    );
    expect(p.changes.map((c) => [c.action, changedSet(c).setIdentifier])).toEqual([['delete', 'gone']]);
    expect(p.current.map((s) => s.name)).not.toContain('elsewhere.example.com');
  });

  it('switching between rewrite and weights deletes the other shape; a CNAME and an A replace each other', () => {
    const toWeights = plan(
      [a('www.example.com', ['192.0.2.1'])],
      [a('www.example.com', ['192.0.2.1'], { setIdentifier: 'east', weight: 1 })],
      ['www.example.com'],
    );
    expect(toWeights.changes.map((c) => c.action)).toEqual(['delete', 'create']);

    const cname: RecordSet = { name: 'www.example.com', type: 'CNAME', ttl: 30, values: ['lb.example.net'] };
    expect(
      plan([cname], [a('www.example.com', ['192.0.2.1'])], ['www.example.com']).changes.map((c) => c.action),
    ).toEqual(['create', 'delete']);
    expect(
      plan([a('www.example.com', ['192.0.2.1'])], [cname], ['www.example.com']).changes.map((c) => c.action),
    ).toEqual(['delete', 'create']);
  });

  it('sorts by subject name with each owner record right before its name', () => {
    const owner = (name: string): RecordSet => ({
      name: `_quorumdns.${name}`,
      type: 'TXT',
      ttl: 300,
      values: ['"x"'],
    });
    const names = ['b.example.com', '1.example.com', 'a.example.com'];
    const p = plan(
      [],
      [...names.map((n) => a(n, ['192.0.2.1'])), ...names.map(owner)],
      [...names, ...names.map((n) => `_quorumdns.${n}`)],
    );
    expect(p.changes.map((c) => changedSet(c).name)).toEqual([
      '_quorumdns.1.example.com',
      '1.example.com',
      '_quorumdns.a.example.com',
      'a.example.com',
      '_quorumdns.b.example.com',
      'b.example.com',
    ]);
  });

  it('refuses desired sets outside the managed names (a bug, never a silent write)', () => {
    expect(() => plan([], [a('www.example.com', ['192.0.2.1'])], ['api.example.com'])).toThrow(
      /not at a managed name/,
    );
  });
});

// --- properties -------------------------------------------------------------------------------------------

const NAMES = ['a.example.com', 'b.example.com', '_quorumdns.a.example.com', 'c.example.com'];

const recordSetArb: fc.Arbitrary<RecordSet> = fc
  .record({
    name: fc.constantFrom(...NAMES),
    type: fc.constantFrom('A' as const, 'AAAA' as const, 'TXT' as const),
    ttl: fc.constantFrom(30, 60),
    values: fc.uniqueArray(fc.constantFrom('v1', 'v2', 'v3'), { minLength: 1, maxLength: 3 }),
    setIdentifier: fc.option(fc.constantFrom('east', 'west'), { nil: undefined }),
  })
  .map((set) => {
    const out: RecordSet = { name: set.name, type: set.type, ttl: set.ttl, values: set.values };
    if (set.setIdentifier !== undefined) Object.assign(out, { setIdentifier: set.setIdentifier, weight: 1 });
    return out;
  });

/** Sets with unique identities (a zone holds one set per identity). */
const zoneArb = fc.uniqueArray(recordSetArb, { selector: recordSetKey, maxLength: 10 });

function applyChanges(current: RecordSet[], changes: RecordChange[]): RecordSet[] {
  const byKey = new Map(current.map((s) => [recordSetKey(s), canonicalRecordSet(s)]));
  for (const change of changes) {
    if (change.action === 'delete') byKey.delete(recordSetKey(change.before));
    else byKey.set(recordSetKey(change.after), change.after);
  }
  return [...byKey.values()];
}

describe('computePlan properties', () => {
  const input = (current: RecordSet[], desired: RecordSet[], managedNames: string[]): PlanInput => ({
    ...base,
    current,
    desired,
    managedNames,
  });

  it('a plan of desired vs desired is empty', () => {
    fc.assert(
      fc.property(zoneArb, (desired) => {
        expect(isEmptyPlan(computePlan(input(desired, desired, NAMES)))).toBe(true);
      }),
    );
  });

  it('applying the plan yields every desired set; a plan against the result is empty', () => {
    fc.assert(
      fc.property(zoneArb, zoneArb, (current, desired) => {
        const p = computePlan(input(current, desired, NAMES));
        const after = applyChanges(current, p.changes);
        const held = new Map(after.map((s) => [recordSetKey(s), s]));
        for (const set of p.desired) expect(held.get(recordSetKey(set))).toEqual(set);
        expect(isEmptyPlan(computePlan(input(after, desired, NAMES)))).toBe(true);
      }),
    );
  });

  it('is deterministic whatever order the provider listed the sets in', () => {
    fc.assert(
      fc.property(zoneArb, zoneArb, fc.infiniteStream(fc.nat()), (current, desired, randoms) => {
        const shuffled = [...current]
          .map((set) => ({ set, r: randoms.next().value as number }))
          .sort((x, y) => x.r - y.r)
          .map((x) => x.set);
        expect(computePlan(input(shuffled, desired, NAMES)).changes).toEqual(
          computePlan(input(current, desired, NAMES)).changes,
        );
      }),
    );
  });

  it('never touches a set outside the managed names', () => {
    fc.assert(
      fc.property(zoneArb, zoneArb, fc.subarray(NAMES, { minLength: 1 }), (current, desired, managed) => {
        const wanted = desired.filter((s) => managed.includes(s.name));
        const p = computePlan(input(current, wanted, managed));
        for (const change of p.changes) expect(managed).toContain(changedSet(change).name);
      }),
    );
  });
});
