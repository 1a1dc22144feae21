/**
 * freeze / unfreeze / override / overrides in-process against the real Redis: stored overrides, audit events
 * with who / why / until when, the evaluate job that makes a change take effect at once, expiry on its own,
 * and exit 2 for what the operator typed wrong.
 */
import { Queue } from 'bullmq';
import { EVALUATE_JOB_NAME, type EvaluateJobData, QueueName } from '../../src/evaluator/queues';
import type { StoredEvent } from '../../src/evaluator/service-record';
import type { StatusSnapshot } from '../../src/status/snapshot-types';
import { createOperatorHarness, eventually, type OperatorHarness, REGIONS } from './support/operator-harness';
import { evaluateOnce, recordObservations, writeHeartbeat } from './support/world-writer';

interface OverridesJson {
  schemaVersion: number;
  generatedAt: number;
  overrides: Array<{
    service: string;
    id: string;
    kind: string;
    pool?: string;
    direction?: string;
    by: string;
    reason: string;
    expiresAt: number;
    remainingMs: number;
  }>;
}

describe('operator overrides', () => {
  let h: OperatorHarness;
  let queue: Queue<EvaluateJobData>;

  beforeAll(async () => {
    h = await createOperatorHarness('overrides');
    queue = new Queue<EvaluateJobData>(QueueName.evaluate, { connection: h.redis, prefix: h.prefix });
  });
  afterAll(async () => {
    await queue.close();
    await h.dispose();
  });

  const listed = async (service?: string): Promise<OverridesJson> => {
    const result = await h.run(['overrides', ...(service ? [service] : []), '--json']);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as OverridesJson;
  };
  const events = async (service: string): Promise<StoredEvent[]> => {
    const result = await h.run(['events', '--service', service, '--json']);
    expect(result.code).toBe(0);
    return result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as StoredEvent);
  };

  it('freezes with an audited event and an evaluate job, and unfreezes', async () => {
    const frozen = await h.run([
      'freeze',
      'api',
      '--reason',
      'db migration',
      '--for',
      '30m',
      '--by',
      'alice',
    ]);
    expect(frozen.stderr).toBe('');
    expect(frozen.code).toBe(0);
    expect(frozen.stdout).toMatch(
      /^api frozen by alice until \S+Z \(override freeze-[0-9a-f]{6}\); undo with: quorumdns unfreeze api\n$/,
    );

    const list = await listed('api');
    expect(list.overrides).toHaveLength(1);
    const freeze = list.overrides[0];
    expect(freeze).toMatchObject({ service: 'api', kind: 'freeze', by: 'alice', reason: 'db migration' });
    expect(freeze?.expiresAt).toBe((freeze as { createdAt?: number }).createdAt! + 30 * 60_000);
    expect(freeze?.remainingMs).toBeGreaterThan(29 * 60_000);

    const set = (await events('api')).find((event) => event.kind === 'override-set');
    expect(set).toMatchObject({
      service: 'api',
      severity: 'warning',
      rule: 'freeze',
      override: freeze?.id,
      by: 'alice',
      reason: 'db migration',
      expiresAt: freeze?.expiresAt,
      generation: 0,
    });
    expect(set?.message).toMatch(
      /^api: frozen by alice for 30m \(until \S+\): no automatic DNS change is published/,
    );

    const jobs = await queue.getJobs(['waiting', 'delayed', 'prioritized']);
    const job = jobs.find((candidate) => candidate.data.service === 'api');
    expect(job?.name).toBe(EVALUATE_JOB_NAME);
    expect(job?.data).toMatchObject({ service: 'api', reason: 'override', requestedBy: 'cli:alice' });

    const status = JSON.parse((await h.run(['status', 'api', '--json'])).stdout) as StatusSnapshot;
    expect(status.services[0]?.overrides.map((o) => o.id)).toEqual([freeze?.id]);

    const unfrozen = await h.run(['unfreeze', 'api', '--by', 'bob', '--reason', 'migration done']);
    expect(unfrozen).toEqual({
      code: 0,
      stdout: `api unfrozen by bob (removed ${freeze?.id})\n`,
      stderr: '',
    });
    expect((await listed('api')).overrides).toEqual([]);
    const removed = (await events('api')).find((event) => event.kind === 'override-removed');
    expect(removed).toMatchObject({
      override: freeze?.id,
      by: 'bob',
      reason: 'migration done',
      severity: 'info',
    });
    expect(removed?.message).toContain('it was set by alice: "db migration"');

    const again = await h.run(['unfreeze', 'api', '--by', 'bob']);
    expect(again).toEqual({ code: 0, stdout: 'api is not frozen; nothing to do\n', stderr: '' });
  });

  it('drains a pool, lists it, and lets it expire on its own', async () => {
    const drained = await h.run([
      'override',
      'api',
      '--pool',
      'aws-use1',
      '--drain',
      '--reason',
      'packet loss',
      '--for',
      '1s',
      '--by',
      'carol',
    ]);
    expect(drained.code).toBe(0);
    expect(drained.stdout).toMatch(/^api: drain aws-use1 by carol until \S+ \(override drain-[0-9a-f]{6}\)/);
    const list = await listed();
    expect(list.overrides).toEqual([
      expect.objectContaining({
        service: 'api',
        kind: 'force-pool',
        pool: 'aws-use1',
        direction: 'out',
        by: 'carol',
      }),
    ]);
    // Redis expires the stored hash on its own (after the grace the evaluator needs to report the expiry).
    const pttl = await h.redis.pttl(`${h.prefix}:{api}:overrides`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60 * 60_000 + 1000);
    await eventually(async () => (await listed()).overrides.length === 0, 'the 1s override to expire', 5000);
    const text = await h.run(['overrides']);
    expect(text.stdout).toBe('no overrides in force\n');
  });

  it('replaces an override on the same pool and clears by id or by pool', async () => {
    await h.run(['override', 'api', '--pool', 'gcp-euw1', '--drain', '--reason', 'r1', '--by', 'dave']);
    const restore = await h.run([
      'override',
      'api',
      '--pool',
      'gcp-euw1',
      '--restore',
      '--reason',
      'r2',
      '--by',
      'dave',
    ]);
    expect(restore.stdout).toMatch(/; replaces drain-[0-9a-f]{6}\)/);
    let list = await listed('api');
    expect(list.overrides.map((o) => [o.pool, o.direction])).toEqual([['gcp-euw1', 'in']]);
    const replaced = (await events('api')).filter((e) => e.kind === 'override-removed').pop();
    expect(replaced?.reason).toBe(`replaced by ${list.overrides[0]?.id}`);

    const byId = await h.run(['override', '--clear', list.overrides[0]?.id ?? '', '--by', 'dave']);
    expect(byId.code).toBe(0);
    expect(byId.stdout).toBe(`api: removed ${list.overrides[0]?.id} (restore gcp-euw1) by dave\n`);

    await h.run(['override', 'api', '--pool', 'aws-use1', '--drain', '--reason', 'r3']);
    const byPool = await h.run(['override', 'api', '--pool', 'aws-use1', '--clear']);
    expect(byPool.code).toBe(0);
    expect(byPool.stdout).toMatch(/^api: removed drain-[0-9a-f]{6} \(drain aws-use1\) by /);
    list = await listed('api');
    expect(list.overrides).toEqual([]);
  });

  it('a drain set by the CLI is obeyed by the decision core and ends with its expiry', async () => {
    for (const region of REGIONS) await writeHeartbeat(h.redis, h.config, region, 0);
    await recordObservations(
      h.redis,
      h.config,
      REGIONS.flatMap((region) =>
        ['www-a', 'www-b'].map((endpoint) => ({ service: 'www', endpoint, region, ok: true })),
      ),
    );
    await evaluateOnce(h.redis, h.config, 'www');
    const poolsOf = async (): Promise<Array<[string, string | null, number | null]>> => {
      const status = JSON.parse((await h.run(['status', 'www', '--json'])).stdout) as StatusSnapshot;
      return status.services[0]?.pools.map((p) => [p.pool, p.status, p.weight]) ?? [];
    };
    expect(await poolsOf()).toEqual([
      ['main', 'eligible', 1],
      ['backup', 'eligible', 0],
    ]);
    await h.run(['override', 'www', '--pool', 'main', '--drain', '--reason', 'maintenance', '--for', '1s']);
    await evaluateOnce(h.redis, h.config, 'www');
    expect(await poolsOf()).toEqual([
      ['main', 'forced-out', 0],
      ['backup', 'eligible', 1],
    ]);
    await eventually(async () => (await listed('www')).overrides.length === 0, 'the drain to expire', 5000);
    await evaluateOnce(h.redis, h.config, 'www');
    expect(await poolsOf()).toEqual([
      ['main', 'eligible', 1],
      ['backup', 'eligible', 0],
    ]);
  });

  it('names the key of a corrupt override: overrides exits 1, status shows the problem', async () => {
    const key = `${h.prefix}:{www}:overrides`;
    await h.redis.hset(key, 'broken-1', '{not json');
    try {
      const result = await h.run(['overrides']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^quorumdns overrides: corrupt data in Redis key ${key.replace(/[{}]/g, '\\$&')}, field broken-1: not valid JSON`,
        ),
      );
      const status = JSON.parse((await h.run(['status', 'www', '--json'])).stdout) as StatusSnapshot;
      expect(status.services[0]?.problems).toEqual([
        expect.stringContaining(`corrupt data in Redis key ${key}, field broken-1`),
      ]);
    } finally {
      await h.redis.del(key);
    }
  });

  it.each([
    [
      ['override', 'api', '--pool', 'aws-use2', '--drain', '--reason', 'x'],
      /service api has no pool "aws-use2" \(did you mean "aws-use1"\?\); its pools: aws-use1, gcp-euw1/,
    ],
    [
      ['override', 'apii', '--pool', 'aws-use1', '--drain', '--reason', 'x'],
      /unknown service "apii" \(did you mean "api"\?\); known services: api, www/,
    ],
    [['freeze', 'nope', '--reason', 'x'], /unknown service "nope"; known services: api, www/],
    [['freeze', 'api'], /--reason <text> is required/],
    [['freeze', 'api', '--reason', '   '], /--reason <text> is required/],
    [['freeze', 'api', '--reason', 'x', '--for', '8d'], /--for 8d is longer than 7d/],
    [['freeze', 'api', '--reason', 'x', '--for', 'soon'], /--for must be a duration like 30m/],
    [
      ['override', 'api', '--pool', 'aws-use1', '--drain', '--restore', '--reason', 'x'],
      /exactly one of --drain, --restore or --clear/,
    ],
    [
      ['override', 'api', '--drain', '--reason', 'x'],
      /--pool <name> is required; pools of api: aws-use1, gcp-euw1/,
    ],
    [
      ['override', 'api', '--clear', 'drain-000000'],
      /service api has no override "drain-000000" in force; in force: none/,
    ],
    [['override', '--clear', 'drain-000000'], /no service has an override "drain-000000" in force/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await h.run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect((await listed()).overrides).toEqual([]);
  });
});
