/**
 * The pure parts of the DNS server, without sockets: the answer to a decoded query (the rules the socket
 * tests do not reach: opcodes, several questions, zone transfers, ANY, CNAME loops, nested zones), the
 * weighted choice with a fixed random source, and TXT presentation parsing.
 */
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { answerQuery, type AnswerContext } from '../../src/dns-server/answer-query';
import {
  decodeQuery,
  encodeResponse,
  headerOnlyReply,
  TcpMessageReader,
} from '../../src/dns-server/dns-wire';
import { buildServedZone, type ServedZone } from '../../src/dns-server/served-zone';
import { chooseRecordSets } from '../../src/dns-server/weighted-choice';
import { parseTxtValue } from '../../src/providers/local/txt-presentation';
import { recordSet } from './support/record-set';

const set = recordSet;

const zone = buildServedZone({
  zone: 'lab.test',
  serial: 7,
  sets: [
    set('api.lab.test', 'A', ['192.0.2.1']),
    set('api.lab.test', 'TXT', ['"x"']),
    set('loop-a.lab.test', 'CNAME', ['loop-b.lab.test']),
    set('loop-b.lab.test', 'CNAME', ['loop-a.lab.test']),
  ],
});
const child = buildServedZone({
  zone: 'sub.lab.test',
  serial: 1,
  sets: [set('www.sub.lab.test', 'A', ['198.51.100.9'])],
});
const context: AnswerContext = { random: () => 0, nameServerAddresses: { A: [], AAAA: [] } };

/** Encodes and decodes, so the core sees exactly what a socket would hand it. */
function ask(packet: Packet, zones: ServedZone[] = [zone, child]) {
  const decoded = dnsPacket.decode(dnsPacket.encode(packet));
  const answer = answerQuery(decoded, zones, context);
  if (answer === undefined) return undefined;
  return dnsPacket.decode(encodeResponse(answer.response, 65_535)) as DecodedPacket & { rcode: string };
}

const question = (name: string, type: string) =>
  ({ name, type, class: 'IN' }) as NonNullable<Packet['questions']>[number];

describe('answerQuery', () => {
  it('answers NOTIMP to opcodes other than QUERY and FORMERR to zero or several questions', () => {
    const status = ask({ type: 'query', id: 1, flags: 2 << 11, questions: [question('api.lab.test', 'A')] });
    expect(status?.rcode).toBe('NOTIMP');
    expect(ask({ type: 'query', id: 2, questions: [] })?.rcode).toBe('FORMERR');
    const two = ask({
      type: 'query',
      id: 3,
      questions: [question('api.lab.test', 'A'), question('lab.test', 'NS')],
    });
    expect(two?.rcode).toBe('FORMERR');
  });

  it('refuses zone transfers, authoritatively', () => {
    const axfr = ask({ type: 'query', id: 4, questions: [question('lab.test', 'AXFR')] });
    expect(axfr?.rcode).toBe('REFUSED');
    expect(axfr?.flag_aa).toBe(true);
    expect(axfr?.answers).toEqual([]);
  });

  it('answers ANY with every type at the name, apex records included', () => {
    const any = ask({ type: 'query', id: 5, questions: [question('api.lab.test', 'ANY')] });
    expect(any?.answers?.map((answer) => answer.type).sort()).toEqual(['A', 'TXT']);
    const apex = ask({ type: 'query', id: 6, questions: [question('lab.test', 'ANY')] });
    expect(apex?.answers?.map((answer) => answer.type)).toEqual(['SOA', 'NS']);
  });

  it('stops a CNAME loop with the chain it has', () => {
    const loop = ask({ type: 'query', id: 7, questions: [question('loop-a.lab.test', 'A')] });
    expect(loop?.rcode).toBe('NOERROR');
    expect(loop?.answers?.map((answer) => `${answer.name} ${answer.type}`)).toEqual([
      'loop-a.lab.test CNAME',
      'loop-b.lab.test CNAME',
    ]);
  });

  it('answers a name from the most specific served zone', () => {
    const www = ask({ type: 'query', id: 8, questions: [question('www.sub.lab.test', 'A')] });
    expect(www?.answers).toEqual([expect.objectContaining({ data: '198.51.100.9' })]);
    const soa = ask({ type: 'query', id: 9, questions: [question('nope.sub.lab.test', 'A')] });
    expect(soa?.authorities?.[0]?.name).toBe('sub.lab.test');
  });

  it('never answers a response', () => {
    expect(ask({ type: 'response', id: 10, questions: [question('api.lab.test', 'A')] })).toBeUndefined();
  });
});

