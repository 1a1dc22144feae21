import { didYouMean, editDistance } from '../../src/config/did-you-mean';
import { formatProblem, type Problem, sortProblems } from '../../src/config/problem';

const base: Problem = {
  severity: 'error',
  file: 'a.yaml',
  line: 3,
  col: 5,
  path: 'services.api.ttl',
  message: 'bad',
};

describe('formatProblem', () => {
  it('is file:line:col: path: message', () => {
    expect(formatProblem(base)).toBe('a.yaml:3:5: services.api.ttl: bad');
  });
  it('marks warnings after the position', () => {
    expect(formatProblem({ ...base, severity: 'warning' })).toBe(
      'a.yaml:3:5: warning: services.api.ttl: bad',
    );
  });
  it('leaves out an empty path', () => {
    expect(formatProblem({ ...base, path: '' })).toBe('a.yaml:3:5: bad');
  });
});

describe('sortProblems', () => {
  it('sorts by file load order, line, column, errors first', () => {
    const problems: Problem[] = [
      { ...base, file: 'b.yaml', line: 1 },
      { ...base, line: 9 },
      { ...base, line: 3, col: 1, severity: 'warning' },
      { ...base, line: 3, col: 1 },
    ];
    const sorted = sortProblems(problems, ['b.yaml', 'a.yaml']).map(
      (p) => `${p.file}:${p.line}:${p.col}:${p.severity}`,
    );
    expect(sorted).toEqual([
      'b.yaml:1:5:error',
      'a.yaml:3:1:error',
      'a.yaml:3:1:warning',
      'a.yaml:9:5:error',
    ]);
  });
});

describe('didYouMean', () => {
  it('suggests a swapped-letter typo and ignores case', () => {
    expect(didYouMean('prioirty', ['priority', 'weight'])).toBe(' (did you mean "priority"?)');
    expect(didYouMean('hostedzoneid', ['hostedZoneId'])).toBe(' (did you mean "hostedZoneId"?)');
  });
  it('stays silent when nothing is close', () => {
    expect(didYouMean('colour', ['priority', 'weight'])).toBe('');
  });
  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
