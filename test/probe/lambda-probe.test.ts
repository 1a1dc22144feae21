import { mkdtempSync, rmSync } from 'node:fs';
import { writeConfigFile } from '../support/config-yaml';
import { probeConfigYaml } from '../support/probe-config-yaml';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createProbeHandler, LambdaProbeSetupError } from '../../src/lambda/probe';
import { memoryLogger } from '../../src/probe/logger';
import { type HeartbeatRecord, opinionField, redisKeys } from '../../src/redis/keys';
import { type HttpTestServer, startStatusServer } from '../support/misbehaving-servers';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from './helpers';

const prefix = randomPrefix('lambda');
const dir = mkdtempSync(join(tmpdir(), 'quorumdns-lambda-'));
let admin: Redis;
let server: HttpTestServer;
let configFile: string;

beforeAll(async () => {
  admin = new Redis(SHARED_REDIS_URL);
  server = await startStatusServer(503, 'down');
  configFile = writeConfigFile(
    dir,
    probeConfigYaml({
      deploymentId: 'lambdatest',
      redisUrl: '${env:QDNS_TEST_REDIS_URL}',
      keyPrefix: prefix,
      regions: ['eu-west-1', 'us-east-1', 'ap-south-1'],
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

function context(remainingMs: number) {
  const until = Date.now() + remainingMs;
  return {
    getRemainingTimeInMillis: () => until - Date.now(),
    functionName: 'quorumdns-probe',
    logStreamName: '2030/01/01/[$LATEST]abcdef0123456789',
  };
}

const env = () => ({
  QUORUMDNS_CONFIG: configFile,
  AWS_REGION: 'eu-west-1',
  QDNS_TEST_REDIS_URL: SHARED_REDIS_URL,
});

describe('Lambda probe handler', () => {
  test('one invocation probes its window interval-aligned, records through the script, and leaves a heartbeat', async () => {
    const logger = memoryLogger();
    const handler = createProbeHandler({ env: env(), windowMs: 1000, logger });
    const summary = await handler({}, context(30_000));

    expect(summary.region).toBe('eu-west-1');
    expect(summary.windowEnd - summary.windowStart).toBe(1000);
    // 100 ms interval over a 1 s window: about 10 slots, each probed once.
    expect(summary.checks).toBeGreaterThanOrEqual(8);
    expect(summary.checks).toBeLessThanOrEqual(11);
    expect(summary.recorded).toBe(summary.checks);
    expect(summary.unwritten).toBe(0);
    expect(server.requests.length).toBe(summary.checks);

    const keys = redisKeys(prefix);
    const field = opinionField('a', 'eu-west-1');
    expect(await admin.hget(keys.service('api').opinions, field)).toBe('down');
    expect(Number(await admin.hget(keys.service('api').streaks, field))).toBe(-summary.checks);
    const beat = JSON.parse((await admin.hget(keys.heartbeats, 'eu-west-1'))!) as HeartbeatRecord;
    expect(beat.workerId).toBe(summary.workerId);
    // The next invocation follows within the minute: the worker key is left to expire, not deleted.
    expect(await admin.exists(keys.workerHeartbeat('eu-west-1', summary.workerId))).toBe(1);

    // A second invocation continues the streak that lives in Redis.
    const second = await createProbeHandler({ env: env(), windowMs: 500, logger })({}, context(30_000));
    expect(Number(await admin.hget(keys.service('api').streaks, field))).toBe(
      -(summary.checks + second.checks),
    );
  });

  test('stops before the Lambda timeout minus the margin, however long the window would be', async () => {
    const handler = createProbeHandler({ env: env(), safetyMarginMs: 1000, logger: memoryLogger() });
    const started = Date.now();
    // 3 s left: the window must close by 3 s - 1 s margin - 80 ms check timeout - 1 s flush reserve.
    const summary = await handler({}, context(3000));
    const took = Date.now() - started;
    expect(summary.windowEnd - started).toBeLessThanOrEqual(3000 - 1000 - 80 - 1000 + 50);
    expect(took).toBeLessThan(3000 - 1000);
    expect(summary.unwritten).toBe(0);
  });

  test('a missing region is a setup error that says what to set', async () => {
    const handler = createProbeHandler({ env: { QUORUMDNS_CONFIG: configFile }, windowMs: 100 });
    await expect(handler({}, context(10_000))).rejects.toThrow(
      new LambdaProbeSetupError('set QUORUMDNS_REGION (or AWS_REGION) to the probe region'),
    );
  });

  test('QUORUMDNS_REGION wins over AWS_REGION; a region the config does not define is refused', async () => {
    const handler = createProbeHandler({ env: { ...env(), QUORUMDNS_REGION: 'onprem-fra' }, windowMs: 100 });
    await expect(handler({}, context(10_000))).rejects.toThrow('unknown probe region "onprem-fra"');
  });
});
