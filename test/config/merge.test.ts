/** Several files (and directories, and `---` documents) merge into one config. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  loadConfig,
  loadConfigFromTexts,
  loadConfigOrThrow,
} from '../../src/config/load-config';
import { formatProblem } from '../../src/config/problem';
import { API_SERVICE, problemLinesOf, SHARED } from './support/config-text';

const WEB_SERVICE = `services:
  web:
    names: [www.example.com]
    pools:
      one: { endpoints: [{ address: 192.0.2.20 }] }
      two: { endpoints: [{ address: 198.51.100.20 }] }
    providers: [{ provider: gcp-main }]
`;

describe('merging files', () => {
  it('combines services, providers, channels and regions of several files', () => {
    const result = loadConfigFromTexts([
      { file: 'shared.yaml', text: SHARED.replace(', onprem-fra]', ']') },
      { file: 'api.yaml', text: `probeRegions: [onprem-fra]\n${API_SERVICE}` },
      { file: 'web.yaml', text: `providers:\n  aws-b: { type: route53, hostedZoneId: ZB }\n${WEB_SERVICE}` },
    ]);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(Object.keys(result.config.services)).toEqual(['api', 'web']);
    expect(Object.keys(result.config.providers)).toEqual(['aws-main', 'gcp-main', 'aws-b']);
    expect(result.config.probeRegions).toEqual(['us-east-1', 'europe-west1', 'onprem-fra']);
    expect(result.config.sources).toEqual(['shared.yaml', 'api.yaml', 'web.yaml']);
    // Defaults of shared.yaml apply to services of the other files.
    expect(result.config.services.web?.pools[0]?.endpoints[0]?.check).toMatchObject({
      type: 'https',
      path: '/healthz',
    });
  });

  it('reports every name defined twice across files, and deployment/defaults written twice', () => {
    const second = `deployment:
  id: other
defaults:
  ttl: 20
probeRegions: [onprem-fra]
providers:
  aws-main: { type: route53, hostedZoneId: Z1 }
notifications:
  ops-slack: { type: slack, url: '\${env:X}' }
${API_SERVICE}`;
    expect(problemLinesOf({ 'a.yaml': SHARED + API_SERVICE, 'b.yaml': second })).toEqual([
      'b.yaml:1:1: deployment: deployment is already defined at a.yaml:1:1: it must appear in one file only',
      'b.yaml:3:1: defaults: defaults are already defined at a.yaml:9:1: they must appear in one file only',
      'b.yaml:5:16: probeRegions[0]: duplicate probe region "onprem-fra" (already listed at a.yaml:3:41)',
      'b.yaml:7:3: providers.aws-main: duplicate provider "aws-main" (already defined at a.yaml:5:3)',
      'b.yaml:9:3: notifications.ops-slack: duplicate notification channel "ops-slack" (already defined at a.yaml:8:3)',
      'b.yaml:11:3: services.api: duplicate service "api" (already defined at a.yaml:12:3)',
    ]);
  });

  it('requires a deployment and probe regions somewhere', () => {
    expect(
      problemLinesOf({ 'a.yaml': '# only a comment\nproviders: {}\n', 'b.yaml': 'services: {}\n' }),
    ).toEqual([
      'a.yaml:2:1: deployment: missing required section "deployment": one of the files must define it',
      'a.yaml:2:1: probeRegions: missing required section "probeRegions": one of the files must list the probe regions',
    ]);
  });

  it('treats the documents of one file like files', () => {
    const text = `${SHARED}---\n${API_SERVICE}---\n${WEB_SERVICE}`;
    const result = loadConfigFromTexts([{ file: 'all.yaml', text }]);
    expect(result.ok && Object.keys(result.config.services)).toEqual(['api', 'web']);
  });

  it('reports the syntax errors of one file without false unknown references from it', () => {
    expect(
      problemLinesOf({
        'a.yaml': '{ deployment: [',
        'b.yaml': `${API_SERVICE}    notify: [{ channel: nowhere }]\n    ttl: "x"\n`,
      }),
    ).toEqual([
      'a.yaml:1:16: YAML syntax error: Flow map must end with a }',
      'a.yaml:1:16: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'b.yaml:14:10: services.api.ttl: expected a TTL in seconds (a whole number from 0 to 604800), got "x"',
    ]);
  });
});

describe('loadConfig from the file system', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qdns-config-'));
    mkdirSync(join(dir, 'conf.d', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'conf.d', '00-shared.yaml'), SHARED);
    writeFileSync(join(dir, 'conf.d', '10-api.yml'), API_SERVICE);
    writeFileSync(join(dir, 'conf.d', 'README.md'), '# not config');
    writeFileSync(join(dir, 'conf.d', 'nested', 'ignored.yaml'), 'not: [valid');
    writeFileSync(join(dir, 'web.yaml'), WEB_SERVICE);
    mkdirSync(join(dir, 'empty'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a directory (its *.yaml and *.yml, sorted, not subdirectories) and files, each once', async () => {
    const result = await loadConfig(['conf.d', 'web.yaml', 'conf.d/10-api.yml'], { cwd: dir });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    expect(result.config.sources).toEqual(['conf.d/00-shared.yaml', 'conf.d/10-api.yml', 'web.yaml']);
  });

  it('names missing paths and empty directories', async () => {
    const result = await loadConfig(['nope.yaml', 'empty'], { cwd: dir });
    expect(!result.ok && result.problems.map(formatProblem)).toEqual([
      'nope.yaml:1:1: cannot read: no such file or directory',
      'empty:1:1: no *.yaml or *.yml files in this directory',
    ]);
  });

  it('throws a ConfigError carrying the problems from loadConfigOrThrow', async () => {
    const error = await loadConfigOrThrow(['web.yaml'], { cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('ECONFIG');
    expect((error as ConfigError).problems[0]?.path).toBe('deployment');
    expect((error as ConfigError).message).toContain('web.yaml:1:1: deployment: missing required section');
    const ok = await loadConfigOrThrow([join(dir, 'conf.d'), join(dir, 'web.yaml')]);
    expect(Object.keys(ok.config.services)).toEqual(['api', 'web']);
  });
});

describe('empty input', () => {
  it('reports the missing sections of an empty file', () => {
    expect(problemLinesOf({ 'empty.yaml': '' })).toEqual([
      'empty.yaml:1:1: deployment: missing required section "deployment": one of the files must define it',
      'empty.yaml:1:1: probeRegions: missing required section "probeRegions": one of the files must list the probe regions',
    ]);
  });

  it('refuses an empty list of files', () => {
    expect(loadConfigFromTexts([])).toEqual({
      ok: false,
      problems: [
        { severity: 'error', file: '', line: 1, col: 1, path: '', message: 'no configuration files given' },
      ],
    });
  });
});
