/**
 * The embedded authoritative DNS server against real Redis, queried over real UDP and TCP sockets with
 * dns-packet: apex records, CNAME chasing, NXDOMAIN / NODATA / REFUSED and the AA flag, truncation and EDNS,
 * weighted answers, malformed packets, TCP framing, and answers following a change of the zone.
 */
import dgram from 'node:dgram';
import dnsPacket, { type DecodedPacket, type OptAnswer, type SoaAnswer } from 'dns-packet';
import { Redis } from 'ioredis';
import { type DnsServer, startDnsServer } from '../../src/dns-server/dns-server';
import { LOCAL_LIMITS } from '../../src/providers/local/local-adapter';
import { LocalZoneStore } from '../../src/providers/local/local-zone-store';
import type { RecordSet } from '../../src/providers/record-set';
import { deleteKeys, randomPrefix, SHARED_REDIS_URL } from '../support/redis-test-keys';
import { waitFor } from '../support/wait-for';
import { answerData, query, type Reply, tcpExchange, tcpQuery, udpExchange } from './support/dns-client';
import { recordSet } from './support/record-set';

jest.setTimeout(30_000);

const ZONE = 'lab.test';

const set = recordSet;

const bigAddresses = Array.from({ length: 60 }, (_, i) => `10.0.0.${i + 1}`);

const ZONE_SETS: RecordSet[] = [
  set('api.lab.test', 'A', ['192.0.2.10', '192.0.2.11']),
  set('api.lab.test', 'TXT', ['"hello world"', '"part one" "part two"']),
  set('v6.lab.test', 'AAAA', ['2001:db8::1']),
  set('www.lab.test', 'CNAME', ['api.lab.test']),
  set('chain.lab.test', 'CNAME', ['www.lab.test']),
  set('out.lab.test', 'CNAME', ['lb.example.net']),
  set('dangling.lab.test', 'CNAME', ['nothere.lab.test']),
  set('_quorumdns.svc.lab.test', 'TXT', ['"heritage=quorumdns,deployment=lab"']),
  set('big.lab.test', 'A', bigAddresses),
  set('*.wild.lab.test', 'A', ['192.0.2.99']),
  set('weighted.lab.test', 'A', ['192.0.2.1'], { setIdentifier: 'east', weight: 3 }),
  set('weighted.lab.test', 'A', ['198.51.100.1'], { setIdentifier: 'west', weight: 1 }),
  set('weighted.lab.test', 'A', ['203.0.113.1'], { setIdentifier: 'drained', weight: 0 }),
  set('zero.lab.test', 'A', ['192.0.2.1'], { setIdentifier: 'east', weight: 0 }),
  set('zero.lab.test', 'A', ['198.51.100.1'], { setIdentifier: 'west', weight: 0 }),
];

const isAuthoritative = (reply: Reply): boolean => reply.packet.flag_aa;
const soaOf = (reply: Reply): SoaAnswer | undefined =>
  (reply.packet.authorities ?? []).find((record): record is SoaAnswer => record.type === 'SOA');
const optOf = (reply: Reply): OptAnswer | undefined =>
  (reply.packet.additionals ?? []).find((record): record is OptAnswer => record.type === 'OPT');

