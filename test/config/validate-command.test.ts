/**
 * `quorumdns validate` and `quorumdns schema`, run in-process through main() with a captured CliIo,
 * plus one real spawn of the binary through tsx.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { captureIo } from '../support/capture-io';
import { configJsonSchema } from '../../src/config/json-schema';
import { API_SERVICE, SHARED } from './support/config-text';

const ROOT = join(__dirname, '..', '..');

async function run(args: string[], cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIo({ cwd });
  const code = await main(args, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

describe('quorumdns validate', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qdns-validate-'));
    writeFileSync(join(dir, 'ok.yaml'), `${SHARED}${API_SERVICE}    ttl: 120\n`);
    writeFileSync(
      join(dir, 'bad.yaml'),
      `${SHARED}${API_SERVICE}    ttl: 120\n    notify: [{ channel: nope }]\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 on the examples, with a summary and nothing on stdout', async () => {
    const result = await run(['validate', 'examples/']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '0 errors, 0 warnings in 3 files\n' });
  });

  it('exits 0 on a valid config and prints its warnings', async () => {
    const result = await run(['validate', 'ok.yaml'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'ok.yaml:23:10: warning: services.api.ttl: TTL 120 s is above 60 s: after a failover, resolvers keep sending traffic to the old pool for up to 120 s\n' +
        '0 errors, 1 warning in 1 file\n',
    );
  });

  it('exits 1 on a broken config, one line per problem, paths relative to the working directory', async () => {
    const result = await run(['validate', join(dir, 'bad.yaml'), join(dir, 'ok.yaml')], dir);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      'bad.yaml:23:10: warning: services.api.ttl: TTL 120 s is above 60 s: after a failover, resolvers keep sending traffic to the old pool for up to 120 s',
      'bad.yaml:24:25: services.api.notify[0].channel: unknown notification channel "nope"',
      'ok.yaml:1:1: deployment: deployment is already defined at bad.yaml:1:1: it must appear in one file only',
      'ok.yaml:3:16: probeRegions[0]: duplicate probe region "us-east-1" (already listed at bad.yaml:3:16)',
      'ok.yaml:3:27: probeRegions[1]: duplicate probe region "europe-west1" (already listed at bad.yaml:3:27)',
      'ok.yaml:3:41: probeRegions[2]: duplicate probe region "onprem-fra" (already listed at bad.yaml:3:41)',
      'ok.yaml:5:3: providers.aws-main: duplicate provider "aws-main" (already defined at bad.yaml:5:3)',
      'ok.yaml:6:3: providers.gcp-main: duplicate provider "gcp-main" (already defined at bad.yaml:6:3)',
      'ok.yaml:8:3: notifications.ops-slack: duplicate notification channel "ops-slack" (already defined at bad.yaml:8:3)',
      'ok.yaml:9:1: defaults: defaults are already defined at bad.yaml:9:1: they must appear in one file only',
      'ok.yaml:12:3: services.api: duplicate service "api" (already defined at bad.yaml:12:3)',
      '10 errors, 1 warning in 2 files',
      '',
    ]);
  });

  it('prints { valid, errors, warnings } with --format json', async () => {
    const result = await run(['validate', '--format', 'json', 'bad.yaml'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      errors: [
        {
          severity: 'error',
          file: 'bad.yaml',
          line: 24,
          col: 25,
          path: 'services.api.notify[0].channel',
          message: 'unknown notification channel "nope"',
        },
      ],
      warnings: [
        expect.objectContaining({ severity: 'warning', path: 'services.api.ttl', line: 23, col: 10 }),
      ],
    });
    const ok = await run(['validate', '--format=json', 'examples'], ROOT);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, errors: [], warnings: [] });
  });

  it.each([
    [['validate'], 'no path given'],
    [['validate', '--strict', 'examples'], "Unknown option '--strict'"],
    [['validate', '--format', 'yaml', 'examples'], '--format must be text or json, got "yaml"'],
    [['validate', 'examples', 'no/such/dir'], 'path not found: no/such/dir'],
  ])('exits 2 on a usage error: %j', async (args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('usage: quorumdns validate');
  });
});

describe('quorumdns schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await run(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(configJsonSchema());
  });

  it('takes no arguments', async () => {
    expect((await run(['schema', 'extra'])).code).toBe(2);
  });
});

describe('the quorumdns binary', () => {
  it('validates the examples directory (npx tsx src/cli.ts validate examples/)', () => {
    const result = spawnSync('npx', ['tsx', 'src/cli.ts', 'validate', 'examples/'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('0 errors, 0 warnings in 3 files\n');
    expect(result.status).toBe(0);
  });
});
