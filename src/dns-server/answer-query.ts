/**
 * The authoritative answer to one decoded DNS query, from the zones in memory. Pure (the random source is
 * a parameter), so every rule is testable without a socket:
 * - REFUSED (no AA) for a name outside every served zone, a class other than IN, a zone transfer;
 * - SOA and NS at the apex, synthesised (`ns1.<zone>`, the store's serial); `ns1.<zone>` itself resolves to the
 *   server's listen address when it has a concrete one;
 * - A/AAAA/CNAME/TXT from the store; CNAME chains followed while they stay inside the zone;
 * - NXDOMAIN vs NODATA (empty non-terminals exist, RFC 8020), both with the SOA in the authority section;
 *   after a CNAME the rcode is that of the chain's last name (RFC 6604);
 * - wildcards (`*.<name>`) answer for names that do not exist below their closest encloser (RFC 4592);
 * - weighted record sets: one set per query, by weight (weighted-choice.ts);
 * - EDNS0 (RFC 6891): the client's UDP size is honoured, an OPT goes back, versions above 0 get BADVERS.
 */
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type StringAnswer,
} from 'dns-packet';
import { parseTxtValue } from '../providers/local/txt-presentation';
import type { ManagedRecordType, RecordSet } from '../providers/record-set';
import { canonicalName } from '../providers/record-set-equality';
import { findZone, inZone, parentOf, type ServedZone } from './served-zone';
import { chooseRecordSets, type RandomSource } from './weighted-choice';

/** RFC 1035 4.1.1 and RFC 6891 response codes. */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (RFC 6891 6.1.3): 16 = OPT extended rcode 1, header rcode 0. */
  BADVERS: 16,
} as const;

/** The largest UDP answer without EDNS (RFC 1035 4.2.1). */
export const PLAIN_UDP_LIMIT = 512;
/** The UDP payload size this server advertises (DNS Flag Day 2020: avoids IP fragmentation). */
export const ADVERTISED_UDP_SIZE = 1232;
/** Never build UDP answers above this, whatever the client advertises. */
export const MAX_UDP_SIZE = 4096;

/** TTL of the synthesised SOA and NS records. */
export const APEX_TTL = 60;
/**
 * Negative caching TTL (SOA minimum, RFC 2308): short, because in a lab a name appears (first sync) and
 * answers move within seconds.
 */
export const NEGATIVE_TTL = 5;

/** CNAME hops followed before giving up (a loop, or a chain nobody should build). */
const MAX_CHAIN = 16;

const OPCODE_MASK = 0x7800;

export interface AnswerContext {
  random: RandomSource;
  /** Addresses `ns1.<zone>` resolves to (the server's listen address), when it has concrete ones. */
  nameServerAddresses: { A: string[]; AAAA: string[] };
}

export interface QueryAnswer {
  response: Packet;
  /** The largest response the client accepts over UDP: 512 without EDNS, else its size (512..4096). */
  udpLimit: number;
}

