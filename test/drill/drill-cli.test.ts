/**
 * `quorumdns drill` in-process against the real pipeline: a drill with an objective it cannot meet fails
 * (exit 1) with the report files written; usage errors exit 2 naming what is wrong; `status` lists the
 * overlays; `stop` removes one; a second drill of a running service is refused (exit 1).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { DrillReport } from '../../src/drill/drill-report';
import { DrillStore } from '../../src/drill/drill-store';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { captureIo } from '../support/capture-io';
import { checkWellFormedXml } from './support/xml-check';
import { type DrillWorld, startDrillWorld } from './support/drill-world';

let world: DrillWorld;

beforeAll(async () => {
  // An objective no pipeline can meet: one millisecond from injection to the failover decision.
  world = await startDrillWorld('cli', { objectives: '{ failoverWithin: 1ms, notifyWithin: 30s }' });
}, 60_000);

afterAll(async () => {
  await world?.dispose();
});

function run(...args: string[]) {
  const io = captureIo({ cwd: world.dir });
  return main(args, io).then((code) => ({ code, out: io.stdoutText(), err: io.stderrText() }));
}

/** `drill <subcommand> --config <the world's> --<flag> <value> ...`; a `true` value is a bare flag. */
function drill(subcommand: string, flags: Record<string, string | true> = {}) {
  const args = Object.entries(flags).flatMap(([flag, value]) =>
    value === true ? [`--${flag}`] : [`--${flag}`, value],
  );
  return run('drill', subcommand, '--config', world.configPath, ...args);
}

test('a drill that misses its objective fails with exit 1, prints the timeline and writes the report', async () => {
  const result = await drill('run', {
    service: 'web',
    pool: 'a',
    mode: 'dry',
    duration: '2s',
    reason: 'practice',
    'report-dir': 'reports',
    by: 'cli-tester',
  });
  expect({ code: result.code, err: result.err }).toEqual({ code: 1, err: '' });
  expect(result.out).toMatch(
    /^drill drill-\d{8}-\d{6}-web-a: dry drill of web pool a for 2s \(plan only, DNS does not change\)/,
  );
  expect(result.out).toContain('decision: pool a drained');
  expect(result.out).toContain('FAIL: drill drill-');
  expect(result.out).toMatch(/failoverWithin\s+fail\s+injected -> decision took \S+, over the 1ms objective/);
  const [, markdownPath] = /report: (\S+\.md)/.exec(result.out) ?? [];
  expect(markdownPath?.startsWith(join(world.dir, 'reports'))).toBe(true);
  const jsonPath = (markdownPath as string).replace(/\.md$/, '.json');
  const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as DrillReport;
  expect(report).toMatchObject({
    verdict: 'fail',
    mode: 'dry',
    by: 'cli-tester',
    reason: 'practice',
    trigger: 'cli',
  });
  checkWellFormedXml(readFileSync((markdownPath as string).replace(/\.md$/, '.svg'), 'utf8'));
  expect(existsSync(markdownPath as string)).toBe(true);
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
}, 60_000);

test('--json prints the report as JSON only', async () => {
  const result = await drill('run', {
    service: 'web',
    pool: 'b',
    duration: '1s',
    json: true,
    'report-dir': 'reports-json',
  });
  expect(result.code).toBe(1);
  const report = JSON.parse(result.out) as DrillReport;
  expect(report).toMatchObject({ service: 'web', pools: ['b'], mode: 'dry' });
  expect(report.files?.json).toContain('reports-json');
}, 60_000);

test.each([
  [['drill'], /a subcommand is required: run, status, stop, history/],
  [['drill', 'rnu'], /unknown subcommand "rnu" \(did you mean "run"\?\)/],
  [['drill', 'run', '--pool', 'a'], /--service <name> is required/],
  [
    ['drill', 'run', '--service', 'web', '--pool', 'a', '--mode', 'hot'],
    /--mode must be dry or live, got "hot"/,
  ],
  [
    ['drill', 'run', '--service', 'web', '--pool', 'a', '--duration', 'soon'],
    /--duration must be a duration/,
  ],
  [['drill', 'run', '--service', 'web', '--pool', 'a', '--duration', '2d'], /longer than the 1d limit/],
  [['drill', 'status', '--pool', 'a'], /--pool goes with drill run/],
  [['drill', 'history', '--by', 'me'], /--by goes with drill run and drill stop/],
])('usage error %j exits 2', async (args, message) => {
  const result = await run(...args);
  expect(result.code).toBe(2);
  expect(result.err).toMatch(message);
});

test('an unknown service or pool exits 2 naming what exists', async () => {
  const service = await drill('run', { service: 'wbe', pool: 'a' });
  expect(service.code).toBe(2);
  expect(service.err).toContain('unknown service "wbe" (did you mean "web"?)');
  const pool = await drill('run', { service: 'web', pool: 'zz' });
  expect(pool.code).toBe(2);
  expect(pool.err).toContain('service web has no pool "zz"; its pools: a, b');
});

test('status lists the running drill, a second drill is refused, stop removes the overlay', async () => {
  const now = await redisTimeMs(world.redis);
  const store = new DrillStore(world.redis, world.keys);
  await store.place({
    id: 'drill-held',
    service: 'web',
    pools: ['b'],
    mode: 'dry',
    startedAt: now,
    endsAt: now + 600_000,
    by: 'someone',
  });
  try {
    const status = await drill('status');
    expect(status.code).toBe(0);
    expect(status.out).toMatch(
      /^web: drill drill-held \(dry\) pool b by someone, started .*, expires in 11m/,
    );
    const json = JSON.parse((await drill('status', { json: true })).out) as {
      drills: Array<{ service: string; overlay: { id: string } }>;
    };
    expect(json.drills).toEqual([
      expect.objectContaining({ service: 'web', overlay: expect.objectContaining({ id: 'drill-held' }) }),
    ]);

    const refused = await drill('run', { service: 'web', pool: 'a' });
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /a drill is already running on web \(drill-held\), its overlay expires in \d+ s; stop it with: quorumdns drill stop --service web/,
    );

    const stop = await drill('stop', { service: 'web', by: 'oncall' });
    expect(stop).toMatchObject({
      code: 0,
      out: 'stopped drill drill-held (dry) on web (by oncall); probes report real results again\n',
    });
    expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
    expect((await drill('status')).out).toBe('no drill is running\n');
    expect((await drill('stop', { service: 'web' })).out).toBe('no drill is running on web\n');
  } finally {
    await world.redis.del(world.keys.service('web').drill);
  }
});
