/** The pure helpers of the operator commands: durations, --since, identity, config paths, colour, tables. */
import { metricsPortOf } from '../../src/cli/metrics-port';
import { UsageError } from '../../src/cli/cli-io';
import { configPaths } from '../../src/cli/config-flag';
import { parseSince } from '../../src/cli/events-command';
import { operatorIdentity, requireReason } from '../../src/cli/operator-identity';
import {
  DEFAULT_FORCE_POOL_DURATION,
  DEFAULT_FREEZE_DURATION,
  MAX_OVERRIDE_DURATION,
  overrideDuration,
} from '../../src/cli/override-duration';
import { ansiStyle, plainStyle, renderTable, styleFor, visibleLength } from '../../src/status/text-style';

describe('overrideDuration', () => {
  it('defaults, parses, and caps at 7 days', () => {
    expect(overrideDuration(undefined, DEFAULT_FREEZE_DURATION)).toBe(3_600_000);
    expect(overrideDuration(undefined, DEFAULT_FORCE_POOL_DURATION)).toBe(4 * 3_600_000);
    expect(overrideDuration('1m30s', 1)).toBe(90_000);
    expect(overrideDuration('7d', 1)).toBe(MAX_OVERRIDE_DURATION);
    expect(() => overrideDuration('7d1ms', 1)).toThrow(UsageError);
    expect(() => overrideDuration('0s', 1)).toThrow('--for must be longer than 0s');
    expect(() => overrideDuration('forever', 1)).toThrow('--for must be a duration');
  });
});

describe('parseSince', () => {
  it('takes a duration or a full date, nothing else', () => {
    expect(parseSince('90m')).toEqual({ kind: 'ago', ms: 5_400_000 });
    expect(parseSince('2026-05-01T10:00:00Z')).toEqual({ kind: 'at', ms: Date.UTC(2026, 4, 1, 10) });
    expect(() => parseSince('1714557600000')).toThrow(UsageError);
    expect(() => parseSince('yesterday')).toThrow(UsageError);
  });
});

describe('operatorIdentity and requireReason', () => {
  it('prefers --by, refuses empty or forged names, falls back to the OS user', () => {
    expect(operatorIdentity('  alice ', {})).toBe('alice');
    expect(() => operatorIdentity(' ', {})).toThrow('--by must not be empty');
    expect(() => operatorIdentity('alice\nbob', {})).toThrow('control characters');
    expect(operatorIdentity(undefined, {}).length).toBeGreaterThan(0);
  });

  it('requires one line of reason', () => {
    expect(requireReason(' db migration ')).toBe('db migration');
    expect(() => requireReason(undefined)).toThrow('--reason <text> is required');
    expect(() => requireReason('a\nb')).toThrow('one line');
    expect(() => requireReason('x'.repeat(501))).toThrow('at most 500');
  });
});

describe('configPaths', () => {
  it('uses --config, else QUORUMDNS_CONFIG, else ./quorumdns.yaml', () => {
    expect(configPaths(['a.yaml', 'dir/'], { QUORUMDNS_CONFIG: 'x.yaml' })).toEqual(['a.yaml', 'dir/']);
    expect(configPaths(undefined, { QUORUMDNS_CONFIG: ' /etc/quorumdns ' })).toEqual(['/etc/quorumdns']);
    expect(configPaths(undefined, {})).toEqual(['./quorumdns.yaml']);
  });
});

describe('text style', () => {
  it('colours only a TTY without NO_COLOR', () => {
    expect(styleFor({ isTty: true, env: {} })).toBe(ansiStyle);
    expect(styleFor({ isTty: true, env: { NO_COLOR: '1' } })).toBe(plainStyle);
    expect(styleFor({ isTty: true, env: { NO_COLOR: '' } })).toBe(ansiStyle);
    expect(styleFor({ isTty: false, env: {} })).toBe(plainStyle);
  });

  it('aligns columns by visible width, escape codes taking no room', () => {
    const up = ansiStyle.good('up');
    expect(visibleLength(up)).toBe(2);
    const lines = renderTable([
      ['endpoint', 'opinion', 'verdict'],
      ['a', up, 'down'],
    ]);
    // eslint-disable-next-line no-control-regex -- stripping the escape codes to compare the layout
    expect(lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''))).toEqual([
      'endpoint  opinion  verdict',
      'a         up       down',
    ]);
  });
});

describe('metricsPortOf', () => {
  it('takes --metrics-port, else QUORUMDNS_METRICS_PORT, else none', () => {
    expect(metricsPortOf('9100', { QUORUMDNS_METRICS_PORT: '9464' })).toBe(9100);
    expect(metricsPortOf(undefined, { QUORUMDNS_METRICS_PORT: '9464' })).toBe(9464);
    expect(metricsPortOf(undefined, {})).toBeUndefined();
    expect(metricsPortOf('0', {})).toBe(0);
  });

  it('names where a bad port came from', () => {
    expect(() => metricsPortOf('http', {})).toThrow('--metrics-port must be a port number');
    expect(() => metricsPortOf(undefined, { QUORUMDNS_METRICS_PORT: '70000' })).toThrow(
      'QUORUMDNS_METRICS_PORT must be a port number (0 = any free port), got "70000"',
    );
  });
});
