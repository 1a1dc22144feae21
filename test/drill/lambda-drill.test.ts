/**
 * The Lambda probe honours a drill overlay like the long-lived worker (it is the same worker): an invocation
 * that starts while a drill runs reports the drilled pool's endpoint as failing with class `drill` from its
 * very first slot, without sending a single request to it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { writeConfigFile } from '../support/config-yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createProbeHandler } from '../../src/lambda/probe';
import { redisTimeMs } from '../../src/evaluator/redis-time';
import { memoryLogger } from '../../src/probe/logger';
import { type LastObservation, opinionField, redisKeys } from '../../src/redis/keys';
import { type HttpTestServer, startStatusServer } from '../support/misbehaving-servers';
import { probeConfigYaml } from '../support/probe-config-yaml';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';

const prefix = randomPrefix('drill-lambda');
const keys = redisKeys(prefix);
const dir = mkdtempSync(join(tmpdir(), 'qdns-drill-lambda-'));
let admin: Redis;
let server: HttpTestServer;
let configFile: string;

beforeAll(async () => {
  admin = new Redis(SHARED_REDIS_URL);
  server = await startStatusServer(200, 'ok');
  configFile = writeConfigFile(
    dir,
    probeConfigYaml({
      deploymentId: 'lambdadrill',
      redisUrl: SHARED_REDIS_URL,
      keyPrefix: prefix,
      regions: ['eu-west-1', 'us-east-1'],
      failureThreshold: 3,
      endpoints: [{ name: 'a', port: server.port }],
    }),
  );
});

afterAll(async () => {
  await deleteKeys(admin, prefix);
  await admin.quit();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an invocation during a drill records drill failures for the drilled pool and never probes it', async () => {
  const now = await redisTimeMs(admin);
  await admin.set(
    keys.service('api').drill,
    JSON.stringify({
      id: 'drill-lambda',
      service: 'api',
      pools: ['main'],
      mode: 'dry',
      startedAt: now,
      endsAt: now + 60_000,
      by: 'test',
    }),
    'PX',
    120_000,
  );
  const until = Date.now() + 30_000;
  const handler = createProbeHandler({
    env: { QUORUMDNS_CONFIG: configFile, AWS_REGION: 'eu-west-1' },
    windowMs: 600,
    logger: memoryLogger(),
  });
  const summary = await handler({}, { getRemainingTimeInMillis: () => until - Date.now() });
  expect(summary.checks).toBeGreaterThanOrEqual(4);
  expect(summary.recorded).toBe(summary.checks);
  expect(server.requests.length).toBe(0);
  const field = opinionField('a', 'eu-west-1');
  const last = JSON.parse((await admin.hget(keys.service('api').last, field)) ?? '{}') as LastObservation;
  expect(last).toMatchObject({ ok: false, class: 'drill', drill: true });
  expect(last.detail).toContain('drill-lambda');
  expect(Number(await admin.hget(keys.service('api').streaks, field))).toBe(-summary.checks);
  expect(await admin.hget(keys.service('api').opinions, field)).toBe('down');
}, 30_000);
