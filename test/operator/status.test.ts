/**
 * `quorumdns status` in-process against the real Redis: a service with a record written by the real core and
 * StateStore, a stale probe region, a service not evaluated yet, JSON shape, colour rules, exit codes.
 */
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusSnapshot } from '../../src/status/snapshot-types';
import { configText, createOperatorHarness, type OperatorHarness } from './support/operator-harness';
import { evaluateOnce, recordObservations, writeHeartbeat } from './support/world-writer';

// eslint-disable-next-line no-control-regex -- detecting colour codes in the output
const ANSI = /\u001b\[/;

describe('quorumdns status', () => {
  let h: OperatorHarness;

  beforeAll(async () => {
    h = await createOperatorHarness('status');
    await writeHeartbeat(h.redis, h.config, 'us-east-1', 1000);
    await writeHeartbeat(h.redis, h.config, 'europe-west1', 1000);
    // staleAfter defaults to 3 x the 10 s interval: ten minutes is long stale.
    await writeHeartbeat(h.redis, h.config, 'onprem-fra', 600_000);
    await recordObservations(h.redis, h.config, [
      { service: 'api', endpoint: 'use1-a', region: 'us-east-1', ok: false, failureClass: 'timeout' },
      { service: 'api', endpoint: 'use1-a', region: 'europe-west1', ok: false, failureClass: 'refused' },
      { service: 'api', endpoint: 'use1-a', region: 'onprem-fra', ok: true },
      { service: 'api', endpoint: 'use1-b', region: 'us-east-1', ok: false, failureClass: 'timeout' },
      { service: 'api', endpoint: 'use1-b', region: 'europe-west1', ok: false, failureClass: 'timeout' },
      { service: 'api', endpoint: 'euw1-a', region: 'us-east-1', ok: true },
      { service: 'api', endpoint: 'euw1-a', region: 'europe-west1', ok: true },
    ]);
    await evaluateOnce(h.redis, h.config, 'api');
  });
  afterAll(() => h.dispose());

  it('shows the decision, pools, the opinion matrix with the stale region marked, and the events', async () => {
    const result = await h.run(['status', 'api']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(
      /^api {2}api\.example\.com A · failover · quorum majority \(2 of 3 probe regions\)$/m,
    );
    expect(out).toMatch(/serving gcp-euw1 \(weight 1, 1 endpoint\) · generation 1 since /);
    expect(out).toMatch(/^ {4}aws-use1 +1 +down +0\/2 \(1 needed\) +drained +0$/m);
    expect(out).toMatch(/^ {4}gcp-euw1 +2 +up +1\/1 \(1 needed\) +eligible +1$/m);
    expect(out).toMatch(/^ {4}onprem-fra +STALE \(limit 30s\) +10m/m);
    // The matrix: onprem-fra's column is marked stale, its (up) vote shown but flagged as not counted.
    expect(out).toMatch(/endpoint +pool +us-east-1 +europe-west1 +onprem-fra \(stale\) +verdict/);
    expect(out).toMatch(
      /^ {4}use1-a +aws-use1 +down timeout \S+ ago +down refused \S+ ago +stale: up \S+ ago +down$/m,
    );
    expect(out).toMatch(/^ {4}euw1-a +gcp-euw1 +up \S+ ago +up \S+ ago +stale: unknown never checked +up$/m);
    expect(out).toContain('  why (evaluation of ');
    expect(out).toMatch(/pool-drained/);
    expect(out).toContain('  drill: none');
    expect(ANSI.test(out)).toBe(false);
  });

  it('prints the stable JSON snapshot', async () => {
    const result = await h.run(['status', 'api', '--json']);
    expect(result.code).toBe(0);
    const snapshot = JSON.parse(result.stdout) as StatusSnapshot;
    expect(snapshot.schemaVersion).toBe(1);
    expect(snapshot.deployment).toEqual({
      id: 'operator-test',
      keyPrefix: h.prefix,
      configHash: h.config.hash,
    });
    const api = snapshot.services[0];
    expect(snapshot.services.map((s) => s.service)).toEqual(['api']);
    expect(api?.evaluated).toBe(true);
    expect(api?.record?.generation).toBe(1);
    expect(api?.record?.serving).toEqual(['gcp-euw1']);
    expect(api?.record?.configCurrent).toBe(true);
    expect(api?.record?.decision.pools).toEqual([
      { pool: 'aws-use1', weight: 0, endpoints: ['use1-a', 'use1-b'] },
      { pool: 'gcp-euw1', weight: 1, endpoints: ['euw1-a'] },
    ]);
    expect(api?.regions.map((r) => [r.region, r.status])).toEqual([
      ['us-east-1', 'live'],
      ['europe-west1', 'live'],
      ['onprem-fra', 'stale'],
    ]);
    expect(api?.regions[2]?.heartbeatAge).toBeGreaterThanOrEqual(600_000);
    expect(api?.pools.map((p) => [p.pool, p.verdict, p.status, p.weight])).toEqual([
      ['aws-use1', 'down', 'drained', 0],
      ['gcp-euw1', 'up', 'eligible', 1],
    ]);
    const useA = api?.endpoints.find((e) => e.endpoint === 'use1-a');
    expect(useA?.verdict).toBe('down');
    expect(useA?.target).toBe('192.0.2.10');
    expect(useA?.opinions['us-east-1']).toMatchObject({
      opinion: 'down',
      stale: false,
      streak: -1,
      lastOk: false,
      failureClass: 'timeout',
    });
    expect(useA?.opinions['onprem-fra']).toMatchObject({
      opinion: 'up',
      stale: true,
      lastOk: true,
      failureClass: null,
    });
    expect(api?.endpoints.find((e) => e.endpoint === 'euw1-a')?.opinions['onprem-fra']).toEqual({
      opinion: 'unknown',
      stale: true,
      streak: null,
      lastCheckAt: null,
      lastOk: null,
      failureClass: null,
      detail: null,
      latencyMs: null,
      drill: false,
    });
    expect(api?.overrides).toEqual([]);
    expect(api?.drill).toBeNull();
    expect(api?.problems).toEqual([]);
    expect(api?.events.map((e) => e.kind)).toContain('decision-changed');
    // Oldest first, like a log.
    const ids = api?.events.map((e) => e.id) ?? [];
    expect([...ids].sort()).toEqual(ids);
  });

  it('says "not evaluated yet" for a service without a record, in text and JSON', async () => {
    const text = await h.run(['status', 'www']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('  not evaluated yet: no evaluator has committed a decision');
    expect(text.stdout).toMatch(/^ {4}main +1 +- +- +- +-$/m);
    const json = JSON.parse((await h.run(['status', 'www', '--json'])).stdout) as StatusSnapshot;
    expect(json.services[0]).toMatchObject({ service: 'www', evaluated: false, record: null });
    expect(json.services[0]?.pools[0]).toMatchObject({
      pool: 'main',
      verdict: null,
      status: null,
      weight: null,
    });
  });

  it('shows every service in name order when none is named', async () => {
    const json = JSON.parse((await h.run(['status', '--json'])).stdout) as StatusSnapshot;
    expect(json.services.map((s) => s.service)).toEqual(['api', 'www']);
  });

  it('limits the events with --events', async () => {
    const json = JSON.parse(
      (await h.run(['status', 'api', '--json', '--events', '1'])).stdout,
    ) as StatusSnapshot;
    expect(json.services[0]?.events).toHaveLength(1);
    expect(json.services[0]?.events[0]?.kind).toBe('decision-changed');
  });

  it('colours only for a TTY without NO_COLOR', async () => {
    expect(ANSI.test((await h.run(['status', 'api'], { isTty: true })).stdout)).toBe(true);
    expect(ANSI.test((await h.run(['status', 'api'], { isTty: true, env: { NO_COLOR: '1' } })).stdout)).toBe(
      false,
    );
    expect(ANSI.test((await h.run(['status', 'api'], { isTty: false })).stdout)).toBe(false);
  });

  it('shows a drill overlay and reports corrupt data without failing', async () => {
    const keys = h.config.deployment.redis.keyPrefix;
    await h.redis.set(`${keys}:{www}:drill`, JSON.stringify({ pools: ['main'], mode: 'dry' }), 'PX', 60_000);
    await h.redis.hset(`${keys}:{www}:state`, 'record', '{not json');
    const result = await h.run(['status', 'www', '--json']);
    expect(result.code).toBe(0);
    const www = (JSON.parse(result.stdout) as StatusSnapshot).services[0];
    expect(www?.drill).toMatchObject({ key: `${keys}:{www}:drill`, value: { pools: ['main'], mode: 'dry' } });
    expect(www?.drill?.ttlMs).toBeGreaterThan(50_000);
    expect(www?.problems).toEqual([
      expect.stringContaining(`corrupt data in Redis key ${keys}:{www}:state, field record`),
    ]);
    const text = await h.run(['status', 'www']);
    expect(text.stdout).toMatch(
      / {2}drill: ACTIVE \(expires in [\dms ]+\) \{"pools":\["main"\],"mode":"dry"\}/,
    );
    expect(text.stdout).toContain('problems in Redis');
    await h.redis.del(`${keys}:{www}:drill`, `${keys}:{www}:state`);
  });

  it('exits 2 naming the known services for an unknown one', async () => {
    const result = await h.run(['status', 'apx']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'quorumdns status: unknown service "apx" (did you mean "api"?); known services: api, www\n',
    });
  });

  describe('when Redis is unreachable', () => {
    let blackhole: Server;
    let port: number;
    beforeAll(async () => {
      // A port that refuses: bind one, note it, close it.
      blackhole = createServer();
      await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
      const address = blackhole.address();
      port = typeof address === 'object' && address ? address.port : 0;
      await new Promise<void>((resolve) => blackhole.close(() => resolve()));
    });

    it('exits 1 with one line naming the redacted URL', async () => {
      const path = join(h.dir, 'unreachable.yaml');
      // A URL with a password must be a secret reference in the config (the loader insists).
      writeFileSync(path, configText(h.prefix, '${env:QDNS_TEST_REDIS_URL}'));
      const result = await h.runRaw(['status', '--config', path], {
        env: { QDNS_TEST_REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}/0` },
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(
          `^quorumdns status: Redis at redis://\\*\\*\\*@127\\.0\\.0\\.1:${port}/0 is unreachable: .*ECONNREFUSED.*\\n$`,
        ),
      );
      expect(result.stderr).not.toContain('s3cret-pw');
    });
  });

  it('exits 1 with file:line:col for an invalid config, and 2 when no config exists', async () => {
    const path = join(h.dir, 'broken.yaml');
    writeFileSync(
      path,
      configText(h.prefix).replace('names: [api.example.com]', 'names: [api.example.com]\n    ttl: -1'),
    );
    const broken = await h.runRaw(['status', '--config', path]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^quorumdns status: invalid configuration \(1 error\):\n.*broken\.yaml:\d+:\d+: services\.api\.ttl: /,
    );
    const none = await h.runRaw(['status'], { cwd: '/' });
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain(
      './quorumdns.yaml does not exist; pass --config <path> or set QUORUMDNS_CONFIG',
    );
  });

  it('reads QUORUMDNS_CONFIG when --config is absent', async () => {
    const result = await h.runRaw(['status', 'www', '--json'], {
      env: { QUORUMDNS_CONFIG: h.configPath },
      cwd: '/',
    });
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as StatusSnapshot).services[0]?.service).toBe('www');
  });
});
