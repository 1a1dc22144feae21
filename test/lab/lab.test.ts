/**
 * `quorumdns lab` end to end, as a user runs it: a child process that starts Redis, data centers, probe
 * workers, the evaluator and the DNS server as processes of their own, takes a data center down and brings it
 * back. Slow (~20-40 s per run): two full runs and one that fails at once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { queryNameServer } from '../../src/drill/answer-observer';
import type { LabStepName, LabTimelineJson } from '../../src/lab/lab-timeline';
import { SHARED_REDIS_URL } from '../support/redis-test-keys';
import {
  envWithout,
  isAlive,
  labDir,
  type LabProcess,
  printedPids,
  spawnLab,
  stopLab,
} from './support/lab-process';

jest.setTimeout(240_000);

const EVERY_STEP: LabStepName[] = [
  'outage',
  'first-flip',
  'quorum',
  'decision',
  'submitted',
  'in-sync',
  'dns-changed',
  'notified',
  'recovered',
  'pool-up',
  'failback-decision',
  'failback-applied',
  'dns-back',
  'recovery-notified',
];

/** Pairs (earlier, later) that cause and effect impose, whatever the machine's speed. */
const CAUSAL_ORDER: Array<[LabStepName, LabStepName]> = [
  ['outage', 'first-flip'],
  ['first-flip', 'quorum'],
  ['quorum', 'decision'],
  ['decision', 'submitted'],
  ['submitted', 'in-sync'],
  ['decision', 'dns-changed'],
  ['decision', 'notified'],
  ['dns-changed', 'recovered'],
  ['notified', 'recovered'],
  ['recovered', 'pool-up'],
  ['pool-up', 'failback-decision'],
  ['failback-decision', 'failback-applied'],
  ['failback-decision', 'dns-back'],
  ['failback-decision', 'recovery-notified'],
];

/** SCAN, not KEYS: the shared Redis is busy with other test files. */
async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

let lab: LabProcess | undefined;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'quorumdns-lab-test-'));
});