/** Undefined when the packet must not be answered (it is itself a response). */
export function answerQuery(
  query: DecodedPacket,
  zones: Iterable<ServedZone>,
  context: AnswerContext,
): QueryAnswer | undefined {
  if (query.flag_qr) return undefined;
  const queryFlags = query.flags ?? 0;
  // Opcode, RD and CD are copied from the query (RFC 1035 4.1.1, RFC 4035 3.1.6).
  const baseFlags =
    (queryFlags & OPCODE_MASK) |
    (queryFlags & dnsPacket.RECURSION_DESIRED) |
    (queryFlags & dnsPacket.CHECKING_DISABLED);
  const opts = (query.additionals ?? []).filter((record): record is OptAnswer => record.type === 'OPT');
  const opt = opts[0];
  const udpLimit =
    opt === undefined
      ? PLAIN_UDP_LIMIT
      : Math.min(MAX_UDP_SIZE, Math.max(PLAIN_UDP_LIMIT, opt.udpPayloadSize));
  const questions = query.questions ?? [];
  const echoable = questions.filter((question) => /^(IN|CH|HS|CS|ANY)$/.test(question.class ?? 'IN'));

  const reply = (rcode: number, sections: Partial<Packet> = {}, authoritative = false): QueryAnswer => {
    const additionals = [...(sections.additionals ?? [])];
    if (opt !== undefined) additionals.push(responseOpt(rcode));
    return {
      udpLimit,
      response: {
        id: query.id ?? 0,
        type: 'response',
        flags: baseFlags | (authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | (rcode & 0xf),
        questions: echoable.length === questions.length ? questions : [],
        answers: sections.answers ?? [],
        authorities: sections.authorities ?? [],
        additionals,
      },
    };
  };

  if (opts.length > 1) return reply(Rcode.FORMERR);
  if (opt !== undefined && opt.ednsVersion > 0) return reply(Rcode.BADVERS);
  if ((queryFlags & OPCODE_MASK) !== 0) return reply(Rcode.NOTIMP);
  const question = questions[0];
  if (question === undefined || questions.length !== 1) return reply(Rcode.FORMERR);
  const qclass = question.class ?? 'IN';
  if (qclass !== 'IN' && qclass !== 'ANY') return reply(Rcode.REFUSED);
  const qname = canonicalName(question.name);
  const zone = findZone(zones, qname);
  if (zone === undefined) return reply(Rcode.REFUSED);
  const qtype = String(question.type).toUpperCase();
  if (qtype === 'AXFR' || qtype === 'IXFR') return reply(Rcode.REFUSED, {}, true);

  const answers: Answer[] = [];
  const additionals: Answer[] = [];
  const visited = new Set<string>();
  let name = qname;
  // The first owner name keeps the client's spelling (0x20 case randomisation must survive).
  let owner = question.name.replace(/\.$/, '');
  for (;;) {
    visited.add(name);
    const node = findNode(zone, name, context);
    if (node === undefined) {
      return reply(Rcode.NXDOMAIN, { answers, authorities: [negativeSoa(zone)] }, true);
    }
    if (qtype === 'ANY') {
      for (const type of typesAt(node)) answers.push(...recordsAt(zone, node, type, owner, context));
      if (answers.length === 0) return reply(Rcode.NOERROR, { authorities: [negativeSoa(zone)] }, true);
      return reply(Rcode.NOERROR, { answers }, true);
    }
    const direct = recordsAt(zone, node, qtype, owner, context);
    if (direct.length > 0) {
      answers.push(...direct);
      if (qtype === 'NS') additionals.push(...glue(zone, context));
      return reply(Rcode.NOERROR, { answers, additionals }, true);
    }
    const cname = qtype === 'CNAME' ? [] : recordsAt(zone, node, 'CNAME', owner, context);
    const first = cname[0];
    if (first === undefined) {
      return reply(Rcode.NOERROR, { answers, authorities: [negativeSoa(zone)] }, true);
    }
    answers.push(first);
    const target = canonicalName((first as StringAnswer).data);
    // Out of the zone, the resolver follows on; a loop or an endless chain ends here with what we have.
    if (!inZone(zone, target) || visited.has(target) || visited.size >= MAX_CHAIN) {
      return reply(Rcode.NOERROR, { answers }, true);
    }
    name = target;
    owner = target;
  }
}

/** What exists at one name: stored sets (its own, or a wildcard's), apex records, the name server's address. */
interface ZoneNode {
  stored: ReadonlyMap<ManagedRecordType, readonly RecordSet[]> | undefined;
  apex: boolean;
  nameServer: boolean;
}

function findNode(zone: ServedZone, name: string, context: AnswerContext): ZoneNode | undefined {
  const stored = zone.nodes.get(name);
  const apex = name === zone.apex;
  const nameServer =
    name === zone.nameServer &&
    context.nameServerAddresses.A.length + context.nameServerAddresses.AAAA.length > 0;
  if (stored !== undefined || apex || nameServer || zone.existing.has(name))
    return { stored, apex, nameServer };
  let encloser = parentOf(name);
  while (encloser !== '' && encloser !== zone.apex && !zone.existing.has(encloser))
    encloser = parentOf(encloser);
  const wildcard = zone.nodes.get(`*.${encloser}`);
  return wildcard === undefined ? undefined : { stored: wildcard, apex: false, nameServer: false };
}

function typesAt(node: ZoneNode): string[] {
  const types: string[] = node.apex ? ['SOA', 'NS'] : [];
  for (const type of node.stored?.keys() ?? []) types.push(type);
  if (node.nameServer) for (const type of ['A', 'AAAA']) if (!types.includes(type)) types.push(type);
  return types;
}

function recordsAt(
  zone: ServedZone,
  node: ZoneNode,
  type: string,
  owner: string,
  context: AnswerContext,
): Answer[] {
  if (type === 'SOA' && node.apex) return [soa(zone, owner, APEX_TTL)];
  if (type === 'NS' && node.apex)
    return [{ name: owner, type: 'NS', ttl: APEX_TTL, class: 'IN', data: zone.nameServer }];
  const sets = node.stored?.get(type as ManagedRecordType);
  if (sets !== undefined && sets.length > 0) {
    return chooseRecordSets(sets, context.random).flatMap((set) => setAnswers(set, owner));
  }
  if (node.nameServer && (type === 'A' || type === 'AAAA')) {
    return context.nameServerAddresses[type].map((address) => ({
      name: owner,
      type,
      ttl: APEX_TTL,
      class: 'IN' as const,
      data: address,
    }));
  }
  return [];
}

function setAnswers(set: RecordSet, owner: string): Answer[] {
  const values = set.values ?? [];
  switch (set.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
      return values.map((value) => ({
        name: owner,
        type: set.type,
        ttl: set.ttl,
        class: 'IN' as const,
        data: value,
      }));
    case 'TXT':
      return values.map((value) => ({
        name: owner,
        type: 'TXT' as const,
        ttl: set.ttl,
        class: 'IN' as const,
        data: parseTxtValue(value),
      }));
  }
}

/** Address records of `ns1.<zone>` for the additional section of an NS answer. */
function glue(zone: ServedZone, context: AnswerContext): Answer[] {
  if (zone.nodes.has(zone.nameServer)) return [];
  return (['A', 'AAAA'] as const).flatMap((type) =>
    context.nameServerAddresses[type].map((address) => ({
      name: zone.nameServer,
      type,
      ttl: APEX_TTL,
      class: 'IN' as const,
      data: address,
    })),
  );
}

function soa(zone: ServedZone, owner: string, ttl: number): Answer {
  return {
    name: owner,
    type: 'SOA',
    ttl,
    class: 'IN',
    data: {
      mname: zone.nameServer,
      rname: `hostmaster.${zone.apex}`,
      // SOA serials are 32-bit sequence numbers (RFC 1982): wrap rather than overflow the field.
      serial: zone.serial % 2 ** 32,
      refresh: 3600,
      retry: 600,
      expire: 86_400,
      minimum: NEGATIVE_TTL,
    },
  };
}

/** The SOA of a negative answer: TTL min(SOA TTL, minimum) (RFC 2308 3). */
function negativeSoa(zone: ServedZone): Answer {
  return soa(zone, zone.apex, Math.min(APEX_TTL, NEGATIVE_TTL));
}

function responseOpt(rcode: number): OptAnswer {
  return {
    name: '.',
    type: 'OPT',
    udpPayloadSize: ADVERTISED_UDP_SIZE,
    extendedRcode: rcode >> 4,
    ednsVersion: 0,
    flags: 0,
    flag_do: false,
    options: [],
  };
}