describe('quorumdns DNS server', () => {
  let redis: Redis;
  let prefix: string;
  let store: LocalZoneStore;
  let server: DnsServer;
  let port: number;
  const logged: string[] = [];

  beforeAll(async () => {
    redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
    prefix = randomPrefix('dns');
    store = new LocalZoneStore({ redis, keyPrefix: prefix, zone: ZONE, limits: LOCAL_LIMITS });
    await store.applyChanges(ZONE_SETS.map((after) => ({ action: 'create', after })));
    server = await startDnsServer({
      redis,
      keyPrefix: prefix,
      zones: [ZONE, 'second.test'],
      host: '127.0.0.1',
      port: 0,
      // Only the update message can make answers change quickly: the backstop is out of the picture.
      refreshIntervalMs: 60_000,
      log: (level, message, fields) => logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`),
    });
    port = server.port;
  });

  afterAll(async () => {
    await server?.close();
    await deleteKeys(redis, prefix);
    await redis.quit();
  });

  it('answers A records over UDP: authoritative, id and question echoed, RD copied, no RA', async () => {
    const reply = await udpExchange(port, query('api.lab.test', 'A', { id: 4242 }));

    expect(reply.rcode).toBe('NOERROR');
    expect(reply.packet.id).toBe(4242);
    expect(reply.packet.type).toBe('response');
    expect(isAuthoritative(reply)).toBe(true);
    expect(reply.packet.flag_rd).toBe(true);
    expect(reply.packet.flag_ra).toBe(false);
    expect(reply.packet.questions).toEqual([{ name: 'api.lab.test', type: 'A', class: 'IN' }]);
    expect(answerData(reply)).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(reply.packet.answers?.every((answer) => (answer as { ttl: number }).ttl === 30)).toBe(true);
  });

  it('keeps the spelling of the question name in the answer (0x20 case randomisation)', async () => {
    const reply = await udpExchange(port, query('aPi.LAB.tEst', 'A'));
    expect(reply.packet.answers?.map((answer) => answer.name)).toEqual(['aPi.LAB.tEst', 'aPi.LAB.tEst']);
  });

  it('answers AAAA and TXT (several character-strings in one record)', async () => {
    expect(answerData(await udpExchange(port, query('v6.lab.test', 'AAAA')), 'AAAA')).toEqual([
      '2001:db8::1',
    ]);
    const txt = await udpExchange(port, query('api.lab.test', 'TXT'));
    const strings = (txt.packet.answers ?? []).map((answer) =>
      ((answer as { data: Buffer[] }).data ?? []).map((buffer) => buffer.toString()),
    );
    expect(strings.sort()).toEqual([['hello world'], ['part one', 'part two']]);
  });

  it('synthesises SOA and NS at the apex, with the zone serial and ns1 glue', async () => {
    const soa = await udpExchange(port, query(ZONE, 'SOA'));
    const record = soa.packet.answers?.[0] as SoaAnswer;
    expect(isAuthoritative(soa)).toBe(true);
    expect(record.data.mname).toBe('ns1.lab.test');
    expect(record.data.serial).toBe(await store.serial());

    const ns = await udpExchange(port, query(ZONE, 'NS'));
    expect(answerData(ns, 'NS')).toEqual(['ns1.lab.test']);
    expect(ns.packet.additionals).toEqual([
      expect.objectContaining({ name: 'ns1.lab.test', type: 'A', data: '127.0.0.1' }),
    ]);
    expect(answerData(await udpExchange(port, query('ns1.lab.test', 'A')))).toEqual(['127.0.0.1']);
  });

  it('serves an empty zone with only its SOA and NS', async () => {
    const soa = await udpExchange(port, query('second.test', 'SOA'));
    expect(soa.rcode).toBe('NOERROR');
    expect((soa.packet.answers?.[0] as SoaAnswer).data.serial).toBe(0);
    const missing = await udpExchange(port, query('www.second.test', 'A'));
    expect(missing.rcode).toBe('NXDOMAIN');
  });

  it('follows CNAME chains inside the zone and stops at its edge', async () => {
    const chain = await udpExchange(port, query('chain.lab.test', 'A'));
    expect(chain.rcode).toBe('NOERROR');
    expect(chain.packet.answers?.map((answer) => `${answer.name} ${answer.type}`)).toEqual([
      'chain.lab.test CNAME',
      'www.lab.test CNAME',
      'api.lab.test A',
      'api.lab.test A',
    ]);

    const out = await udpExchange(port, query('out.lab.test', 'A'));
    expect(out.rcode).toBe('NOERROR');
    expect(answerData(out, 'CNAME')).toEqual(['lb.example.net']);
    expect(answerData(out, 'A')).toEqual([]);

    const cname = await udpExchange(port, query('www.lab.test', 'CNAME'));
    expect(cname.packet.answers?.map((answer) => answer.type)).toEqual(['CNAME']);
  });

  it('answers NXDOMAIN and NODATA with the SOA in the authority section, authoritatively', async () => {
    const nxdomain = await udpExchange(port, query('nope.lab.test', 'A'));
    expect(nxdomain.rcode).toBe('NXDOMAIN');
    expect(isAuthoritative(nxdomain)).toBe(true);
    expect(nxdomain.packet.answers).toEqual([]);
    expect(soaOf(nxdomain)?.name).toBe('lab.test');
    expect(soaOf(nxdomain)?.ttl).toBe(5);

    const nodata = await udpExchange(port, query('api.lab.test', 'AAAA'));
    expect(nodata.rcode).toBe('NOERROR');
    expect(isAuthoritative(nodata)).toBe(true);
    expect(nodata.packet.answers).toEqual([]);
    expect(soaOf(nodata)).toBeDefined();

    // `svc` has no records but `_quorumdns.svc` below it does: an empty non-terminal exists (RFC 8020).
    const emptyNonTerminal = await udpExchange(port, query('svc.lab.test', 'A'));
    expect(emptyNonTerminal.rcode).toBe('NOERROR');
    expect(soaOf(emptyNonTerminal)).toBeDefined();

    // A CNAME to a missing name: the chain is answered, the rcode is the last name's (RFC 6604).
    const dangling = await udpExchange(port, query('dangling.lab.test', 'A'));
    expect(dangling.rcode).toBe('NXDOMAIN');
    expect(answerData(dangling, 'CNAME')).toEqual(['nothere.lab.test']);
    expect(soaOf(dangling)).toBeDefined();
  });

  it('answers from a wildcard for names below it that do not exist', async () => {
    const reply = await udpExchange(port, query('anything.wild.lab.test', 'A'));
    expect(reply.rcode).toBe('NOERROR');
    expect(reply.packet.answers).toEqual([
      expect.objectContaining({ name: 'anything.wild.lab.test', type: 'A', data: '192.0.2.99' }),
    ]);
  });

  it('refuses names outside its zones and other classes, without the AA flag', async () => {
    const outside = await udpExchange(port, query('example.com', 'A'));
    expect(outside.rcode).toBe('REFUSED');
    expect(isAuthoritative(outside)).toBe(false);
    expect(outside.packet.answers).toEqual([]);

    const chaos = await udpExchange(port, query('version.bind', 'TXT', { class: 'CH' }));
    expect(chaos.rcode).toBe('REFUSED');
    // A zone that merely ends with the same letters is not inside it.
    expect((await udpExchange(port, query('notlab.test', 'A'))).rcode).toBe('REFUSED');
  });

  it('truncates a UDP answer above 512 bytes without EDNS, and honours the EDNS buffer size', async () => {
    const plain = await udpExchange(port, query('big.lab.test', 'A'));
    expect(plain.packet.flag_tc).toBe(true);
    expect(plain.packet.answers).toEqual([]);
    expect(plain.raw.length).toBeLessThanOrEqual(512);
    expect(plain.packet.questions?.[0]?.name).toBe('big.lab.test');

    const edns = await udpExchange(port, query('big.lab.test', 'A', { edns: 4096 }));
    expect(edns.packet.flag_tc).toBe(false);
    expect(answerData(edns)).toEqual([...bigAddresses].sort());
    expect(edns.raw.length).toBeGreaterThan(512);
    expect(optOf(edns)?.udpPayloadSize).toBe(1232);

    const small = await udpExchange(port, query('big.lab.test', 'A', { edns: 1024 }));
    expect(small.packet.flag_tc).toBe(true);
    expect(small.raw.length).toBeLessThanOrEqual(1024);
    expect(optOf(small)).toBeDefined();

    const overTcp = await tcpQuery(port, query('big.lab.test', 'A'));
    expect(overTcp.packet.flag_tc).toBe(false);
    expect(answerData(overTcp)).toHaveLength(60);
  });

  it('answers an unknown EDNS version with BADVERS', async () => {
    const reply = await udpExchange(port, query('api.lab.test', 'A', { edns: 1232, ednsVersion: 1 }));
    expect(optOf(reply)?.extendedRcode).toBe(1);
    expect(reply.packet.answers).toEqual([]);
  });

  it('answers two queries on one TCP connection, frames split and joined across writes', async () => {
    const first = dnsPacket.streamEncode(query('api.lab.test', 'A', { id: 1001 }));
    const second = dnsPacket.streamEncode(query('v6.lab.test', 'AAAA', { id: 1002 }));
    const bytes = Buffer.concat([first, second]);
    // One write holds the first frame's length byte only, the next the rest of it and all of the second.
    const { replies } = await tcpExchange(port, [bytes.subarray(0, 1), bytes.subarray(1)], 2);

    expect(replies.map((reply) => reply.packet.id)).toEqual([1001, 1002]);
    expect(answerData(replies[0] as Reply)).toEqual(['192.0.2.10', '192.0.2.11']);
    expect(answerData(replies[1] as Reply, 'AAAA')).toEqual(['2001:db8::1']);
  });

  it('survives malformed packets: FORMERR when the header is readable, silence when not', async () => {
    // A header announcing one question, then nothing.
    const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
    const formerr = await udpExchange(port, header);
    expect(formerr.packet.id).toBe(0x1234);
    expect(formerr.rcode).toBe('FORMERR');

    // A question whose name runs past the end, and a pointer loop.
    const pastEnd = Buffer.concat([header, Buffer.from([0x3f, 0x61, 0x62])]);
    expect((await udpExchange(port, pastEnd)).rcode).toBe('FORMERR');
    const loop = Buffer.concat([header, Buffer.from([0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01])]);
    expect((await udpExchange(port, loop)).rcode).toBe('FORMERR');

    // Too short to be DNS: dropped. Sent, then a real query proves the server is still there.
    const garbage = dnsPacket.encode(query('api.lab.test', 'A')).subarray(0, 5);
    await new Promise<void>((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.send(garbage, port, '127.0.0.1', (error) => {
        socket.close();
        if (error) reject(error);
        else resolve();
      });
    });

    // Over TCP: a malformed message gets FORMERR and the connection goes on; a zero length closes it.
    const framedHeader = Buffer.concat([Buffer.from([0, header.length]), header]);
    const good = dnsPacket.streamEncode(query('api.lab.test', 'A', { id: 7 }));
    const tcp = await tcpExchange(port, [Buffer.concat([framedHeader, good])], 2);
    expect(tcp.replies.map((reply) => reply.rcode)).toEqual(['FORMERR', 'NOERROR']);
    const closed = await tcpExchange(port, [Buffer.from([0, 0])], 1);
    expect(closed.closedByServer).toBe(true);

    expect(answerData(await udpExchange(port, query('api.lab.test', 'A')))).toEqual([
      '192.0.2.10',
      '192.0.2.11',
    ]);
    expect(answerData(await tcpQuery(port, query('api.lab.test', 'A')))).toEqual([
      '192.0.2.10',
      '192.0.2.11',
    ]);
  });

  it('answers weighted sets like Route 53: one set per query, by weight, never a weight-0 set', async () => {
    const counts = new Map<string, number>();
    const total = 400;
    for (let i = 0; i < total; i += 1) {
      const reply = await udpExchange(port, query('weighted.lab.test', 'A'));
      const data = answerData(reply);
      expect(data).toHaveLength(1);
      counts.set(data[0] as string, (counts.get(data[0] as string) ?? 0) + 1);
    }
    expect(counts.get('203.0.113.1')).toBeUndefined();
    // east has weight 3 of 4: expected 300 of 400, standard deviation ~8.7; the bound is over 6 deviations.
    const east = counts.get('192.0.2.1') ?? 0;
    expect(east).toBeGreaterThan(240);
    expect(east).toBeLessThan(360);
    expect(east + (counts.get('198.51.100.1') ?? 0)).toBe(total);
  });

  it('answers with every set, one at a time, when all weights are 0', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100 && seen.size < 2; i += 1) {
      const data = answerData(await udpExchange(port, query('zero.lab.test', 'A')));
      expect(data).toHaveLength(1);
      seen.add(data[0] as string);
    }
    expect([...seen].sort()).toEqual(['192.0.2.1', '198.51.100.1']);
  });

  it('answers the new records soon after a change is applied (update message, not the backstop)', async () => {
    await store.applyChanges([{ action: 'create', after: set('moving.lab.test', 'A', ['192.0.2.50']) }]);
    await waitFor(
      async () => answerData(await udpExchange(port, query('moving.lab.test', 'A')))[0] === '192.0.2.50',
      {
        what: 'the created record to be served',
        timeoutMs: 5_000,
      },
    );

    const before = await store.serial();
    await store.applyChanges([
      {
        action: 'update',
        before: set('moving.lab.test', 'A', ['192.0.2.50']),
        after: set('moving.lab.test', 'A', ['198.51.100.50']),
      },
    ]);
    await waitFor(
      async () => answerData(await udpExchange(port, query('moving.lab.test', 'A')))[0] === '198.51.100.50',
      {
        what: 'the updated record to be served',
        timeoutMs: 5_000,
      },
    );
    const soa = await udpExchange(port, query(ZONE, 'SOA'));
    expect((soa.packet.answers?.[0] as SoaAnswer).data.serial).toBe(before + 1);
    expect(server.zones()).toContainEqual({ zone: ZONE, serial: before + 1 });

    await store.applyChanges([{ action: 'delete', before: set('moving.lab.test', 'A', ['198.51.100.50']) }]);
    await waitFor(async () => (await udpExchange(port, query('moving.lab.test', 'A'))).rcode === 'NXDOMAIN', {
      what: 'the deleted record to be gone',
      timeoutMs: 5_000,
    });
  });

  it('serves around a corrupt record in the store and logs it', async () => {
    await redis.hset(store.recordsKey, 'broken.lab.test\tA\t', 'not json');
    await store.seed([set('fine.lab.test', 'A', ['192.0.2.77'])]);
    await waitFor(
      async () => answerData(await udpExchange(port, query('fine.lab.test', 'A')))[0] === '192.0.2.77',
      {
        what: 'the zone to reload',
      },
    );
    expect((await udpExchange(port, query('broken.lab.test', 'A'))).rcode).toBe('NXDOMAIN');
    expect(logged.some((line) => line.startsWith('warn') && line.includes('broken.lab.test'))).toBe(true);
    await redis.hdel(store.recordsKey, 'broken.lab.test\tA\t');
  });

  it('ignores a packet that is itself a response', async () => {
    // Sent first on one socket; the query after it on the same socket must get the first answer back.
    const response = dnsPacket.encode({ ...query('api.lab.test', 'A', { id: 1 }), type: 'response' });
    const reply = await new Promise<DecodedPacket>((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error('no answer'));
      }, 5_000);
      socket.on('message', (raw: Buffer) => {
        clearTimeout(timer);
        socket.close();
        resolve(dnsPacket.decode(raw));
      });
      socket.send(response, port, '127.0.0.1', () =>
        socket.send(dnsPacket.encode(query('api.lab.test', 'A', { id: 2 })), port, '127.0.0.1'),
      );
    });
    expect(reply.id).toBe(2);
  });
});
