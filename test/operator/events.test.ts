/**
 * `quorumdns events`: merged time order across services, --since (duration and absolute time) on the stream
 * ids' Redis time, --limit, NDJSON, and --follow in a real spawned process stopped by SIGINT.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { StoredEvent, StoredEventInput } from '../../src/evaluator/service-record';
import { EventLog } from '../../src/evaluator/event-log';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { redisKeys } from '../../src/redis/keys';
import { createOperatorHarness, eventually, type OperatorHarness } from './support/operator-harness';

const ROOT = join(__dirname, '..', '..');

function event(service: string, at: number, message: string): StoredEventInput {
  return {
    kind: 'decision-changed',
    severity: 'warning',
    service,
    message: `${service}: ${message}`,
    at,
    generation: 1,
  };
}

describe('quorumdns events', () => {
  let h: OperatorHarness;
  let now: number;

  beforeAll(async () => {
    h = await createOperatorHarness('events');
    now = await redisTimeMs(h.redis);
    const keys = redisKeys(h.prefix);
    // Explicit stream ids in the past: the id is the event's Redis time, which --since filters on.
    const write = (service: string, agoMs: number, message: string) =>
      h.redis.xadd(
        keys.service(service).events,
        `${now - agoMs}-0`,
        'event',
        JSON.stringify(event(service, now - agoMs, message)),
      );
    await write('api', 3 * 3_600_000, 'three hours ago');
    await write('www', 2 * 3_600_000, 'two hours ago');
    await write('api', 30 * 60_000, 'half an hour ago');
    await write('www', 10 * 60_000, 'ten minutes ago');
  });
  afterAll(() => h.dispose());

  const messages = (stdout: string): string[] =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as StoredEvent).message);

  it('merges the services in time order', async () => {
    const result = await h.run(['events', '--json']);
    expect(result.code).toBe(0);
    expect(messages(result.stdout)).toEqual([
      'api: three hours ago',
      'www: two hours ago',
      'api: half an hour ago',
      'www: ten minutes ago',
    ]);
  });

  it('filters with --since as a duration or an absolute time, and by --service', async () => {
    expect(messages((await h.run(['events', '--json', '--since', '1h'])).stdout)).toEqual([
      'api: half an hour ago',
      'www: ten minutes ago',
    ]);
    expect(
      messages((await h.run(['events', '--json', '--since', '150m', '--service', 'www'])).stdout),
    ).toEqual(['www: two hours ago', 'www: ten minutes ago']);
    const at = new Date(now - 2.5 * 3_600_000).toISOString();
    expect(messages((await h.run(['events', '--json', '--since', at, '-s', 'api'])).stdout)).toEqual([
      'api: half an hour ago',
    ]);
    expect(messages((await h.run(['events', '--json', '--since', '5m'])).stdout)).toEqual([]);
  });

  it('keeps the newest with --limit and prints readable lines without --json', async () => {
    expect(messages((await h.run(['events', '--json', '--limit', '1'])).stdout)).toEqual([
      'www: ten minutes ago',
    ]);
    const text = await h.run(['events', '--since', '1h']);
    expect(text.stdout.split('\n')).toEqual([
      expect.stringMatching(/^\S+Z {2}warning {3}decision-changed {2}api: half an hour ago {2}\[gen 1\]$/),
      expect.stringMatching(/^\S+Z {2}warning {3}decision-changed {2}www: ten minutes ago {2}\[gen 1\]$/),
      '',
    ]);
  });

  it('refuses a bad --since, --limit or service with exit 2', async () => {
    expect((await h.run(['events', '--since', 'yesterday'])).code).toBe(2);
    expect((await h.run(['events', '--limit', '0'])).code).toBe(2);
    const unknown = await h.run(['events', '--service', 'nope']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'quorumdns events: unknown service "nope"; known services: api, www\n',
    });
  });

  describe('--follow (a spawned process)', () => {
    let child: ChildProcess | undefined;
    afterEach(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it('prints new events as they are appended and exits 0 on SIGINT', async () => {
      const proc = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src', 'cli.ts'),
          'events',
          '--follow',
          '--json',
          '--since',
          '1h',
          '--config',
          h.configPath,
        ],
        { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child = proc;
      let stdout = '';
      let stderr = '';
      proc.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

      // The history first: then the process is reading and about to follow (a gap is impossible by design).
      await eventually(
        () => stdout.includes('www: ten minutes ago'),
        `the history (stderr: ${stderr})`,
        15_000,
      );
      const log = new EventLog(h.redis, redisKeys(h.prefix));
      await log.append('api', [event('api', await redisTimeMs(h.redis), 'appended while following')]);
      await eventually(() => stdout.includes('api: appended while following'), 'the followed event', 5000);

      proc.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise((resolve) => setTimeout(() => resolve('timeout'), 5000)),
      ]);
      expect(code).toBe(0);
      expect(messages(stdout)).toEqual([
        'api: half an hour ago',
        'www: ten minutes ago',
        'api: appended while following',
      ]);
      expect(stderr).toBe('');
    });
  });
});
