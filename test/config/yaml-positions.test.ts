/** Positions survive YAML's conveniences: anchors, aliases, merge keys, several documents. */
import { parseYamlFile, positionOf } from '../../src/config/yaml-source';
import { problemLines, SHARED } from './support/config-text';

describe('positions', () => {
  const text = `base: &base
  interval: 10s
  timeout: 3s
list:
  - { a: 1 }
  - b: 2
    c: &c 3
merged:
  <<: *base
  own: x
alias: *c
empty:
`;
  const [fragment] = parseYamlFile('p.yaml', text).fragments;
  const at = (path: Array<string | number>, anchor: 'key' | 'value' = 'value') => {
    const { line, col } = positionOf(fragment!, path, anchor);
    return `${line}:${col}`;
  };

  it('finds values and keys', () => {
    expect(at(['base', 'timeout'])).toBe('3:12');
    expect(at(['base', 'timeout'], 'key')).toBe('3:3');
    expect(at(['list', 1, 'c'])).toBe('7:11');
    expect(at(['list', 0, 'a'])).toBe('5:10');
  });

  it('follows merge keys and aliases to where the value was written', () => {
    expect(at(['merged', 'interval'])).toBe('2:13');
    expect(at(['merged', 'own'])).toBe('10:8');
    expect(at(['alias'])).toBe('11:8');
  });

  it('points a missing path at its deepest existing ancestor', () => {
    expect(at(['merged', 'nope'])).toBe('8:1');
    expect(at(['list', 0, 'nope'])).toBe('5:5');
    expect(at(['list', 7])).toBe('4:1');
    expect(at(['empty'])).toBe('12:1'); // `empty:` has no value text: its key
  });

  it('reports problems inside a merged map at the anchor', () => {
    const lines =
      problemLines(`${SHARED.replace('  check: { type: https, interval: 10s, timeout: 3s, path: /healthz }', '  ttl: 30')}services:
  api:
    names: [api.example.com]
    check: &check { type: https, interval: 10 s }
    pools:
      one: { endpoints: [{ address: 192.0.2.10, check: { <<: *check, path: /x } }] }
      two: { endpoints: [{ address: 198.51.100.10 }] }
    providers: [{ provider: aws-main }]
`);
    expect(lines).toEqual([
      'test.yaml:14:44: services.api.check.interval: expected a duration like 10s or 2m, got "10 s"',
      'test.yaml:14:44: services.api.pools.one.endpoints[0].check.interval: expected a duration like 10s or 2m, got "10 s"',
    ]);
  });
});
