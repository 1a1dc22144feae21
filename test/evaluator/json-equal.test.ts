/** The state comparison behind "nothing moved but time": JSON meaning, without serialising. */
import { canonicalJson } from '../../src/config/config-hash';
import { jsonEqual } from '../../src/evaluator/json-equal';
import { initialState } from '../../src/quorum/decide';
import { testService } from './support/fixtures';

test('key order and undefined-valued keys do not matter; values, array order and types do', () => {
  expect(jsonEqual({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
  expect(jsonEqual({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
  expect(jsonEqual({ a: 1 }, { a: 1, gone: undefined })).toBe(true);
  expect(jsonEqual({ a: 1 }, { a: 2 })).toBe(false);
  expect(jsonEqual({ a: 1 }, { a: 1, b: null })).toBe(false);
  expect(jsonEqual({ a: 1, b: null }, { a: 1 })).toBe(false);
  expect(jsonEqual([1, 2], [2, 1])).toBe(false);
  expect(jsonEqual([1], [1, 1])).toBe(false);
  expect(jsonEqual({ a: '1' }, { a: 1 })).toBe(false);
  expect(jsonEqual({}, [])).toBe(false);
  expect(jsonEqual([], {})).toBe(false);
  expect(jsonEqual(null, {})).toBe(false);
  expect(jsonEqual({}, null)).toBe(false);
  expect(jsonEqual(true, true)).toBe(true);
  expect(jsonEqual(true, false)).toBe(false);
  // JSON writes an undefined array item as null.
  expect(jsonEqual([undefined], [null])).toBe(true);
});

test('what JSON cannot carry is never equal, so a caller skipping a write on "equal" never skips one it needed', () => {
  expect(jsonEqual(Number.NaN, Number.NaN)).toBe(false);
  expect(jsonEqual({ a: Infinity }, { a: Infinity })).toBe(false);
  const f = () => undefined;
  expect(jsonEqual({ a: f }, { a: f })).toBe(false);
  expect(jsonEqual(1n, 1n)).toBe(false);
});

test('the ignored key is ignored at the top only', () => {
  expect(jsonEqual({ at: 1, a: 1 }, { at: 2, a: 1 }, 'at')).toBe(true);
  expect(jsonEqual({ at: 1, a: 1 }, { a: 1 }, 'at')).toBe(true);
  expect(jsonEqual({ inner: { at: 1 } }, { inner: { at: 2 } }, 'at')).toBe(false);
});

test('agrees with canonical JSON on states that went through JSON, in any key order', () => {
  const state = initialState(testService('api'), 1000);
  const roundTripped = JSON.parse(JSON.stringify(state)) as typeof state;
  const reversed = Object.fromEntries(Object.entries(roundTripped).reverse()) as typeof state;
  expect(jsonEqual(state, reversed)).toBe(true);
  expect(canonicalJson(state)).toBe(canonicalJson(reversed));
  const changed = {
    ...roundTripped,
    pools: { ...roundTripped.pools, a: { ...roundTripped.pools.a, eligible: false } },
  };
  expect(jsonEqual(state, changed as typeof state)).toBe(false);
  expect(canonicalJson(state) === canonicalJson(changed)).toBe(false);
});
