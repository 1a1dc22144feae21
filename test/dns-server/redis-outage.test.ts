/**
 * The DNS server while its Redis restarts (a private redis-server, never the shared one): it keeps answering
 * from the zone it last loaded, says so once, and follows changes again once Redis is back.
 */
import { type DnsServer, startDnsServer } from '../../src/dns-server/dns-server';
import { LOCAL_LIMITS } from '../../src/providers/local/local-adapter';
import { LocalZoneStore } from '../../src/providers/local/local-zone-store';
import type { RecordSet } from '../../src/providers/record-set';
import { createRedisClient } from '../../src/redis/connect';
import { type PrivateRedis, startPrivateRedis } from '../support/redis-server';
import { waitFor } from '../support/wait-for';
import { answerData, query, udpExchange } from './support/dns-client';

jest.setTimeout(60_000);

const a = (values: string[]): RecordSet => ({ name: 'api.lab.test', type: 'A', ttl: 30, values });

describe('DNS server during a Redis outage', () => {
  let privateRedis: PrivateRedis;
  let server: DnsServer | undefined;
  const redisClients: Array<{ disconnect(): void }> = [];

  beforeAll(async () => {
    privateRedis = await startPrivateRedis({ persistent: true });
  });

  afterAll(async () => {
    await server?.close();
    for (const client of redisClients) client.disconnect();
    await privateRedis.dispose();
  });

  it('keeps answering from memory while Redis is down, and follows changes once it is back', async () => {
    const redis = createRedisClient(privateRedis.url, { commandTimeout: 1000, maxReconnectDelay: 200 });
    redisClients.push(redis);
    const store = new LocalZoneStore({
      redis,
      keyPrefix: 'qdns-outage',
      zone: 'lab.test',
      limits: LOCAL_LIMITS,
    });
    await waitFor(() => redis.status === 'ready', { what: 'Redis to connect' });
    await store.applyChanges([{ action: 'create', after: a(['192.0.2.1']) }]);
    const logged: string[] = [];
    server = await startDnsServer({
      redis,
      keyPrefix: 'qdns-outage',
      zones: ['lab.test'],
      refreshIntervalMs: 100,
      log: (level, message) => logged.push(`${level}: ${message}`),
    });
    const port = server.port;

    await privateRedis.stop();
    await waitFor(() => logged.some((line) => line.includes('serving the last loaded copy')), {
      what: 'the server to notice Redis is gone',
    });
    expect(answerData(await udpExchange(port, query('api.lab.test', 'A')))).toEqual(['192.0.2.1']);
    expect(logged.filter((line) => line.includes('serving the last loaded copy'))).toHaveLength(1);

    await privateRedis.start();
    await waitFor(
      async () => {
        try {
          await store.applyChanges([{ action: 'update', before: a(['192.0.2.1']), after: a(['192.0.2.2']) }]);
          return true;
        } catch {
          return false;
        }
      },
      { what: 'a change to apply after the restart', timeoutMs: 20_000, intervalMs: 100 },
    );
    await waitFor(
      async () => answerData(await udpExchange(port, query('api.lab.test', 'A'))).join() === '192.0.2.2',
      {
        what: 'the change made after the restart to be served',
        timeoutMs: 20_000,
      },
    );
    expect(logged).toContain('info: zone reloaded from Redis again');
  });
});
