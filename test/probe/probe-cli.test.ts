import { type ChildProcess, spawn } from 'node:child_process';
import { jsonLogLines, useProbeCliFixture } from '../support/probe-cli-fixture';
import { probeConfigYaml } from '../support/probe-config-yaml';
import { captureIo, type CapturedIo } from '../support/capture-io';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { createProbeCommand, type SignalSource } from '../../src/cli/probe-command';
import { opinionField, redisKeys } from '../../src/redis/keys';
import { SHARED_REDIS_URL, waitFor } from './helpers';

jest.setTimeout(60_000);

const fixture = useProbeCliFixture('cli');
const { prefix, dir } = fixture;

/** A valid config probing the given ports from regions r1..r3, every 100 ms. */
function yaml(keyPrefix: string, endpoints: { name: string; port: number }[]): string {
  return probeConfigYaml({
    deploymentId: 'clitest',
    redisUrl: SHARED_REDIS_URL,
    keyPrefix,
    regions: ['r1', 'r2', 'r3'],
    failureThreshold: 2,
    endpoints,
  });
}

function cliIo(): CapturedIo {
  return captureIo({ cwd: dir, env: { ...process.env } });
}

describe('quorumdns probe (in process)', () => {
  test('--region is required', async () => {
    const io = cliIo();
    expect(await main(['probe', '--config', 'x.yaml'], io)).toBe(2);
    expect(io.err.join('')).toContain('quorumdns probe: --region is required');
  });

  test('a bad --concurrency is a usage error', async () => {
    const io = cliIo();
    expect(await main(['probe', '--region', 'r1', '--config', 'x.yaml', '--concurrency', 'lots'], io)).toBe(
      2,
    );
    expect(io.err.join('')).toContain('--concurrency must be a positive integer, got "lots"');
  });

  test('an unknown region exits 2 naming the regions the config defines', async () => {
    const file = join(dir, 'unknown-region.yaml');
    writeFileSync(file, yaml(`${prefix}:u`, [{ name: 'a', port: fixture.up.port }]));
    const io = cliIo();
    expect(await main(['probe', '--region', 'mars', '--config', file], io)).toBe(2);
    expect(io.err.join('')).toBe(
      'quorumdns probe: unknown probe region "mars"; the config defines "r1", "r2", "r3"\n',
    );
  });

  test('an invalid config exits 1 with file:line:col of every problem', async () => {
    const file = join(dir, 'invalid.yaml');
    writeFileSync(
      file,
      yaml(`${prefix}:i`, [{ name: 'a', port: fixture.up.port }]).replace(
        'interval: 100ms',
        'interval: soon',
      ),
    );
    const io = cliIo();
    expect(await main(['probe', '--region', 'r1', '--config', file], io)).toBe(1);
    expect(io.err.join('')).toMatch(/invalid\.yaml:8:\d+: defaults\.check\.interval: .*"soon"/);
    expect(io.err.join('')).toContain('the configuration is invalid; not starting');
  });

  test('SIGHUP applies a valid file, refuses an invalid one and keeps running; SIGTERM stops with 0', async () => {
    const keyPrefix = `${prefix}:inproc`;
    const file = join(dir, 'inproc.yaml');
    writeFileSync(file, yaml(keyPrefix, [{ name: 'a', port: fixture.up.port }]));
    const signals = new EventEmitter();
    const io = cliIo();
    const command = createProbeCommand({ signals: signals as unknown as SignalSource });
    const exit = command(['--region', 'r1', '--config', file, '--worker-id', 'w-inproc'], io);
    const opinions = redisKeys(keyPrefix).service('api').opinions;
    await waitFor(async () => (await fixture.admin.hget(opinions, opinionField('a', 'r1'))) === 'up', {
      what: 'a up',
    });

    writeFileSync(
      file,
      yaml(keyPrefix, [
        { name: 'a', port: fixture.up.port },
        { name: 'b', port: fixture.down.port },
      ]),
    );
    signals.emit('SIGHUP');
    await waitFor(async () => (await fixture.admin.hget(opinions, opinionField('b', 'r1'))) === 'down', {
      what: 'b down',
    });

    writeFileSync(file, 'services: [not, a, map\n');
    signals.emit('SIGHUP');
    await waitFor(
      () => jsonLogLines(io.out).some((l) => l.msg === 'config reload refused; keeping the running config'),
      {
        what: 'refusal',
      },
    );

    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    const messages = jsonLogLines(io.out).map((l) => l.msg);
    expect(messages).toEqual(
      expect.arrayContaining(['probe worker started', 'config reloaded', 'probe worker stopped']),
    );
    expect(jsonLogLines(io.out).find((l) => l.msg === 'config reloaded')).toMatchObject({
      added: 1,
      unchanged: 1,
    });
    expect(jsonLogLines(io.out).every((l) => l.workerId === 'w-inproc' && l.region === 'r1')).toBe(true);
    expect(signals.listenerCount('SIGTERM') + signals.listenerCount('SIGHUP')).toBe(0);
  });
});

describe('quorumdns probe (the real CLI process)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  test('runs until SIGTERM (exit 0), and SIGHUP reloads the config', async () => {
    const keyPrefix = `${prefix}:spawn`;
    const file = join(dir, 'spawn.yaml');
    writeFileSync(file, yaml(keyPrefix, [{ name: 'a', port: fixture.up.port }]));
    const out: string[] = [];
    const proc = spawn('npx', ['tsx', 'src/cli.ts', 'probe', '--region', 'r2', '--config', file], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, REDIS_URL: SHARED_REDIS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    proc.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString()));

    const started = await waitFor(() => jsonLogLines(out).find((l) => l.msg === 'probe worker started'), {
      timeoutMs: 30_000,
      what: 'the worker to start',
    });
    // npx and tsx sit between us and the worker and do not relay SIGHUP: signal the node process itself,
    // whose pid the worker logs.
    const pid = Number(started.pid);
    const opinions = redisKeys(keyPrefix).service('api').opinions;
    await waitFor(async () => (await fixture.admin.hget(opinions, opinionField('a', 'r2'))) === 'up', {
      what: 'a up',
    });

    writeFileSync(
      file,
      yaml(keyPrefix, [
        { name: 'a', port: fixture.up.port },
        { name: 'b', port: fixture.down.port },
      ]),
    );
    process.kill(pid, 'SIGHUP');
    const reloaded = await waitFor(() => jsonLogLines(out).find((l) => l.msg === 'config reloaded'), {
      what: 'the reload',
    });
    expect(reloaded).toMatchObject({ added: 1, removed: 0, changed: 0, unchanged: 1 });
    await waitFor(async () => (await fixture.admin.hget(opinions, opinionField('b', 'r2'))) === 'down', {
      what: 'b down',
    });

    process.kill(pid, 'SIGTERM');
    expect(await exited).toBe(0);
    const stopped = jsonLogLines(out).find((l) => l.msg === 'probe worker stopped');
    expect(stopped).toMatchObject({ unwritten: 0 });
    expect(out.join('')).not.toMatch(/internal error/);
  });
});
