/**
 * `sync` and `plan` through the real adapter factory with the lab's `local` provider (zones kept in Redis):
 * no test seam at all between the command line and the records it writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planCommand } from '../../../src/cli/plan-command';
import { syncCommand } from '../../../src/cli/sync-command';
import { AppliedStore } from '../../../src/providers/applied-store';
import { createLocalAdapter } from '../../../src/providers/local/local-adapter';
import { captureIo } from '../../support/capture-io';
import { configYaml, twoPoolService, writeConfigFile } from '../../support/config-yaml';
import { applyRedis, SHARED_REDIS_URL } from './support/apply-fixture';

const fixture = applyRedis('local');
const { redis, keys, prefix } = fixture;
const dir = mkdtempSync(join(tmpdir(), 'qdns-local-sync-'));
const configPath = writeConfigFile(
  dir,
  configYaml({
    deploymentId: 'local-sync-test',
    redisUrl: SHARED_REDIS_URL,
    keyPrefix: prefix,
    providers: ['lab: { type: local, zone: lab.test }'],
    check: '{ type: tcp, port: 9, interval: 10s, timeout: 3s }',
    services: [twoPoolService('api', ['api.lab.test'], ['lab'])],
  }),
);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await fixture.dispose();
});

test('sync writes the all-healthy answer into the local zone; plan then has nothing to do', async () => {
  const before = captureIo({ cwd: dir });
  expect(await planCommand(['--config', configPath], before)).toBe(2);

  const io = captureIo({ cwd: dir, env: { USER: 'tester' } });
  const code = await syncCommand(['--config', configPath], io);
  expect(io.stderrText()).toBe('');
  expect(code).toBe(0);
  expect(io.stdoutText()).toMatch(
    /^api at local lab\/lab\.test: applied generation 0: api\.lab\.test A: \(none\) -> 192\.0\.2\.10/,
  );

  const adapter = createLocalAdapter(
    {
      type: 'local',
      name: 'lab',
      zone: 'lab.test',
      syncDelay: 0,
      ownerRecords: true,
      limits: {},
      syncTimeout: 10_000,
      maxDeletes: 10,
    },
    { redis, keyPrefix: prefix },
  );
  const sets = await adapter.read({ zone: 'lab.test', names: ['api.lab.test', '_quorumdns.api.lab.test'] });
  expect(sets.map((set) => `${set.name} ${set.type} ${(set.values ?? []).join(',')}`).sort()).toEqual([
    '_quorumdns.api.lab.test TXT "heritage=quorumdns,deployment=local-sync-test"',
    'api.lab.test A 192.0.2.10',
  ]);
  await adapter.close();
  expect(await new AppliedStore(redis, keys).read('api', 'lab', 'lab.test')).toMatchObject({
    generation: 0,
    syncState: 'in-sync',
  });

  const after = captureIo({ cwd: dir });
  expect(await planCommand(['--config', configPath], after)).toBe(0);
  expect(after.stdoutText()).toContain('Plan: 0 to change, 0 to create, 0 to delete.');
});
