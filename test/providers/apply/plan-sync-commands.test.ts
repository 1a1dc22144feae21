/**
 * `quorumdns plan` and `quorumdns sync`, run in-process against the real Redis with a YAML config whose
 * providers are served by memory providers: plan's exit codes (0 nothing, 2 pending, 1 error) and its
 * Markdown, sync from no state (the all-healthy answer) and from an evaluator's decision, `sync --dry-run`
 * writing nothing anywhere, and one failing provider never stopping the other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPlanCommand } from '../../../src/cli/plan-command';
import { runSyncCommand } from '../../../src/cli/sync-command';
import type { CommandProviders } from '../../../src/cli/target-runs';
import { loadConfigOrThrow } from '../../../src/config/load-config';
import type { Service } from '../../../src/config/types';
import { EventLog } from '../../../src/evaluator/event-log';
import { StateStore } from '../../../src/evaluator/state-store';
import { AppliedStore } from '../../../src/providers/applied-store';
import type { PlanJson } from '../../../src/providers/render-plan';
import { captureIo } from '../../support/capture-io';
import { configYaml, twoPoolService, writeConfigFile } from '../../support/config-yaml';
import { MemoryAdapter } from '../support/memory-adapter';
import {
  applyRedis,
  commitDecision,
  FAST_SYNC,
  SHARED_REDIS_URL,
  taggedAdapter,
} from './support/apply-fixture';

const fixture = applyRedis('cli');
const { redis, keys, prefix } = fixture;
const dir = mkdtempSync(join(tmpdir(), 'qdns-plan-sync-'));
const configPath = writeConfigFile(
  dir,
  configYaml({
    deploymentId: 'cli-test',
    redisUrl: SHARED_REDIS_URL,
    keyPrefix: prefix,
    providers: ['lab: { type: local, zone: lab.test }', 'other: { type: local, zone: other.test }'],
    check: '{ type: tcp, port: 9, interval: 10s, timeout: 3s }',
    services: [
      twoPoolService('api', ['api.lab.test'], ['lab']),
      {
        name: 'web',
        names: ['web.other.test'],
        policy: 'all-healthy',
        pools: { main: { w1: '192.0.2.30' } },
        providers: ['other'],
      },
    ],
  }),
);

const memories = new Map<string, MemoryAdapter>(
  [
    ['lab', 'lab.test'],
    ['other', 'other.test'],
  ].map(([name, zone]) => {
    const memory = new MemoryAdapter({ name, syncDelayMs: 20 });
    memory.createZone(zone as string);
    return [name as string, memory];
  }),
);
const providers: CommandProviders = {
  create: (provider) => taggedAdapter(memories.get(provider.name) as MemoryAdapter, 'cli', []),
  sync: FAST_SYNC,
};

function memory(name: string): MemoryAdapter {
  return memories.get(name) as MemoryAdapter;
}

const io = () => captureIo({ cwd: dir, env: { USER: 'tester' } });

async function plan(...args: string[]) {
  const captured = io();
  const code = await runPlanCommand(['--config', configPath, ...args], captured, providers);
  return { code, stdout: captured.stdoutText(), stderr: captured.stderrText() };
}

async function sync(...args: string[]) {
  const captured = io();
  const code = await runSyncCommand(['--config', configPath, '--by', 'alice', ...args], captured, providers);
  return { code, stdout: captured.stdoutText(), stderr: captured.stderrText() };
}

async function keyCount(): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    count += found.length;
  } while (cursor !== '0');
  return count;
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fixture.dispose();
});

test('with no state, plan shows the all-healthy answer to create (exit 2), as Markdown for a PR comment', async () => {
  const { code, stdout, stderr } = await plan('--format', 'markdown');
  expect(stderr).toBe('');
  expect(code).toBe(2);
  expect(stdout).toContain('### api → local `lab/lab.test`');
  expect(stdout).toContain('rewrite mode · no decision yet: the all-healthy answer (generation 0)');
  expect(stdout).toMatch(
    /```diff\n\+ _quorumdns\.api\.lab\.test 300 TXT "heritage=quorumdns,deployment=cli-test"\n\+ api\.lab\.test \d+ A 192\.0\.2\.10\n```/,
  );
  expect(stdout).toContain('### web → local `other/other.test`');
  expect(stdout).toMatch(/\*\*Plan: 0 to change, 4 to create, 0 to delete\.\*\*\n$/);
});

test('sync --dry-run plans and writes nothing: no provider write, no Redis key', async () => {
  const { code, stdout } = await sync('--dry-run');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^api at local lab\/lab\.test \(rewrite mode · no decision yet/);
  expect(stdout).toMatch(/\+ api\.lab\.test \d+ A 192\.0\.2\.10/);
  expect(stdout).toContain('Plan: 0 to change, 4 to create, 0 to delete.');
  expect(stdout).toMatch(/dry run: nothing was changed\n$/);
  expect(memory('lab').count('apply') + memory('other').count('apply')).toBe(0);
  expect(await keyCount()).toBe(0);
});

test('sync creates the records, records the applied status and the audit event; plan then says nothing to do', async () => {
  const { code, stdout } = await sync();
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^api at local lab\/lab\.test: applied generation 0: api\.lab\.test A: \(none\) -> 192\.0\.2\.10 \(change C\d+, in sync after \d+ ms\)$/m,
  );
  expect(stdout).toMatch(/sync: 2 targets in sync, 0 failed\n$/);
  expect(
    memory('lab')
      .snapshot('lab.test')
      .map((set) => `${set.name} ${set.type}`),
  ).toEqual(['_quorumdns.api.lab.test TXT', 'api.lab.test A']);
  expect(await new AppliedStore(redis, keys).read('api', 'lab', 'lab.test')).toMatchObject({
    generation: 0,
    syncState: 'in-sync',
  });
  const [event] = await new EventLog(redis, keys).read({ services: ['api'] });
  expect(event).toMatchObject({ kind: 'dns-applied', severity: 'info', generation: 0, by: 'sync:alice' });

  const again = await plan();
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('  no changes');
  expect(again.stdout).toMatch(/Plan: 0 to change, 0 to create, 0 to delete\.\n$/);
});

test("plan follows the evaluator's decision (exit 2, JSON); a failing provider fails sync (exit 1) but not the other target", async () => {
  const { config } = await loadConfigOrThrow([configPath]);
  await commitDecision(new StateStore(redis, keys), config.services.api as Service, 3, {
    pools: [
      { pool: 'a', weight: 0, endpoints: ['a1'] },
      { pool: 'b', weight: 1, endpoints: ['b1'] },
    ],
  });
  const planned = await plan('--format', 'json');
  expect(planned.code).toBe(2);
  const json = JSON.parse(planned.stdout) as PlanJson;
  expect(json.summary).toEqual({ create: 0, update: 1, delete: 0, errors: 0 });
  expect(json.targets[0]).toMatchObject({
    service: 'api',
    generation: 3,
    source: 'decision',
    changes: [{ action: 'update', before: { values: ['192.0.2.10'] }, after: { values: ['198.51.100.20'] } }],
  });
  expect(json.targets[1]).toMatchObject({ service: 'web', changes: [], error: null });

  memory('other').injectFault({ operation: 'read', code: 'FORBIDDEN', count: 1000 });
  const synced = await sync();
  expect(synced.code).toBe(1);
  expect(synced.stdout).toMatch(
    /^api at local lab\/lab\.test: applied generation 3: api\.lab\.test A: 192\.0\.2\.10 -> 198\.51\.100\.20 \(change C\d+/m,
  );
  expect(synced.stdout).toMatch(
    /^web at local other\/other\.test: FAILED FORBIDDEN \[AccessDenied\]: memory: injected AccessDenied$/m,
  );
  expect(synced.stdout).toMatch(/sync: 1 target in sync, 1 failed\n$/);
  expect(await new AppliedStore(redis, keys).read('web', 'other', 'other.test')).toMatchObject({
    syncState: 'failed',
    error: { code: 'FORBIDDEN' },
  });

  // A target that cannot be planned is an error (1), even though another target is fine.
  const failedPlan = await plan();
  expect(failedPlan.code).toBe(1);
  expect(failedPlan.stdout).toContain(
    'web at local other/other.test (rewrite mode)\n  error FORBIDDEN: memory: injected AccessDenied [AccessDenied]',
  );
  expect(failedPlan.stdout).toContain('1 target could not be planned.');
  memory('other').clearFaults();
});

test('plan never exits 2 for anything but pending changes', async () => {
  const badFormat = await plan('--format', 'yaml');
  expect(badFormat.code).toBe(1);
  expect(badFormat.stderr).toContain('--format must be text, markdown or json, got "yaml"');
  const unknown = await plan('--service', 'nope');
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/unknown service "nope"/);
});
