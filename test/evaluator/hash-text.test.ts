/** A hash carried as one JSON text by a read script, and what its reader refuses. */
import { decodeHashText } from '../../src/evaluator/hash-text';

test('pairs come back in the order of the text, any characters included', () => {
  expect(decodeHashText('k', '["a\\tr1","up","we\\"ird\\/é\\n","v\\u0001"]')).toEqual([
    ['a\tr1', 'up'],
    ['we"ird/é\n', 'v\u0001'],
  ]);
  expect(decodeHashText('k', '[]')).toEqual([]);
});

test('anything else is a clear error naming the key, never a TypeError later', () => {
  expect(() => decodeHashText('acme:{api}:opinions', null)).toThrow(
    "reading acme:{api}:opinions: the read script returned nothing instead of the hash's JSON text",
  );
  expect(() => decodeHashText('k', '{oops')).toThrow(
    'reading k: the read script returned text that is not JSON',
  );
  expect(() => decodeHashText('k', 42)).toThrow('returned a number instead of');
  expect(() => decodeHashText('k', '{}')).toThrow('not a [field, value, ...] array');
  expect(() => decodeHashText('k', '["odd"]')).toThrow('not a [field, value, ...] array');
  expect(() => decodeHashText('k', '["a", 1]')).toThrow('a field or value that is not a string');
});
