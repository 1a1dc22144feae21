/**
 * `quorumdns dns-server` in-process, as the binary runs it: serves the config's `local` zones, prints where
 * it listens, answers what `quorumdns sync` wrote through the local adapter, stops cleanly on SIGTERM; and
 * the errors an operator can make (no local provider, a bad --listen, a port in use) are one clear line.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createDnsServerCommand, parseListen } from '../../src/cli/dns-server-command';
import { main } from '../../src/cli/main';
import type { SignalSource } from '../../src/cli/probe-command';
import { syncCommand } from '../../src/cli/sync-command';
import { startDnsServer } from '../../src/dns-server/dns-server';
import { captureIo, type CapturedIo } from '../support/capture-io';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';
import { answerData, query, udpExchange } from './support/dns-client';

jest.setTimeout(30_000);

function labYaml(prefix: string, withLocal = true): string {
  const provider = withLocal
    ? 'lab: { type: local, zone: lab.test }'
    : 'dns: { type: route53, hostedZoneId: Z0123456789ABC }';
  return `deployment:
  id: lab
  redis: { url: '${SHARED_REDIS_URL}', keyPrefix: ${prefix} }
probeRegions: [a, b, c]
providers:
  ${provider}
services:
  api:
    names: [api.lab.test]
    pools:
      east:
        endpoints:
          - { name: e1, address: 192.0.2.1, check: { type: tcp, port: 9 } }
      west:
        endpoints:
          - { name: w1, address: 198.51.100.1, check: { type: tcp, port: 9 } }
    providers:
      - { provider: ${withLocal ? 'lab' : 'dns'}, mode: rewrite }
`;
}

describe('quorumdns dns-server', () => {
  let dir: string;
  let prefix: string;
  let redis: Redis;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'quorumdns-dns-server-'));
    prefix = randomPrefix('dnscmd');
    redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
  });

  afterEach(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  const io = (): CapturedIo => captureIo({ cwd: dir, env: {} });

  it('serves the local zone, answers what sync wrote, and stops on SIGTERM', async () => {
    const config = join(dir, 'lab.yaml');
    writeFileSync(config, labYaml(prefix));
    const signals = new EventEmitter();
    const serverIo = io();
    const running = createDnsServerCommand({ signals: signals as unknown as SignalSource })(
      ['--config', config, '--listen', '127.0.0.1:0'],
      serverIo,
    );
    const line = await waitFor(
      () => /listening on 127\.0\.0\.1:(\d+) \(UDP and TCP\); zones: (.*)/.exec(serverIo.stdoutText()),
      {
        what: 'the listening line',
      },
    );
    const port = Number(line[1]);
    expect(line[2]).toBe('lab.test (serial 0)');

    // An empty zone: SOA and NS only.
    expect((await udpExchange(port, query('api.lab.test', 'A'))).rcode).toBe('NXDOMAIN');

    const syncIo = io();
    expect(await syncCommand(['--config', config], syncIo)).toBe(0);
    await waitFor(
      async () => answerData(await udpExchange(port, query('api.lab.test', 'A'))).join() === '192.0.2.1',
      {
        what: 'the synced answer to be served',
      },
    );

    signals.emit('SIGTERM');
    expect(await running).toBe(0);
    expect(serverIo.stdoutText()).toContain('SIGTERM: stopping');
    expect(signals.listenerCount('SIGTERM')).toBe(0);
    expect(serverIo.stderrText()).toBe('');
  });

  it('refuses a config without a local provider, naming the fix', async () => {
    const config = join(dir, 'cloud.yaml');
    writeFileSync(config, labYaml(prefix, false));
    const out = io();
    expect(await main(['dns-server', '--config', config, '--listen', '127.0.0.1:0'], out)).toBe(1);
    expect(out.stderrText()).toContain('quorumdns dns-server: the configuration has no local provider');
    expect(out.stderrText()).toContain('type: local');
  });

  it('reports a port in use as one line, exit 1', async () => {
    const config = join(dir, 'lab.yaml');
    writeFileSync(config, labYaml(prefix));
    const taken = await startDnsServer({ redis, keyPrefix: prefix, zones: ['lab.test'] });
    try {
      const out = io();
      expect(await main(['dns-server', '--config', config, '--listen', `127.0.0.1:${taken.port}`], out)).toBe(
        1,
      );
      expect(out.stderrText()).toBe(
        `quorumdns dns-server: 127.0.0.1:${taken.port} is already in use (TCP); choose another port\n`,
      );
    } finally {
      await taken.close();
    }
  });

  it('rejects a bad --listen as a usage error', async () => {
    const out = io();
    expect(await main(['dns-server', '--listen', 'localhost:53x'], out)).toBe(2);
    expect(out.stderrText()).toContain('--listen must be host:port');
    expect(parseListen(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('[::1]:5353')).toEqual({ host: '::1', port: 5353 });
    expect(() => parseListen('lab.test:53')).toThrow('--listen needs an IP address');
    expect(() => parseListen('127.0.0.1:70000')).toThrow('--listen must be host:port');
  });
});
