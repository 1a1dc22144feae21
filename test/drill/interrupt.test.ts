/**
 * An interrupted drill never leaves its overlay behind: Ctrl-C (SIGINT to a child `quorumdns drill run`)
 * restores at once and reports the interruption (exit 1); an operator's `drill stop` ends a running drill;
 * a runner killed outright (SIGKILL) leaves an overlay that stops counting at `endsAt` and expires on its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
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
import { type DrillWorld, startDrillWorld, waitFor } from './support/drill-world';

const ROOT = join(__dirname, '..', '..');
let world: DrillWorld;

beforeAll(async () => {
  world = await startDrillWorld('interrupt', { pipeline: false });
}, 30_000);

afterAll(async () => {
  await world?.dispose();
});

interface Child {
  child: ChildProcess;
  out: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnDrill(...args: string[]): Child {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli.ts'), 'drill', 'run', '--config', world.configPath, ...args],
    // cwd: the repository, where node finds tsx; reports go to absolute directories.
    { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exited };
}

async function overlayOf(service: string): Promise<DrillOverlay | undefined> {
  const text = await world.redis.get(world.keys.service(service).drill);
  return text === null ? undefined : (JSON.parse(text) as DrillOverlay);
}

test('Ctrl-C ends the drill at once: the overlay is removed and the report says interrupted (exit 1)', async () => {
  const drill = spawnDrill(
    '--service',
    'web',
    '--pool',
    'a',
    '--duration',
    '10m',
    '--report-dir',
    join(world.dir, 'sigint'),
  );
  const overlay = await waitFor(() => overlayOf('web'), {
    what: 'the child to place its overlay',
    timeoutMs: 30_000,
  });
  expect(overlay).toMatchObject({ service: 'web', pools: ['a'], mode: 'dry' });
  // The started line is printed once the overlay is in place.
  await waitFor(() => drill.out.join('').includes(overlay.id), { what: 'the child to announce the drill' });
  drill.child.kill('SIGINT');
  const exit = await drill.exited;
  const output = drill.out.join('');
  expect({ exit, output }).toEqual({
    exit: { code: 1, signal: null },
    output: expect.stringContaining('SIGINT: ending the drill early'),
  });
  expect(await world.redis.exists(world.keys.service('web').drill)).toBe(0);
  expect(output).toContain('FAIL: drill');
  const report = JSON.parse(
    readFileSync(join(world.dir, 'sigint', `${overlay.id}.json`), 'utf8'),
  ) as DrillReport;
  expect(report.interrupted).toBe('SIGINT');
  expect(report.reasons).toContain('completed: the drill was interrupted (SIGINT)');
  expect(report.timeline.find((s) => s.step === 'restored')?.status).toBe('done');
}, 60_000);

test("an operator's drill stop ends a running drill, which reports it", async () => {
  const drill = spawnDrill(
    '--service',
    'web',
    '--pool',
    'b',
    '--duration',
    '10m',
    '--report-dir',
    join(world.dir, 'stopped'),
  );
  const overlay = await waitFor(() => overlayOf('web'), {
    what: 'the child to place its overlay',
    timeoutMs: 30_000,
  });
  const io = captureIo({ cwd: world.dir });
  expect(
    await main(['drill', 'stop', '--config', world.configPath, '--service', 'web', '--by', 'oncall'], io),
  ).toBe(0);
  const exit = await drill.exited;
  expect(exit.code).toBe(1);
  const report = JSON.parse(
    readFileSync(join(world.dir, 'stopped', `${overlay.id}.json`), 'utf8'),
  ) as DrillReport;
  expect(report.interrupted).toBe('stopped by an operator (overlay removed)');
  expect(report.timeline.find((s) => s.step === 'restored')?.detail).toContain('already gone');
}, 60_000);

test('a runner killed outright leaves an overlay that stops at endsAt and expires by itself', async () => {
  const drill = spawnDrill(
    '--service',
    'web',
    '--pool',
    'a',
    '--duration',
    '2s',
    '--report-dir',
    join(world.dir, 'killed'),
  );
  const overlay = await waitFor(() => overlayOf('web'), {
    what: 'the child to place its overlay',
    timeoutMs: 30_000,
  });
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
