import type { ProviderTarget, Service } from '../../../src/config/types';
import {
  desiredRecordSets,
  initialDecision,
  managedNames,
  ownerRecordName,
  ownerRecordValue,
} from '../../../src/providers/desired-records';
import type { ProviderCapabilities } from '../../../src/providers/provider-adapter';
import { ProviderError } from '../../../src/providers/provider-errors';
import type { Decision } from '../../../src/quorum/types';
import { address, cname, conformanceService, decisionWithWeights } from '../conformance/conformance-service';
import { MEMORY_DEFAULT_LIMITS } from '../support/memory-adapter';
import { memoryProvider } from '../support/memory-harness';

const route53Like: ProviderCapabilities = {
  modes: ['rewrite', 'weights'],
  weightedStyle: 'set-per-pool',
  alias: true,
  limits: MEMORY_DEFAULT_LIMITS,
  updateCost: 2,
  requestsPerSecond: 5,
  hasSyncStatus: true,
};
const cloudDnsLike: ProviderCapabilities = {
  ...route53Like,
  weightedStyle: 'items-in-set',
  alias: false,
  updateCost: 1,
};

function svc(
  mode: ProviderTarget['mode'],
  extra: Partial<Parameters<typeof conformanceService>[0]> = {},
): Service {
  return conformanceService({
    name: 'web',
    dnsNames: ['WWW.Example.com.', 'api.example.com'],
    pools: [
      { name: 'east', targets: [address('192.0.2.11'), address('192.0.2.10')], weight: 3 },
      { name: 'west', targets: [address('198.51.100.20')], weight: 1 },
    ],
    provider: 'memory',
    zone: 'example.com',
    mode,
    ...extra,
  });
}

function desired(service: Service, decision: Decision, capabilities = route53Like, ownerRecords = false) {
  return desiredRecordSets({
    service,
    decision,
    target: service.providers[0] as ProviderTarget,
    provider: memoryProvider({ ownerRecords }),
    capabilities,
    deploymentId: 'prod-eu',
  });
}