afterEach(async () => {
  await stopLab(lab);
  lab = undefined;
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('quorumdns lab', () => {
  it('runs the outage scenario on a private redis-server, prints the timeline and cleans up (exit 0)', async () => {
    const timelineFile = join(scratch, 'timeline.json');
    lab = spawnLab(['--json-timeline', timelineFile], envWithout('REDIS_URL'));
    const { code } = await lab.exited;
    const stdout = lab.stdout();
    expect({ code, stderr: lab.stderr() }).toEqual({ code: 0, stderr: '' });

    const timeline = JSON.parse(readFileSync(timelineFile, 'utf8')) as LabTimelineJson;
    expect(timeline.steps.map((step) => step.step).sort()).toEqual([...EVERY_STEP].sort());
    const at = (name: LabStepName): number => timeline.steps.find((step) => step.step === name)?.at ?? NaN;
    // Listed in time order, offsets measured from the outage.
    const times = timeline.steps.map((step) => step.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(at('outage')).toBe(timeline.outageAt);
    for (const step of timeline.steps) expect(step.offsetMs).toBe(step.at - timeline.outageAt);
    for (const [earlier, later] of CAUSAL_ORDER) {
      expect({ [`${earlier} <= ${later}`]: at(earlier) <= at(later) }).toEqual({
        [`${earlier} <= ${later}`]: true,
      });
    }
    // The failback waited for failbackAfter of continuous health (up to a check interval of slack).
    expect(at('failback-decision') - at('pool-up')).toBeGreaterThanOrEqual(timeline.failbackAfterMs - 1000);

    // DNS, as the lab's own UDP queries saw it: the primary, then the secondary, then the primary again.
    expect(timeline.steadyAnswer).toBe('api.lab.test A 127.0.0.11 (dc-east)');
    const detail = (name: LabStepName): string =>
      timeline.steps.find((step) => step.step === name)?.detail ?? '';
    expect(detail('dns-changed')).toBe('api.lab.test A 127.0.0.12 (dc-west)');
    expect(detail('dns-back')).toBe('api.lab.test A 127.0.0.11 (dc-east)');
    expect(detail('notified')).toMatch(/failover dc-east -> dc-west/);
    expect(detail('recovery-notified')).toMatch(/failback dc-west -> dc-east/);

    // The printed timeline: every step in aligned rows, and the measured line.
    expect(stdout).toMatch(/^\s+\+0\.000 s {2}outage\s/m);
    expect(stdout).toMatch(
      /^\s+\+\d+\.\d{3} s {2}DNS changed\s+api\.lab\.test A 127\.0\.0\.12 \(dc-west\)$/m,
    );
    expect(stdout).toMatch(/^\s+\+\d+\.\d{3} s {2}DNS back\s+api\.lab\.test A 127\.0\.0\.11 \(dc-east\)$/m);
    expect(stdout).toMatch(
      /outage -> first flip [\d.]+ s -> quorum [\d.]+ s -> decision [\d.]+ s -> DNS changed [\d.]+ s -> notified [\d.]+ s/,
    );
    expect(stdout).toContain('notification [warning] api: failover dc-east -> dc-west');
    expect(stdout).not.toContain('\u001b['); // a pipe gets no colours

    // Nothing left behind: no process, no temp dir.
    const dir = labDir(stdout);
    expect(dir).toBeDefined();
    expect(existsSync(dir as string)).toBe(false);
    const pids = printedPids(stdout);
    expect(pids.length).toBe(6); // redis-server, dns-server, evaluate, three probes
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('says how to get a Redis when there is no redis-server on the PATH and no REDIS_URL (exit 1)', async () => {
    const emptyPath = mkdtempSync(join(scratch, 'path-'));
    lab = spawnLab([], { ...envWithout('REDIS_URL'), PATH: emptyPath });
    const { code } = await lab.exited;
    expect(code).toBe(1);
    expect(lab.stderr()).toContain('redis-server was not found on the PATH');
    expect(lab.stderr()).toContain('apt-get install redis-server');
    expect(lab.stderr()).toContain('set REDIS_URL');
    expect(lab.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    const dir = labDir(lab.stdout());
    expect(dir).toBeDefined();
    expect(existsSync(dir as string)).toBe(false);
  });

  it('--keep on a shared REDIS_URL keeps serving until SIGINT, then leaves no process, dir or key behind', async () => {
    lab = spawnLab(['--keep'], { ...process.env, REDIS_URL: SHARED_REDIS_URL });
    const keyPrefix = (
      await lab.waitForOutput(/keys under (\S+):/, 'the key prefix line', 30_000)
    )[1] as string;
    await lab.waitForOutput(/stop with Ctrl-C/, 'the --keep instructions', 180_000);
    const stdout = lab.stdout();
    const dir = labDir(stdout) as string;
    expect(existsSync(join(dir, 'quorumdns.yaml'))).toBe(true);
    const port = Number(/dig @127\.0\.0\.1 -p (\d+) api\.lab\.test/.exec(stdout)?.[1]);
    expect(stdout).toContain(
      `export QUORUMDNS_CONFIG=${join(dir, 'quorumdns.yaml')} REDIS_URL=${SHARED_REDIS_URL}`,
    );
    expect(stdout).toContain('npx quorumdns drill run --service api --pool dc-east --mode live');
    expect(stdout).toContain('npx quorumdns drill history');

    // Still serving: the DNS server answers the primary again, the processes run, the keys are there.
    const answer = await queryNameServer(
      { address: '127.0.0.1', port, label: 'lab' },
      'api.lab.test',
      'A',
      2000,
    );
    expect(answer.values).toEqual(['127.0.0.11']);
    const pids = printedPids(stdout);
    expect(pids.length).toBe(5); // dns-server, evaluate, three probes (no private Redis)
    expect(pids.filter(isAlive)).toEqual(pids);
    const redis = new Redis(SHARED_REDIS_URL);
    try {
      expect((await scanKeys(redis, `${keyPrefix}:*`)).length).toBeGreaterThan(0);

      lab.child.kill('SIGINT');
      const { code } = await lab.exited;
      expect({ code, stderr: lab.stderr() }).toEqual({ code: 0, stderr: '' });
      expect(pids.filter(isAlive)).toEqual([]);
      expect(existsSync(dir)).toBe(false);
      expect(await scanKeys(redis, `${keyPrefix}:*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });
});
