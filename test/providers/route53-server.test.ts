/**
 * The local Route 53 server, tested THROUGH the real @aws-sdk/client-route-53 over HTTP: if the SDK can read
 * what the server writes (and surfaces its errors as it would the real service's), adapters tested against
 * it are tested against Route 53's contract, not against our idea of it.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  Route53ServiceException,
  type Change,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import http from 'node:http';
import { TokenBucket } from './route53-server/rate-limiter';
import {
  recordSetKey,
  Route53TestServerError,
  startRoute53Server,
  type R53RecordSet,
  type Route53ServerOptions,
  type Route53TestServer,
} from './route53-server';
import { waitFor } from '../support/wait-for';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const servers: Route53TestServer[] = [];
const clients: Route53Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options?: Route53ServerOptions): Promise<Route53TestServer> {
  const server = await startRoute53Server(options);
  servers.push(server);
  return server;
}

/** `maxAttempts: 1` by default so the SDK's own retries never hide the server's raw answer. */
function clientFor(server: Route53TestServer, maxAttempts = 1): Route53Client {
  const client = new Route53Client({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
    maxAttempts,
  });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<Route53ServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Route53ServiceException) return error;
    throw error;
  }
  throw new Error('expected the call to fail, it succeeded');
}

function plain(name: string, type: string, ttl: number, values: string[]): ResourceRecordSet {
  return {
    Name: name,
    Type: type as ResourceRecordSet['Type'],
    TTL: ttl,
    ResourceRecords: values.map((Value) => ({ Value })),
  };
}

function change(action: Change['Action'], set: ResourceRecordSet): Change {
  return { Action: action, ResourceRecordSet: set };
}

async function submit(client: Route53Client, zoneId: string, changes: Change[]) {
  return client.send(
    new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }),
  );
}

