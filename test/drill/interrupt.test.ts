/**
 * An interrupted drill never leaves its overlay behind: Ctrl-C (SIGINT to a child `quorumdns drill run`)
 * restores at once and reports the interruption (exit 1); an operator's `drill stop` ends a running drill;
 * a runner killed outright (SIGKILL) leaves an overlay that stops counting at `endsAt` and expires on its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { DrillOverlay } from '../../src/drill/drill-overlay';
import type { DrillReport } from '../../src/drill/drill-report';
import { DrillStore } from '../../src/drill/drill-store';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { DrillOverlayReader } from '../../src/probe/drill-overlay-reader';
import { memoryLogger } from '../../src/probe/logger';
import { captureIo } from '../support/capture-io';
import { type QuorumdnsProcess, spawnQuorumdns } from '../support/quorumdns-process';
import { type DrillWorld, startDrillWorld, waitFor } from './support/drill-world';

let world: DrillWorld;

beforeAll(async () => {
  world = await startDrillWorld('interrupt', { pipeline: false });
}, 30_000);

afterAll(async () => {
  await world?.dispose();
});

/**
 * Starts `quorumdns drill run` on web's `pool` for `duration`, its report going to `reportName` under the
 * world's directory; resolves once the child's overlay is in Redis.
 */
async function startDrill(
  pool: string,
  duration: string,
  reportName: string,
): Promise<{ drill: QuorumdnsProcess; overlay: DrillOverlay }> {
  const drill = spawnQuorumdns(
    `drill ${reportName}`,
    [
      ...['drill', 'run', '--config', world.configPath, '--service', 'web', '--pool', pool],
      ...['--duration', duration, '--report-dir', join(world.dir, reportName)],
    ],
    { ...process.env },
  );
  const overlay = await waitFor(() => overlayOf('web'), {
    what: 'the child to place its overlay',
    timeoutMs: 30_000,
  });
  return { drill, overlay };
}

function readReport(reportName: string, id: string): DrillReport {
  return JSON.parse(readFileSync(join(world.dir, reportName, `${id}.json`), 'utf8')) as DrillReport;
}

async function overlayOf(service: string): Promise<DrillOverlay | undefined> {
  const text = await world.redis.get(world.keys.service(service).drill);
  return text === null ? undefined : (JSON.parse(text) as DrillOverlay);
}

test('Ctrl-C ends the drill at once: the overlay is removed and the report says interrupted (exit 1)', async () => {
  const { drill, overlay } = await startDrill('a', '10m', 'sigint');
  expect(overlay).toMatchObject({ service: 'web', pools: ['a'], mode: 'dry' });
  // The started line is printed once the overlay is in place.
  await waitFor(() => drill.output.join('').includes(overlay.id), {
    what: 'the child to announce the drill',
  });
  drill.child.kill('SIGINT');
  const exit = await drill.exited;
  const output = drill.output.join('');
  expect({ exit, output }).toEqual({
    exit: { code: 1, signal: null },
    output: expect.stringContaining('SIGINT: ending the drill early'),
  });
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
  expect(output).toContain('FAIL: drill');
  const report = readReport('sigint', overlay.id);
  expect(report.interrupted).toBe('SIGINT');
  expect(report.reasons).toContain('completed: the drill was interrupted (SIGINT)');
  expect(report.timeline.find((s) => s.step === 'restored')?.status).toBe('done');
}, 60_000);

test("an operator's drill stop ends a running drill, which reports it", async () => {
  const { drill, overlay } = await startDrill('b', '10m', 'stopped');
  const io = captureIo({ cwd: world.dir });
  expect(
    await main(['drill', 'stop', '--config', world.configPath, '--service', 'web', '--by', 'oncall'], io),
  ).toBe(0);
  const exit = await drill.exited;
  expect(exit.code).toBe(1);
  const report = readReport('stopped', overlay.id);
  expect(report.interrupted).toBe('stopped by an operator (overlay removed)');
  expect(report.timeline.find((s) => s.step === 'restored')?.detail).toContain('already gone');
}, 60_000);

test('a runner killed outright leaves an overlay that stops at endsAt and expires by itself', async () => {
  const { drill, overlay } = await startDrill('a', '2s', 'killed');
  drill.child.kill('SIGKILL');
  await drill.exited;
  // The backstop: an expiry of the duration plus 60 s.
  const ttl = await world.redis.pttl(world.keys.service('web').drill);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(2000 + 60_000);
  // Probes stop reporting the drill at endsAt although the key is still there.
  const reader = new DrillOverlayReader({ redis: world.redis, keys: world.keys, logger: memoryLogger() });
  reader.setServices(world.config, ['web']);
  await reader.refresh();
  await waitFor(async () => (await redisTimeMs(world.redis)) > overlay.endsAt + 100, {
    what: 'the overlay end',
    timeoutMs: 10_000,
  });
  await reader.refresh();
  expect(reader.forcedResult('web', 'a1')).toBeUndefined();
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(1);
  await world.redis.del(world.keys.service('web').drill);

  // And the key goes away on its own: the same placement with a short grace, watched until it expires.
  const now = await redisTimeMs(world.redis);
  const store = new DrillStore(world.redis, world.keys);
  await store.place({ ...overlay, id: 'short', startedAt: now, endsAt: now + 300 }, 300);
  expect(reader.forcedResult('web', 'a1')).toBeUndefined();
  await reader.refresh();
  expect(reader.forcedResult('web', 'a1')).toMatchObject({ failureClass: 'drill' });
  await waitFor(async () => (await world.redis.exists(world.keys.service('web').drill)) === 0, {
    what: 'the overlay to expire',
    timeoutMs: 5000,
  });
}, 60_000);