describe('DNS wire helpers', () => {
  it('answers FORMERR with the id and opcode of an undecodable query, and nothing to a short or response packet', () => {
    const decoded = decodeQuery(Buffer.from([0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
    expect(decoded.ok).toBe(false);
    const reply = decoded.ok ? undefined : decoded.reply;
    expect(reply?.readUInt16BE(0)).toBe(0xabcd);
    expect(reply?.readUInt16BE(2)).toBe(0x8000 | 0x0100 | 1);
    expect(headerOnlyReply(Buffer.alloc(11), 1)).toBeUndefined();
    expect(headerOnlyReply(Buffer.from([0, 1, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1)).toBeUndefined();
  });

  it('splits a TCP stream into messages across any chunking, and flags a zero length', () => {
    const reader = new TcpMessageReader();
    const stream = Buffer.from([0, 2, 0xaa, 0xbb, 0, 1, 0xcc]);
    const seen: string[] = [];
    for (const byte of stream) {
      for (const message of reader.push(Buffer.from([byte])).messages) seen.push(message.toString('hex'));
    }
    expect(seen).toEqual(['aabb', 'cc']);
    expect(new TcpMessageReader().push(Buffer.from([0, 0, 0, 5]))).toEqual({ messages: [], invalid: true });
  });
});

describe('chooseRecordSets (Route 53 weighted answers)', () => {
  const east = set('w.lab.test', 'A', ['192.0.2.1'], { setIdentifier: 'east', weight: 3 });
  const drained = set('w.lab.test', 'A', ['203.0.113.1'], { setIdentifier: 'drained', weight: 0 });
  const west = set('w.lab.test', 'A', ['198.51.100.1'], { setIdentifier: 'west', weight: 1 });

  it('picks one set with probability weight / total, skipping weight 0', () => {
    expect(chooseRecordSets([east, drained, west], () => 0)).toEqual([east]);
    expect(chooseRecordSets([east, drained, west], () => 0.74)).toEqual([east]);
    expect(chooseRecordSets([east, drained, west], () => 0.76)).toEqual([west]);
    expect(chooseRecordSets([east, drained, west], () => 0.999999)).toEqual([west]);
  });

  it('picks among every set alike when all weights are 0, and answers plain sets as they are', () => {
    const zeroEast = { ...east, weight: 0 };
    const zeroWest = { ...west, weight: 0 };
    expect(chooseRecordSets([zeroEast, zeroWest], () => 0.2)).toEqual([zeroEast]);
    expect(chooseRecordSets([zeroEast, zeroWest], () => 0.9)).toEqual([zeroWest]);
    const plain = set('p.lab.test', 'A', ['192.0.2.5']);
    expect(chooseRecordSets([plain], () => 0.5)).toEqual([plain]);
  });
});

describe('parseTxtValue', () => {
  it('reads quoted strings, bare words and RFC 1035 escapes', () => {
    const strings = (value: string) => parseTxtValue(value).map((buffer) => buffer.toString('latin1'));
    expect(strings('"v=spf1 -all"')).toEqual(['v=spf1 -all']);
    expect(strings('"a \\"q\\" b" "c\\\\d" bare')).toEqual(['a "q" b', 'c\\d', 'bare']);
    expect(strings('"tab\\009end"')).toEqual(['tab\tend']);
  });

  it('refuses what cannot be a TXT value, saying why', () => {
    expect(() => parseTxtValue('"open')).toThrow('an unterminated quoted string');
    expect(() => parseTxtValue(`"${'x'.repeat(256)}"`)).toThrow('a character-string of 256 octets');
    expect(() => parseTxtValue('"\\300"')).toThrow('is not an octet');
    expect(() => parseTxtValue('   ')).toThrow('no character-string');
  });
});