/** A request the SDK would never send (unsigned, malformed): plain node:http to the loopback server. */
function rawRequest(
  server: Route53TestServer,
  method: string,
  path: string,
  body = '',
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${server.endpoint}${path}`,
      { method, headers, agent: false },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function listAll(
  client: Route53Client,
  zoneId: string,
  maxItems?: number,
): Promise<ResourceRecordSet[]> {
  const sets: ResourceRecordSet[] = [];
  let page: ListResourceRecordSetsCommandOutput | undefined;
  do {
    page = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        MaxItems: maxItems,
        StartRecordName: page?.NextRecordName,
        StartRecordType: page?.NextRecordType,
        StartRecordIdentifier: page?.NextRecordIdentifier,
      }),
    );
    sets.push(...(page.ResourceRecordSets ?? []));
  } while (page.IsTruncated === true);
  return sets;
}

describe('hosted zones', () => {
  it('answers GetHostedZone with the zone, its record count and four name servers', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('Example.COM');
    expect(zoneId).toMatch(/^Z[0-9A-Z]+$/);

    const answer = await clientFor(server).send(new GetHostedZoneCommand({ Id: `/hostedzone/${zoneId}` }));

    expect(answer.HostedZone).toMatchObject({
      Id: `/hostedzone/${zoneId}`,
      Name: 'example.com.',
      Config: { PrivateZone: false },
      ResourceRecordSetCount: 2,
    });
    expect(answer.DelegationSet?.NameServers).toHaveLength(4);
  });

  it('starts a zone with its NS and SOA sets, as AWS does', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');

    const sets = await listAll(clientFor(server), zoneId);

    expect(sets.map((set) => [set.Name, set.Type, set.TTL])).toEqual([
      ['example.com.', 'NS', 172800],
      ['example.com.', 'SOA', 900],
    ]);
    expect(server.recordSets(zoneId).map((set) => `${set.name} ${set.type}`)).toEqual([
      'example.com NS',
      'example.com SOA',
    ]);
  });

  it('answers an unknown zone with 404 NoSuchHostedZone on every zone operation', async () => {
    const server = await start();
    const client = clientFor(server);

    const errors = [
      await failure(client.send(new GetHostedZoneCommand({ Id: 'ZNOTHERE' }))),
      await failure(client.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOTHERE' }))),
      await failure(
        submit(client, 'ZNOTHERE', [change('UPSERT', plain('a.example.com', 'A', 60, ['192.0.2.1']))]),
      ),
    ];

    for (const error of errors) {
      expect(error.name).toBe('NoSuchHostedZone');
      expect(error.$metadata.httpStatusCode).toBe(404);
      expect(error.message).toContain('ZNOTHERE');
    }
  });

  it('refuses operations it does not implement with a message that says so', async () => {
    const server = await start();

    const error = await failure(clientFor(server).send(new ListHostedZonesCommand({})));

    expect(error.name).toBe('UnsupportedOperation');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain('GET /2013-04-01/hostedzone');
  });

  it('answers an unsigned request with 403 MissingAuthenticationToken', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');

    const answer = await rawRequest(server, 'GET', `/2013-04-01/hostedzone/${zoneId}`);

    expect(answer.status).toBe(403);
    expect(answer.body).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('answers malformed XML and DOCTYPEs with MalformedInput and changes nothing', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const path = `/2013-04-01/hostedzone/${zoneId}/rrset/`;
    const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST/test' };
    const before = server.recordSets(zoneId);

    const unclosed = await rawRequest(
      server,
      'POST',
      path,
      '<ChangeResourceRecordSetsRequest><ChangeBatch>',
      signed,
    );
    const doctype = await rawRequest(
      server,
      'POST',
      path,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ChangeResourceRecordSetsRequest/>',
      signed,
    );
    const wrongRoot = await rawRequest(server, 'POST', path, '<ChangeBatch/>', signed);

    for (const answer of [unclosed, doctype, wrongRoot]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('<Code>MalformedInput</Code>');
    }
    expect(doctype.body).toContain('DOCTYPE is not allowed');
    expect(server.recordSets(zoneId)).toEqual(before);
  });
});

describe('ChangeResourceRecordSets', () => {
  it('creates a record set and answers with a PENDING change', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const before = Date.now();

    const answer = await submit(clientFor(server), zoneId, [
      change('CREATE', plain('API.example.com', 'A', 60, ['192.0.2.1'])),
    ]);

    expect(answer.ChangeInfo?.Id).toMatch(/^\/change\/C[0-9A-Z]+$/);
    expect(answer.ChangeInfo?.Status).toBe('PENDING');
    expect(answer.ChangeInfo?.SubmittedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(server.recordSets(zoneId)).toContainEqual({
      name: 'api.example.com',
      type: 'A',
      ttl: 60,
      values: ['192.0.2.1'],
    });
    const listed = await listAll(clientFor(server), zoneId);
    expect(listed).toContainEqual(plain('api.example.com.', 'A', 60, ['192.0.2.1']));
  });

  it('refuses to CREATE a set that exists, with the message AWS uses', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1']))]);

    const error = await failure(
      submit(client, zoneId, [change('CREATE', plain('api.example.com.', 'A', 60, ['192.0.2.9']))]),
    );

    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      "[Tried to create resource record set [name='api.example.com.', type='A'] but it already exists]",
    );
    expect(server.recordSets(zoneId)).toContainEqual({
      name: 'api.example.com',
      type: 'A',
      ttl: 60,
      values: ['192.0.2.1'],
    });
  });

  it('UPSERT creates a missing set and replaces an existing one', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);

    await submit(client, zoneId, [change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.1']))]);
    await submit(client, zoneId, [
      change('UPSERT', plain('api.example.com', 'A', 30, ['192.0.2.2', '192.0.2.3'])),
    ]);

    const api = server.recordSets(zoneId).filter((set) => set.name === 'api.example.com');
    expect(api).toEqual([
      { name: 'api.example.com', type: 'A', ttl: 30, values: ['192.0.2.2', '192.0.2.3'] },
    ]);
  });

  it('DELETE needs the exact TTL and values (in any order) and says which check failed', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [
      change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1', '192.0.2.2'])),
    ]);

    const wrongTtl = await failure(
      submit(client, zoneId, [
        change('DELETE', plain('api.example.com', 'A', 300, ['192.0.2.1', '192.0.2.2'])),
      ]),
    );
    const wrongValues = await failure(
      submit(client, zoneId, [change('DELETE', plain('api.example.com', 'A', 60, ['192.0.2.1']))]),
    );
    const missing = await failure(
      submit(client, zoneId, [change('DELETE', plain('www.example.com', 'A', 60, ['192.0.2.1']))]),
    );

    const mismatch =
      "[Tried to delete resource record set [name='api.example.com.', type='A'] but the values provided do not match the current values]";
    expect(wrongTtl.message).toBe(mismatch);
    expect(wrongValues.message).toBe(mismatch);
    expect(missing.message).toBe(
      "[Tried to delete resource record set [name='www.example.com.', type='A'] but it was not found]",
    );

    await submit(client, zoneId, [
      change('DELETE', plain('api.example.com', 'A', 60, ['192.0.2.2', '192.0.2.1'])),
    ]);
    expect(server.recordSets(zoneId).some((set) => set.name === 'api.example.com')).toBe(false);
  });

  it('is all or nothing: one bad change rejects the batch, reports every problem and changes nothing', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1']))]);
    const before = server.recordSets(zoneId);
    const acceptedBefore = server.stats().acceptedChanges;

    const error = await failure(
      submit(client, zoneId, [
        change('UPSERT', plain('new.example.com', 'A', 60, ['192.0.2.5'])),
        change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.6'])),
        change('DELETE', plain('gone.example.com', 'A', 60, ['192.0.2.7'])),
        change('CREATE', plain('api.example.com', 'AAAA', 60, ['not-an-address'])),
      ]),
    );

    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe(
      "[Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found, " +
        "Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address) encountered with 'not-an-address'']",
    );
    expect(server.recordSets(zoneId)).toEqual(before);
    expect(server.stats().acceptedChanges).toBe(acceptedBefore);
    const recorded = server.requests[server.requests.length - 1];
    expect(recorded).toMatchObject({
      operation: 'ChangeResourceRecordSets',
      accepted: false,
      errorCode: 'InvalidChangeBatch',
    });
    expect(recorded?.batch?.changes.map((c) => `${c.action} ${c.recordSet.name}`)).toEqual([
      'UPSERT new.example.com',
      'UPSERT api.example.com',
      'DELETE gone.example.com',
      'CREATE api.example.com',
    ]);
  });

  it('allows DELETE then CREATE of one set in a batch, and rejects any other pair of changes to one set', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1']))]);

    await submit(client, zoneId, [
      change('DELETE', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
      change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.2'])),
    ]);
    const twice = await failure(
      submit(client, zoneId, [
        change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.3'])),
        change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.4'])),
      ]),
    );

    expect(server.recordSets(zoneId)).toContainEqual({
      name: 'api.example.com',
      type: 'A',
      ttl: 60,
      values: ['192.0.2.2'],
    });
    expect(twice.message).toBe(
      "[The request contains an invalid set of changes for a resource record set 'A api.example.com.']",
    );
  });

  it('keeps a CNAME alone at its name and off the apex', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [
      change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
      change('CREATE', plain('www.example.com', 'CNAME', 60, ['api.example.com'])),
    ]);

    const cnameOverA = await failure(
      submit(client, zoneId, [change('CREATE', plain('api.example.com', 'CNAME', 60, ['x.example.net']))]),
    );
    const txtBesideCname = await failure(
      submit(client, zoneId, [change('CREATE', plain('www.example.com', 'TXT', 60, ['"hello"']))]),
    );
    const apex = await failure(
      submit(client, zoneId, [change('CREATE', plain('example.com', 'CNAME', 60, ['x.example.net']))]),
    );

    expect(cnameOverA.message).toBe(
      '[RRSet of type CNAME with DNS name api.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.]',
    );
    expect(txtBesideCname.message).toBe(
      '[RRSet of type TXT with DNS name www.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone example.com.]',
    );
    expect(apex.message).toBe(
      '[RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]',
    );

    // Replacing the A by a CNAME in one batch is fine: the rule holds on the batch's result.
    await submit(client, zoneId, [
      change('DELETE', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
      change('CREATE', plain('api.example.com', 'CNAME', 60, ['x.example.net'])),
    ]);
    expect(server.recordSets(zoneId)).toContainEqual({
      name: 'api.example.com',
      type: 'CNAME',
      ttl: 60,
      values: ['x.example.net'],
    });
  });

  it('rejects names outside the zone, invalid values and deleting the zone NS', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const [ns] = server.recordSets(zoneId).filter((set) => set.type === 'NS');

    const outside = await failure(
      submit(client, zoneId, [change('CREATE', plain('api.example.org', 'A', 60, ['192.0.2.1']))]),
    );
    const badValues = await failure(
      submit(client, zoneId, [
        change('CREATE', plain('a.example.com', 'A', 60, ['192.0.2', '192.0.2.1', '192.0.2.1'])),
        change('CREATE', plain('t.example.com', 'TXT', 60, ['unquoted'])),
      ]),
    );
    const apexNs = await failure(
      submit(client, zoneId, [change('DELETE', plain('example.com', 'NS', ns?.ttl ?? 0, ns?.values ?? []))]),
    );

    expect(outside.message).toBe(
      '[RRSet with DNS name api.example.org. is not permitted in zone example.com.]',
    );
    expect(badValues.message).toBe(
      "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2'', " +
        "Duplicate Resource Record: '192.0.2.1', " +
        "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'unquoted'']",
    );
    expect(apexNs.message).toBe('[A HostedZone must contain at least one NS record for the zone itself.]');
  });

  it('rejects malformed shapes with InvalidInput, as AWS does before looking at the zone', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);

    const noData = await failure(
      submit(client, zoneId, [change('CREATE', { Name: 'a.example.com', Type: 'A' })]),
    );
    const aliasAndTtl = await failure(
      submit(client, zoneId, [
        change('CREATE', {
          ...plain('a.example.com', 'A', 60, ['192.0.2.1']),
          AliasTarget: {
            HostedZoneId: 'Z35SXDOTRQ7X7K',
            DNSName: 'lb.example.net',
            EvaluateTargetHealth: false,
          },
        }),
      ]),
    );
    const weightOnly = await failure(
      submit(client, zoneId, [
        change('CREATE', { ...plain('a.example.com', 'A', 60, ['192.0.2.1']), Weight: 5 }),
      ]),
    );
    const identifierOnly = await failure(
      submit(client, zoneId, [
        change('CREATE', { ...plain('a.example.com', 'A', 60, ['192.0.2.1']), SetIdentifier: 'blue' }),
      ]),
    );
    const empty = await failure(submit(client, zoneId, []));

    for (const error of [noData, aliasAndTtl, weightOnly, identifierOnly, empty]) {
      expect(error.name).toBe('InvalidInput');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(noData.message).toBe(
      'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], ' +
        'but found none in Change with [Action=CREATE, Name=a.example.com., Type=A, SetIdentifier=null]',
    );
    expect(aliasAndTtl.message).toContain('but found more than one in Change with');
    expect(weightOnly.message).toBe(
      "Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name=a.example.com., Type=A, SetIdentifier=null]",
    );
    expect(identifierOnly.message).toContain('Expected exactly one of [Weight, Region, Failover');
    expect(empty.message).toContain("at 'changeBatch.changes' failed to satisfy constraint");
    expect(server.stats().acceptedChanges).toBe(0);
  });
});

describe('weighted and alias record sets', () => {
  const weighted = (pool: string, weight: number, ttl = 60): ResourceRecordSet => ({
    ...plain('api.example.com', 'A', ttl, [pool === 'pool-a' ? '192.0.2.1' : '198.51.100.1']),
    SetIdentifier: pool,
    Weight: weight,
  });

  it('round-trips weighted sets and weighted alias sets through the SDK', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const lbAlias: ResourceRecordSet = {
      Name: 'api.example.com',
      Type: 'A',
      SetIdentifier: 'pool-lb',
      Weight: 50,
      AliasTarget: {
        HostedZoneId: '/hostedzone/Z35SXDOTRQ7X7K',
        DNSName: 'Dualstack.My-LB-123.us-east-1.elb.amazonaws.com',
        EvaluateTargetHealth: true,
      },
    };

    await submit(client, zoneId, [
      change('CREATE', weighted('pool-a', 100)),
      change('CREATE', weighted('pool-b', 0)),
      change('CREATE', lbAlias),
    ]);
    const listed = (await listAll(client, zoneId)).filter((set) => set.Name === 'api.example.com.');

    expect(listed).toEqual([
      { ...weighted('pool-a', 100), Name: 'api.example.com.' },
      { ...weighted('pool-b', 0), Name: 'api.example.com.' },
      {
        Name: 'api.example.com.',
        Type: 'A',
        SetIdentifier: 'pool-lb',
        Weight: 50,
        AliasTarget: {
          HostedZoneId: 'Z35SXDOTRQ7X7K',
          DNSName: 'dualstack.my-lb-123.us-east-1.elb.amazonaws.com.',
          EvaluateTargetHealth: true,
        },
      },
    ]);
    expect(server.recordSets(zoneId).filter((set) => set.name === 'api.example.com')).toEqual([
      {
        name: 'api.example.com',
        type: 'A',
        ttl: 60,
        values: ['192.0.2.1'],
        setIdentifier: 'pool-a',
        weight: 100,
      },
      {
        name: 'api.example.com',
        type: 'A',
        ttl: 60,
        values: ['198.51.100.1'],
        setIdentifier: 'pool-b',
        weight: 0,
      },
      {
        name: 'api.example.com',
        type: 'A',
        setIdentifier: 'pool-lb',
        weight: 50,
        alias: {
          hostedZoneId: 'Z35SXDOTRQ7X7K',
          dnsName: 'dualstack.my-lb-123.us-east-1.elb.amazonaws.com',
          evaluateTargetHealth: true,
        },
      },
    ]);

    // Draining a pool is an UPSERT of its weight; deleting needs the current weight.
    await submit(client, zoneId, [change('UPSERT', weighted('pool-a', 0))]);
    const staleWeight = await failure(submit(client, zoneId, [change('DELETE', weighted('pool-a', 100))]));
    expect(staleWeight.message).toContain(
      "[name='api.example.com.', type='A', set-identifier='pool-a'] but the values provided do not match",
    );
    await submit(client, zoneId, [change('DELETE', weighted('pool-a', 0))]);
    expect(server.recordSets(zoneId).map((set) => set.setIdentifier)).not.toContain('pool-a');
  });

  it('keeps weighted and plain sets of one name and type apart, with one TTL per weighted group', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    await submit(client, zoneId, [
      change('CREATE', weighted('pool-a', 100)),
      change('CREATE', plain('www.example.com', 'A', 60, ['192.0.2.9'])),
    ]);

    const plainBesideWeighted = await failure(
      submit(client, zoneId, [change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.3']))]),
    );
    const weightedBesidePlain = await failure(
      submit(client, zoneId, [
        change('CREATE', {
          ...plain('www.example.com', 'A', 60, ['192.0.2.3']),
          SetIdentifier: 'x',
          Weight: 1,
        }),
      ]),
    );
    const otherTtl = await failure(submit(client, zoneId, [change('CREATE', weighted('pool-b', 0, 300))]));

    expect(plainBesideWeighted.message).toBe(
      '[RRSet with DNS name api.example.com., type A cannot be created as other RRSets exist with the same name and type.]',
    );
    expect(weightedBesidePlain.message).toBe(
      '[RRSet with DNS name www.example.com., type A, SetIdentifier x cannot be created as a non-weighted set exists with the same name and type.]',
    );
    expect(otherTtl.message).toBe(
      '[RRSet with DNS name api.example.com. and type A, SetIdentifier pool-b cannot be created as weighted sets must contain the same TTL.]',
    );

    // Moving the whole group to a new TTL in one batch is accepted.
    await submit(client, zoneId, [
      change('UPSERT', weighted('pool-a', 100, 300)),
      change('CREATE', weighted('pool-b', 0, 300)),
    ]);
    expect(
      server
        .recordSets(zoneId)
        .filter((set) => set.setIdentifier !== undefined)
        .map((set) => set.ttl),
    ).toEqual([300, 300]);
  });

  it('checks alias targets that live in a zone it serves', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const aliasTo = (dnsName: string): ResourceRecordSet => ({
      Name: 'www.example.com',
      Type: 'A',
      AliasTarget: { HostedZoneId: zoneId, DNSName: dnsName, EvaluateTargetHealth: false },
    });

    const missing = await failure(submit(client, zoneId, [change('CREATE', aliasTo('api.example.com'))]));
    await submit(client, zoneId, [
      change('CREATE', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
      change('CREATE', aliasTo('api.example.com')),
    ]);

    expect(missing.message).toBe(
      `[Tried to create an alias that targets api.example.com., type A in zone ${zoneId}, but that target was not found]`,
    );
    expect(server.recordSets(zoneId)).toContainEqual({
      name: 'www.example.com',
      type: 'A',
      alias: { hostedZoneId: zoneId, dnsName: 'api.example.com', evaluateTargetHealth: false },
    });
  });
});

describe('ListResourceRecordSets', () => {
  it('sorts by reversed labels (with the trailing dot), then type, then set identifier', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    server.seed(zoneId, [
      { name: 'b.example.com', type: 'A', ttl: 60, values: ['192.0.2.2'] },
      { name: 'z.a.example.com', type: 'A', ttl: 60, values: ['192.0.2.3'] },
      { name: 'a.example.com', type: 'TXT', ttl: 60, values: ['"t"'] },
      { name: 'a.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'a-b.example.com', type: 'A', ttl: 60, values: ['192.0.2.4'] },
      { name: 'w.example.com', type: 'A', ttl: 60, values: ['192.0.2.6'], setIdentifier: 'green', weight: 1 },
      { name: 'w.example.com', type: 'A', ttl: 60, values: ['192.0.2.5'], setIdentifier: 'blue', weight: 1 },
    ]);

    const listed = (await listAll(clientFor(server), zoneId)).map((set) =>
      [set.Name, set.Type, set.SetIdentifier].filter((part) => part !== undefined).join(' '),
    );

    // '-' (45) sorts before '.' (46): that is the trailing-dot effect AWS documents.
    const expected = [
      'example.com. NS',
      'example.com. SOA',
      'a-b.example.com. A',
      'a.example.com. A',
      'a.example.com. TXT',
      'z.a.example.com. A',
      'b.example.com. A',
      'w.example.com. A blue',
      'w.example.com. A green',
    ];
    expect(listed).toEqual(expected);
    expect(
      server
        .recordSets(zoneId)
        .map((set) => [`${set.name}.`, set.type, set.setIdentifier].filter(Boolean).join(' ')),
    ).toEqual(expected);
  });

  it('pages with IsTruncated and Next* markers and returns every set exactly once', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const seeded: R53RecordSet[] = [];
    for (let index = 0; index < 250; index += 1) {
      seeded.push({
        name: `host-${String(index).padStart(3, '0')}.example.com`,
        type: 'A',
        ttl: 60,
        values: ['192.0.2.1'],
      });
    }
    for (const pool of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      seeded.push({
        name: 'pool.example.com',
        type: 'A',
        ttl: 60,
        values: ['192.0.2.2'],
        setIdentifier: pool,
        weight: 1,
      });
    }
    server.seed(zoneId, seeded);
    const client = clientFor(server);

    const firstPage = await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    const byTwo = await listAll(client, zoneId, 2);
    const byDefault = await listAll(client, zoneId);
    const capped = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, MaxItems: 1000 }),
    );

    expect(firstPage.ResourceRecordSets).toHaveLength(100);
    expect(firstPage.IsTruncated).toBe(true);
    expect(firstPage.MaxItems).toBe(100);
    expect(firstPage.NextRecordName).toBe(`${server.recordSets(zoneId)[100]?.name}.`);
    expect(capped.ResourceRecordSets).toHaveLength(257);
    expect(capped.MaxItems).toBe(300);
    const stored = server
      .recordSets(zoneId)
      .map((set) => `${set.name}. ${set.type} ${set.setIdentifier ?? ''}`);
    const key = (set: ResourceRecordSet) => `${set.Name} ${set.Type} ${set.SetIdentifier ?? ''}`;
    expect(byTwo.map(key)).toEqual(stored);
    expect(byDefault.map(key)).toEqual(stored);
    // Paging by two crosses the weighted group, so NextRecordIdentifier must have been used.
    const identifierPages = server.requests.filter((request) => request.url.includes('identifier='));
    expect(identifierPages.length).toBeGreaterThan(0);
  });

  it('starts at StartRecordName / StartRecordType and refuses a type without a name', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    server.seed(zoneId, [
      { name: 'a.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] },
      { name: 'b.example.com', type: 'A', ttl: 60, values: ['192.0.2.2'] },
      { name: 'b.example.com', type: 'TXT', ttl: 60, values: ['"b"'] },
    ]);
    const client = clientFor(server);

    const fromB = await client.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: 'b.example.com' }),
    );
    const fromBTxt = await client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: 'b.example.com.',
        StartRecordType: 'TXT',
      }),
    );
    const typeOnly = await failure(
      client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordType: 'A' })),
    );

    expect(fromB.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      'b.example.com. A',
      'b.example.com. TXT',
    ]);
    expect(fromBTxt.ResourceRecordSets?.map((set) => `${set.Name} ${set.Type}`)).toEqual([
      'b.example.com. TXT',
    ]);
    expect(typeOnly.name).toBe('InvalidInput');
  });
});

describe('per-request limits', () => {
  it('counts UPSERT twice against the 1,000 ResourceRecord limit', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const sets = Array.from({ length: 501 }, (_, index) =>
      plain(`h${index}.example.com`, 'A', 60, ['192.0.2.1']),
    );

    const upserts = await failure(
      submit(
        client,
        zoneId,
        sets.map((set) => change('UPSERT', set)),
      ),
    );
    await submit(
      client,
      zoneId,
      sets.map((set) => change('CREATE', set)),
    );

    expect(upserts.name).toBe('InvalidChangeBatch');
    expect(upserts.message).toBe('[Number of records limit of 1000 exceeded.]');
    expect(server.recordSets(zoneId)).toHaveLength(503);
  });

  it('counts UPSERT twice against the value-character limit, configurable per server', async () => {
    const server = await start({ limits: { maxResourceRecords: 1000, maxValueChars: 100 } });
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const txt = plain('t.example.com', 'TXT', 60, [`"${'x'.repeat(58)}"`]); // 60 characters

    const upsert = await failure(submit(client, zoneId, [change('UPSERT', txt)]));
    await submit(client, zoneId, [change('CREATE', txt)]);

    expect(upsert.message).toBe('[RDATA character limit of 100 exceeded.]');
    expect(server.recordSets(zoneId)).toContainEqual({
      name: 't.example.com',
      type: 'TXT',
      ttl: 60,
      values: [`"${'x'.repeat(58)}"`],
    });
  });
});

describe('GetChange', () => {
  it('answers PENDING until syncDelayMs has passed, then INSYNC', async () => {
    // Long enough that the first GetChange is PENDING even on a loaded machine; polling ends the wait early.
    const server = await start({ syncDelayMs: 2000 });
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const submitted = await submit(client, zoneId, [
      change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
    ]);
    const changeId = submitted.ChangeInfo?.Id ?? '';

    const first = await client.send(new GetChangeCommand({ Id: changeId }));
    expect(first.ChangeInfo).toMatchObject({ Id: changeId, Status: 'PENDING' });

    const inSync = await waitFor(
      async () => {
        const answer = await client.send(new GetChangeCommand({ Id: changeId }));
        return answer.ChangeInfo?.Status === 'INSYNC' ? answer : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the change to be INSYNC' },
    );
    expect(inSync.ChangeInfo?.SubmittedAt?.getTime()).toBe(submitted.ChangeInfo?.SubmittedAt?.getTime());
    expect(Date.now() - (submitted.ChangeInfo?.SubmittedAt?.getTime() ?? 0)).toBeGreaterThanOrEqual(2000);
  });

  it('answers an unknown change with 404 NoSuchChange', async () => {
    const server = await start();

    const error = await failure(
      clientFor(server).send(new GetChangeCommand({ Id: '/change/CNOSUCHCHANGE' })),
    );

    expect(error.name).toBe('NoSuchChange');
    expect(error.$metadata.httpStatusCode).toBe(404);
  });
});

describe('rate limit', () => {
  it('throttles what exceeds N requests per second with 400 Throttling "Rate exceeded"', async () => {
    const server = await start({ requestsPerSecond: 5 });
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const startedAt = Date.now();

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => client.send(new GetHostedZoneCommand({ Id: zoneId }))),
    );
    const elapsedSeconds = (Date.now() - startedAt) / 1000;

    const succeeded = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
    const rejected = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [outcome.reason as Route53ServiceException] : [],
    );
    // A full bucket (5) plus whatever refilled while the burst was being served.
    expect(succeeded).toBeGreaterThanOrEqual(5);
    expect(succeeded).toBeLessThanOrEqual(5 + Math.ceil(elapsedSeconds * 5));
    expect(rejected.length).toBe(20 - succeeded);
    for (const error of rejected) {
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(server.stats().throttled).toBe(rejected.length);
    expect(server.requests.filter((request) => request.rejectedBy === 'rate-limit')).toHaveLength(
      rejected.length,
    );

    // The bucket refills: a paced client gets through again.
    await waitFor(
      () =>
        client.send(new GetHostedZoneCommand({ Id: zoneId })).then(
          () => true,
          () => false,
        ),
      { timeoutMs: 10_000, intervalMs: 250, what: 'the rate limit to let a request through' },
    );
  });

  it('lifts the limit with setRequestsPerSecond(undefined)', async () => {
    const server = await start({ requestsPerSecond: 1 });
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    server.setRequestsPerSecond(undefined);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, () => client.send(new GetHostedZoneCommand({ Id: zoneId }))),
    );

    expect(outcomes.every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(server.stats().throttled).toBe(0);
  });

  it('is a token bucket holding one second of requests (fake clock)', () => {
    let now = 0;
    const bucket = new TokenBucket(4, () => now);

    const burst = Array.from({ length: 6 }, () => bucket.tryTake());
    now += 250; // one token back at 4/s
    const afterQuarterSecond = [bucket.tryTake(), bucket.tryTake()];
    now += 10_000; // idle: refills to capacity, never beyond
    const afterIdle = Array.from({ length: 6 }, () => bucket.tryTake());

    expect(burst).toEqual([true, true, true, true, false, false]);
    expect(afterQuarterSecond).toEqual([true, false]);
    expect(afterIdle).toEqual([true, true, true, true, false, false]);
    expect(() => bucket.setRate(0)).toThrow(Route53TestServerError);
  });
});

describe('fault injection', () => {
  it('fails the next N requests of one operation, which change nothing', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    server.injectFault({ operation: 'ChangeResourceRecordSets', code: 'PriorRequestNotComplete', count: 2 });
    const upsert = () =>
      submit(client, zoneId, [change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.1']))]);

    const first = await failure(upsert());
    await client.send(new GetHostedZoneCommand({ Id: zoneId })); // another operation: unaffected
    const second = await failure(upsert());
    expect(server.recordSets(zoneId).some((set) => set.name === 'api.example.com')).toBe(false);
    await upsert();

    for (const error of [first, second]) {
      expect(error.name).toBe('PriorRequestNotComplete');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toBe(
        'The request was rejected because Route 53 was still processing a prior request.',
      );
    }
    expect(server.stats()).toMatchObject({
      acceptedChanges: 1,
      appliedChanges: { [recordSetKey('api.example.com', 'A')]: 1 },
    });
    expect(
      server.requests.filter((request) => request.rejectedBy === 'fault').map((request) => request.accepted),
    ).toEqual([false, false]);
  });

  it('answers each injectable code with the status the real service uses', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);
    const expected = {
      Throttling: 400,
      PriorRequestNotComplete: 400,
      ServiceUnavailable: 503,
      InternalError: 500,
      AccessDenied: 403,
    } as const;

    for (const [code, status] of Object.entries(expected)) {
      server.injectFault({ code: code as keyof typeof expected });
      const error = await failure(client.send(new GetHostedZoneCommand({ Id: zoneId })));
      expect([error.name, error.$metadata.httpStatusCode]).toEqual([code, status]);
    }
    const accessDenied = server.requests[server.requests.length - 1];
    expect(accessDenied?.errorCode).toBe('AccessDenied');
    await client.send(new GetHostedZoneCommand({ Id: zoneId })); // count defaults to 1: all used up
  });

  it('fails a seeded, reproducible share of requests with `probability`', async () => {
    const run = async (): Promise<boolean[]> => {
      const server = await start();
      const zoneId = server.createHostedZone('example.com');
      const client = clientFor(server);
      server.injectFault({ code: 'Throttling', probability: 0.3, seed: 42 });
      const outcomes: boolean[] = [];
      for (let index = 0; index < 100; index += 1) {
        outcomes.push(
          await client.send(new GetHostedZoneCommand({ Id: zoneId })).then(
            () => true,
            () => false,
          ),
        );
      }
      expect(server.stats().throttled).toBe(outcomes.filter((ok) => !ok).length);
      return outcomes;
    };

    const first = await run();
    const second = await run();

    const failures = first.filter((ok) => !ok).length;
    expect(failures).toBeGreaterThanOrEqual(15);
    expect(failures).toBeLessThanOrEqual(45);
    expect(second).toEqual(first);
  });

  it('is retried by the SDK itself when the client keeps its default retries', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    server.injectFault({ operation: 'ChangeResourceRecordSets', code: 'Throttling', count: 1 });

    const answer = await submit(clientFor(server, 3), zoneId, [
      change('UPSERT', plain('api.example.com', 'A', 60, ['192.0.2.1'])),
    ]);

    expect(answer.$metadata.attempts).toBe(2);
    expect(server.requests.map((request) => [request.operation, request.accepted])).toEqual([
      ['ChangeResourceRecordSets', false],
      ['ChangeResourceRecordSets', true],
    ]);
    expect(server.stats().appliedChanges).toEqual({ [recordSetKey('api.example.com', 'A')]: 1 });
  });

  it('clearFaults removes pending faults; bad fault specs are refused', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    server.injectFault({ code: 'InternalError', count: 5 });
    server.clearFaults();

    await clientFor(server).send(new GetHostedZoneCommand({ Id: zoneId }));

    expect(() => server.injectFault({ code: 'Throttling', probability: 1.5 })).toThrow(/probability/);
    expect(() => server.injectFault({ code: 'Throttling', count: 0 })).toThrow(/count/);
  });
});

describe('test API', () => {
  it('refuses malformed seeds and unknown zones with typed errors', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');

    const errorOf = (action: () => unknown): Route53TestServerError | undefined => {
      try {
        action();
      } catch (error) {
        if (error instanceof Route53TestServerError) return error;
        throw error;
      }
      return undefined;
    };

    expect(
      errorOf(() =>
        server.seed(zoneId, [{ name: 'x.example.org', type: 'A', ttl: 60, values: ['192.0.2.1'] }]),
      )?.code,
    ).toBe('INVALID_RECORD_SET');
    expect(
      errorOf(() => server.seed(zoneId, [{ name: 'x.example.com', type: 'A', values: ['192.0.2.1'] }]))?.code,
    ).toBe('INVALID_RECORD_SET');
    expect(errorOf(() => server.recordSets('ZUNKNOWN'))?.code).toBe('UNKNOWN_ZONE');
    expect(errorOf(() => server.createHostedZone('not a name'))?.code).toBe('INVALID_ZONE_NAME');
  });

  it('counts applied changes per record set so a test can prove none landed twice', async () => {
    const server = await start();
    const zoneId = server.createHostedZone('example.com');
    const client = clientFor(server);

    await submit(client, zoneId, [
      change('CREATE', {
        ...plain('api.example.com', 'A', 60, ['192.0.2.1']),
        SetIdentifier: 'pool-a',
        Weight: 1,
      }),
      change('CREATE', plain('www.example.com', 'A', 60, ['192.0.2.1'])),
    ]);
    await submit(client, zoneId, [
      change('UPSERT', {
        ...plain('api.example.com', 'A', 60, ['192.0.2.1']),
        SetIdentifier: 'pool-a',
        Weight: 0,
      }),
    ]);
    await failure(
      submit(client, zoneId, [change('CREATE', plain('www.example.com', 'A', 60, ['192.0.2.1']))]),
    );

    expect(server.stats()).toEqual({
      requests: { ChangeResourceRecordSets: 3 },
      acceptedChanges: 2,
      throttled: 0,
      appliedChanges: {
        [recordSetKey('api.example.com', 'A', 'pool-a')]: 2,
        [recordSetKey('www.example.com', 'A')]: 1,
      },
    });
  });
});