describe('desiredRecordSets', () => {
  it('rewrite, failover: one set per name with the serving pool, names canonical and values sorted', () => {
    const service = svc('rewrite');
    expect(desired(service, initialDecision(service))).toEqual([
      { name: 'www.example.com', type: 'A', ttl: 30, values: ['192.0.2.10', '192.0.2.11'] },
      { name: 'api.example.com', type: 'A', ttl: 30, values: ['192.0.2.10', '192.0.2.11'] },
    ]);
    expect(desired(service, decisionWithWeights(service, { west: 1 }))[0]?.values).toEqual(['198.51.100.20']);
  });

  it('rewrite: every pool with weight > 0 contributes the endpoints the decision lists', () => {
    const service = svc('rewrite', { policy: 'all-healthy' });
    const decision: Decision = {
      pools: [
        { pool: 'east', weight: 1, endpoints: ['east-2'] },
        { pool: 'west', weight: 1, endpoints: ['west-1'] },
      ],
    };
    expect(desired(service, decision)[0]?.values).toEqual(['192.0.2.10', '198.51.100.20']);
  });

  it('rewrite, CNAME: the first serving endpoint only', () => {
    const service = svc('rewrite', {
      recordType: 'CNAME',
      pools: [
        { name: 'east', targets: [cname('East-LB.example.net.'), cname('east-lb2.example.net')] },
        { name: 'west', targets: [cname('west-lb.example.net')] },
      ],
    });
    expect(desired(service, initialDecision(service))[0]).toEqual({
      name: 'www.example.com',
      type: 'CNAME',
      ttl: 30,
      values: ['east-lb.example.net'],
    });
  });

  it('rewrite, alias: the first serving endpoint as an alias (ttl 0); refused where alias is not supported', () => {
    const alias = (dnsName: string) =>
      ({ kind: 'alias', hostedZoneId: 'Z35SXDOTRQ7X7K', dnsName, evaluateTargetHealth: true }) as const;
    const service = svc('rewrite', {
      pools: [
        { name: 'east', targets: [alias('East.elb.amazonaws.com.')] },
        { name: 'west', targets: [alias('west.elb.amazonaws.com')] },
      ],
    });
    expect(desired(service, decisionWithWeights(service, { west: 1 }))[0]).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 0,
      alias: {
        hostedZoneId: 'Z35SXDOTRQ7X7K',
        dnsName: 'west.elb.amazonaws.com',
        evaluateTargetHealth: true,
      },
    });
    expect(() => desired(service, initialDecision(service), cloudDnsLike)).toThrow(/cannot serve/);
  });

  it('weights, set-per-pool: one set per pool with its decision weight; a drained pool keeps its values', () => {
    const service = svc('weights', { policy: 'weighted' });
    const sets = desired(service, decisionWithWeights(service, { west: 1 }));
    expect(sets.filter((set) => set.name === 'www.example.com')).toEqual([
      {
        name: 'www.example.com',
        type: 'A',
        ttl: 30,
        setIdentifier: 'east',
        weight: 0,
        values: ['192.0.2.10', '192.0.2.11'],
      },
      {
        name: 'www.example.com',
        type: 'A',
        ttl: 30,
        setIdentifier: 'west',
        weight: 1,
        values: ['198.51.100.20'],
      },
    ]);
    expect(sets).toHaveLength(4);
  });

  it('weights: a pool the decision lists without endpoints keeps all of its own (a weighted set is never empty)', () => {
    const service = svc('weights', { policy: 'weighted' });
    const decision: Decision = {
      pools: [
        { pool: 'east', weight: 0, endpoints: [] },
        { pool: 'west', weight: 1, endpoints: ['west-1'] },
      ],
    };
    expect(desired(service, decision)[0]?.values).toEqual(['192.0.2.10', '192.0.2.11']);
  });

  it('weights, items-in-set: one set per name with wrr items in pool config order', () => {
    const service = svc('weights', { policy: 'weighted' });
    const sets = desired(service, decisionWithWeights(service, { east: 3 }), cloudDnsLike);
    expect(sets[0]).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 30,
      wrr: [
        { weight: 3, values: ['192.0.2.10', '192.0.2.11'] },
        { weight: 0, values: ['198.51.100.20'] },
      ],
    });
  });

  it('adds an owner TXT set per name when ownerRecords is on', () => {
    const service = svc('rewrite');
    const sets = desired(service, initialDecision(service), route53Like, true);
    expect(sets.slice(2)).toEqual([
      {
        name: '_quorumdns.www.example.com',
        type: 'TXT',
        ttl: 300,
        values: ['"heritage=quorumdns,deployment=prod-eu"'],
      },
      {
        name: '_quorumdns.api.example.com',
        type: 'TXT',
        ttl: 300,
        values: ['"heritage=quorumdns,deployment=prod-eu"'],
      },
    ]);
  });

  it('refuses a decision that serves nothing, a negative weight, and an unsupported mode', () => {
    const service = svc('rewrite');
    const error = (() => {
      try {
        desired(service, decisionWithWeights(service, {}));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe('REJECTED');
    expect((error as ProviderError).message).toMatch(/serves no endpoint/);
    expect(() => desired(service, decisionWithWeights(service, { east: -1 }))).toThrow(/non-negative/);
    const weightsService = svc('weights');
    expect(() =>
      desired(weightsService, initialDecision(weightsService), { ...route53Like, modes: ['rewrite'] }),
    ).toThrow(/does not support weights mode/);
  });
});

describe('owner records, managed names, initial decision', () => {
  it('names and values', () => {
    expect(ownerRecordName('API.example.com.')).toBe('_quorumdns.api.example.com');
    expect(ownerRecordValue('prod-eu')).toBe('"heritage=quorumdns,deployment=prod-eu"');
  });

  it('managed names: the dnsNames, then their owner names when ownerRecords', () => {
    const service = svc('rewrite');
    expect(managedNames(service, memoryProvider())).toEqual([
      'www.example.com',
      'api.example.com',
      '_quorumdns.www.example.com',
      '_quorumdns.api.example.com',
    ]);
    expect(managedNames(service, memoryProvider({ ownerRecords: false }))).toEqual([
      'www.example.com',
      'api.example.com',
    ]);
  });

  it('initial decision: failover serves the first pool; weighted keeps every configured weight', () => {
    expect(initialDecision(svc('rewrite')).pools.map((p) => p.weight)).toEqual([1, 0]);
    expect(initialDecision(svc('weights', { policy: 'weighted' })).pools.map((p) => p.weight)).toEqual([
      3, 1,
    ]);
  });
});
