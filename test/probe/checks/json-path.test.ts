import fc from 'fast-check';
import { evaluateJsonPath, JsonPathSyntaxError, parseJsonPath } from '../../../src/probe/checks/json-path';

describe('json path', () => {
  it('parses dots, indexes and quoted names', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.a.b[0].c')).toEqual([
      { kind: 'property', name: 'a' },
      { kind: 'property', name: 'b' },
      { kind: 'index', index: 0 },
      { kind: 'property', name: 'c' },
    ]);
    expect(parseJsonPath(`$['dotted.key']["it's"].x-y`)).toEqual([
      { kind: 'property', name: 'dotted.key' },
      { kind: 'property', name: "it's" },
      { kind: 'property', name: 'x-y' },
    ]);
  });

  it.each([
    ['status', 0, 'must start with "$"'],
    ['$.', 2, 'expected a property name'],
    ['$.a[x]', 3, 'expected ".name"'],
    ['$.a[-1]', 3, 'expected ".name"'],
    ['$..a', 2, 'expected a property name'],
  ])('rejects %s at position %d', (path, position, reason) => {
    try {
      parseJsonPath(path);
      throw new Error('expected a syntax error');
    } catch (error) {
      expect(error).toBeInstanceOf(JsonPathSyntaxError);
      expect(error).toMatchObject({ code: 'QDNS_JSON_PATH_SYNTAX', position });
      expect((error as Error).message).toContain(reason);
    }
  });

  it('finds values and reports missing keys, indexes and wrong containers as not found', () => {
    const document = { a: { b: [{ c: 'deep' }, null] }, list: [1, 2] };
    expect(evaluateJsonPath(document, parseJsonPath('$.a.b[0].c'))).toEqual({ found: true, value: 'deep' });
    expect(evaluateJsonPath(document, parseJsonPath('$.a.b[1]'))).toEqual({ found: true, value: null });
    expect(evaluateJsonPath(document, parseJsonPath('$.a.b[2]'))).toEqual({ found: false });
    expect(evaluateJsonPath(document, parseJsonPath('$.a.x'))).toEqual({ found: false });
    expect(evaluateJsonPath(document, parseJsonPath('$.list.length'))).toEqual({ found: false });
    expect(evaluateJsonPath(document, parseJsonPath('$.a[0]'))).toEqual({ found: false });
    expect(evaluateJsonPath(document, parseJsonPath('$.toString'))).toEqual({ found: false });
  });

  it('finds every value of any JSON document by its own path', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat({ max: 3 }), fc.string({ minLength: 1, maxLength: 6 })), { maxLength: 5 }),
        fc.jsonValue(),
        (steps, leaf) => {
          // Build a document that holds `leaf` at the path described by `steps`.
          let document: unknown = leaf;
          for (const step of [...steps].reverse()) {
            if (typeof step === 'number') {
              const array: unknown[] = new Array<unknown>(step + 1).fill(0);
              array[step] = document;
              document = array;
            } else {
              document = { [step]: document };
            }
          }
          const path =
            '$' +
            steps
              .map((step) => (typeof step === 'number' ? `[${step}]` : `[${JSON.stringify(step)}]`))
              .join('');
          const lookup = evaluateJsonPath(document, parseJsonPath(path));
          expect(lookup).toEqual({ found: true, value: leaf });
        },
      ),
    );
  });
});
