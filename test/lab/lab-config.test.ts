/**
 * The generated lab config is an ordinary, valid quorumdns config with the shape the brief promises (and the
 * scenario relies on): three probe regions, a local zone served by the lab DNS server, a failover and a
 * weighted service over the data centers, short timings, a signed webhook channel, drill objectives.
 */
import { loadConfigFromString } from '../../src/config/load-config';
import { labConfigYaml } from '../../src/lab/lab-config';

const input = {
  keyPrefix: 'quorumdns:lab',
  redisUrl: 'redis://127.0.0.1:6390',
  dnsPort: 5399,
  receiverUrl: 'http://127.0.0.1:8799/',
  secretFile: '/tmp/quorumdns-lab-x/webhook-secret',
  dataCenters: [
    { name: 'dc-east', address: '127.0.0.11', host: '127.0.0.11', port: 41001 },
    { name: 'dc-west', address: '127.0.0.12', host: '127.0.0.12', port: 41002 },
    { name: 'dc-central', address: '127.0.0.13', host: '127.0.0.1', port: 41003 },
  ],
};

describe('labConfigYaml', () => {
  it('is a valid config with the lab services, timings, provider and channel', () => {
    const result = loadConfigFromString(labConfigYaml(input), 'lab.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    const { config } = result;
    expect(config.deployment).toMatchObject({
      id: 'lab',
      redis: { url: 'redis://127.0.0.1:6390', keyPrefix: 'quorumdns:lab' },
    });
    expect(config.probeRegions).toEqual(['lab-east', 'lab-west', 'lab-central']);
    expect(config.providers.lab).toMatchObject({
      type: 'local',
      zone: 'lab.test',
      nameServers: ['127.0.0.1:5399'],
    });
    expect(config.notifications['lab-webhook']).toMatchObject({
      type: 'webhook',
      url: 'http://127.0.0.1:8799/',
      secret: { kind: 'file', path: '/tmp/quorumdns-lab-x/webhook-secret' },
    });

    const api = config.services.api;
    expect(api).toMatchObject({
      dnsNames: ['api.lab.test'],
      policy: 'failover',
      failureThreshold: 2,
      successThreshold: 2,
    });
    expect(api?.pools.map((pool) => [pool.name, pool.priority])).toEqual([
      ['dc-east', 1],
      ['dc-west', 2],
    ]);
    expect(api?.safety.failbackAfter).toBe(8000);
    expect(api?.drill).toEqual({ failoverWithin: 20_000, failbackWithin: 60_000, notifyWithin: 20_000 });
    const east = api?.pools[0]?.endpoints[0];
    expect(east?.target).toEqual({ kind: 'address', address: '127.0.0.11' });
    expect(east?.check).toMatchObject({
      type: 'http',
      host: '127.0.0.11',
      port: 41001,
      path: '/healthz',
      interval: 1000,
    });

    const www = config.services.www;
    expect(www?.policy).toBe('weighted');
    expect(www?.providers).toEqual([{ provider: 'lab', zone: 'lab.test', mode: 'weights' }]);
    expect(www?.pools.map((pool) => [pool.name, pool.weight])).toEqual([
      ['dc-east', 50],
      ['dc-west', 30],
      ['dc-central', 20],
    ]);
    expect(www?.pools[2]?.endpoints[0]?.check).toMatchObject({ host: '127.0.0.1', port: 41003 });
  });

  it('leaves the Redis URL to REDIS_URL when it is not given (a shared Redis may carry credentials)', () => {
    const { redisUrl: _omitted, ...shared } = input;
    const result = loadConfigFromString(labConfigYaml({ ...shared, keyPrefix: 'quorumdns:lab-0a1b2c3d' }));
    if (!result.ok) throw new Error(JSON.stringify(result.problems, null, 2));
    expect(result.config.deployment.redis).toEqual({ keyPrefix: 'quorumdns:lab-0a1b2c3d' });
  });

  it('refuses fewer than three data centers', () => {
    expect(() => labConfigYaml({ ...input, dataCenters: input.dataCenters.slice(0, 2) })).toThrow(
      /three or more/,
    );
  });
});
