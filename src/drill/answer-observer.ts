/**
 * "The answer changed at the authoritative name servers": the last step of a failover a client can see.
 *
 * The name servers are the service's providers' `nameServers` (config), else the zone's NS records looked up
 * at drill time. Each is asked directly over DNS (dns-packet on UDP, TCP when the reply is truncated), without
 * recursion, for every name of the service. The answer has changed at a server when every name has a non-empty
 * answer of the service's record type holding none of the drilled pools' values; the step is done when every
 * reachable server says so. A server that never answers is left out (and named); when none answers, the step
 * is skipped with that reason rather than failing a drill for a network path the drill does not test.
 */
import dgram from 'node:dgram';
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import { Socket } from 'node:net';
import dnsPacket from 'dns-packet';
import { formatNameServer, parseNameServer } from '../config/name-server';
import type { Config, EndpointTarget, Service } from '../config/types';

export interface NameServerAddress {
  /** IP address the queries go to. */
  address: string;
  port: number;
  /** How it was configured or found: `127.0.0.1:5353`, `ns-1.awsdns-01.org:53 (NS of example.com)`. */
  label: string;
}

export interface NameServerLookup {
  /** NS host names of `zone` (empty or a rejection when it has none). @defaultValue node:dns resolveNs */
  resolveNs?: (zone: string) => Promise<string[]>;
  /** Addresses of a name server's host name. @defaultValue node:dns lookup (all addresses) */
  resolveHost?: (host: string) => Promise<string[]>;
}

export type NameServerDiscovery =
  { servers: NameServerAddress[]; source: string } | { servers: []; reason: string };

/**
 * Reserved names (RFC 2606, RFC 6761, RFC 6762): no public NS records to look up, and asking the system
 * resolver about them would only send the lab's names off the machine.
 */
const RESERVED_SUFFIXES = ['test', 'example', 'invalid', 'localhost', 'local', 'internal', 'home.arpa'];
const RESERVED_EXAMPLE_DOMAINS = ['example.com', 'example.net', 'example.org'];

export function isReservedName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return [...RESERVED_SUFFIXES, ...RESERVED_EXAMPLE_DOMAINS].some(
    (suffix) => lower === suffix || lower.endsWith(`.${suffix}`),
  );
}

/** The name servers to watch for `service`, or why there are none. */
export async function discoverNameServers(
  config: Config,
  service: Service,
  lookup: NameServerLookup = {},
): Promise<NameServerDiscovery> {
  const resolveHost =
    lookup.resolveHost ??
    (async (host: string) => (await dnsPromises.lookup(host, { all: true })).map((entry) => entry.address));
  const configured = new Set<string>();
  for (const target of service.providers) {
    for (const server of config.providers[target.provider]?.nameServers ?? []) configured.add(server);
  }
  if (configured.size > 0) {
    const servers: NameServerAddress[] = [];
    const problems: string[] = [];
    for (const text of configured) {
      const parsed = parseNameServer(text);
      if (parsed === undefined) {
        problems.push(`${text}: not host[:port]`);
        continue;
      }
      const label = formatNameServer(parsed);
      if (isIP(parsed.host) !== 0) {
        servers.push({ address: parsed.host, port: parsed.port, label });
        continue;
      }
      try {
        const [address] = await resolveHost(parsed.host);
        if (address === undefined) problems.push(`${label}: no address`);
        else servers.push({ address, port: parsed.port, label });
      } catch (error) {
        problems.push(`${label}: ${errorText(error)}`);
      }
    }
    if (servers.length > 0) return { servers, source: 'providers.nameServers' };
    return { servers: [], reason: `no configured name server could be resolved (${problems.join('; ')})` };
  }
  const name = service.dnsNames[0];
  if (name === undefined) return { servers: [], reason: 'the service has no DNS name' };
  if (isReservedName(name)) {
    return {
      servers: [],
      reason: `no nameServers configured and ${name} is a reserved name (no public NS records to look up)`,
    };
  }
  const resolveNs = lookup.resolveNs ?? ((zone: string) => dnsPromises.resolveNs(zone));
  // The zone is the closest enclosing name that has NS records; never the TLD itself.
  const labels = name.split('.');
  for (let start = 0; start < labels.length - 1; start += 1) {
    const zone = labels.slice(start).join('.');
    let hosts: string[];
    try {
      hosts = await resolveNs(zone);
    } catch {
      continue;
    }
    if (hosts.length === 0) continue;
    const servers: NameServerAddress[] = [];
    for (const host of hosts) {
      try {
        const [address] = await resolveHost(host);
        if (address !== undefined) servers.push({ address, port: 53, label: `${host}:53 (NS of ${zone})` });
      } catch {
        // A name server whose address cannot be found is left out, like one that does not answer.
      }
    }
    if (servers.length > 0) return { servers, source: `NS of ${zone}` };
    return { servers: [], reason: `the NS records of ${zone} (${hosts.join(', ')}) have no address` };
  }
  return { servers: [], reason: `no NS records found for ${name} or its parents` };
}

export interface DnsAnswer {
  rcode: string;
  /** Values of the records of the asked type for the asked name (normalised: lower case, no final dot). */
  values: string[];
}

/** One query, no recursion; TCP when the UDP reply is truncated. Rejects on timeout or a bad reply. */
export async function queryNameServer(
  server: NameServerAddress,
  name: string,
  type: 'A' | 'AAAA' | 'CNAME',
  timeoutMs = 1000,
): Promise<DnsAnswer> {
  const id = Math.floor(Math.random() * 65_536);
  const query = { type: 'query' as const, id, flags: 0, questions: [{ type, name }] };
  let reply = await udpExchange(server, dnsPacket.encode(query), id, timeoutMs);
  if (((reply.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0) {
    reply = await tcpExchange(server, dnsPacket.streamEncode(query), id, timeoutMs);
  }
  const wanted = normalizeName(name);
  const values = (reply.answers ?? [])
    .filter(
      (answer): answer is dnsPacket.StringAnswer =>
        answer.type === type && normalizeName(answer.name) === wanted,
    )
    .map((answer) => normalizeValue(type, answer.data));
  // dns-packet decodes the rcode name but its types do not declare it.
  const rcode = (reply as { rcode?: unknown }).rcode;
  return { rcode: typeof rcode === 'string' ? rcode : 'NOERROR', values };
}

function udpExchange(
  server: NameServerAddress,
  message: Buffer,
  id: number,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(server.address) === 6 ? 'udp6' : 'udp4');
    const timer = setTimeout(() => finish(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    function finish(error: Error | undefined, packet?: dnsPacket.DecodedPacket): void {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(packet as dnsPacket.DecodedPacket);
    }
    socket.on('error', (error) => finish(error));
    socket.on('message', (bytes) => {
      let packet: dnsPacket.DecodedPacket;
      try {
        packet = dnsPacket.decode(bytes);
      } catch {
        return; // Not a DNS reply: keep waiting for the real one.
      }
      if (packet.id === id && packet.type === 'response') finish(undefined, packet);
    });
    socket.send(message, server.port, server.address, (error) => {
      if (error) finish(error);
    });
  });
}

function tcpExchange(
  server: NameServerAddress,
  message: Buffer,
  id: number,
  timeoutMs: number,
): Promise<dnsPacket.DecodedPacket> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no answer over TCP within ${timeoutMs} ms`)), timeoutMs);
    function finish(error: Error | undefined, packet?: dnsPacket.DecodedPacket): void {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(packet as dnsPacket.DecodedPacket);
    }
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2) return;
      const length = received.readUInt16BE(0);
      if (received.length < length + 2) return;
      try {
        const packet = dnsPacket.streamDecode(received.subarray(0, length + 2)) as dnsPacket.DecodedPacket;
        if (packet.id !== id) finish(new Error('reply for another query'));
        else finish(undefined, packet);
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.connect(server.port, server.address, () => socket.write(message));
  });
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Addresses in one canonical spelling (IPv6 compressed, lower case), names lower case without the final dot. */
export function normalizeValue(type: string, value: string): string {
  if (type === 'AAAA') return canonicalIpv6(value);
  if (type === 'A') return value.trim();
  return normalizeName(value.trim());
}

function canonicalIpv6(address: string): string {
  try {
    // The WHATWG URL parser serialises IPv6 hosts canonically (RFC 5952).
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

/** The DNS values an endpoint contributes (alias targets have none a plain query could see). */
export function endpointValue(type: string, target: EndpointTarget): string | undefined {
  if (target.kind === 'address') return normalizeValue(type, target.address);
  if (target.kind === 'cname') return normalizeValue(type, target.cname);
  return undefined;
}

export type ServerAnswerState = 'changed' | 'unchanged' | 'unreachable';

/** How one server answers now: every name answers without the drilled values, or not, or no answer at all. */
export interface ServerObservation {
  server: NameServerAddress;
  state: ServerAnswerState;
  /** The answers (or the error) per name, for the report. */
  detail: string;
}

/**
 * Watches the name servers of a drill: `observe()` asks each of them once for every name of the service.
 * Done when every server that ever answered shows the changed answer in the same round.
 */
export class AnswerWatcher {
  private readonly answered = new Set<string>();
  private readonly drilledValues: Set<string>;

  constructor(
    readonly service: Service,
    readonly servers: NameServerAddress[],
    drilledPools: readonly string[],
    private readonly timeoutMs = 1000,
  ) {
    this.drilledValues = new Set(
      service.pools
        .filter((pool) => drilledPools.includes(pool.name))
        .flatMap((pool) => pool.endpoints)
        .map((endpoint) => endpointValue(service.recordType, endpoint.target))
        .filter((value): value is string => value !== undefined),
    );
  }

  /** Whether the drilled pools contribute any value a query could see (alias targets do not). */
  get observable(): boolean {
    return this.drilledValues.size > 0 && ['A', 'AAAA', 'CNAME'].includes(this.service.recordType);
  }

  /** One round over every server and name, in parallel. */
  async observe(): Promise<{ done: boolean; reachable: number; observations: ServerObservation[] }> {
    const type = this.service.recordType as 'A' | 'AAAA' | 'CNAME';
    const observations = await Promise.all(
      this.servers.map(async (server): Promise<ServerObservation> => {
        const parts: string[] = [];
        let changed = true;
        for (const name of this.service.dnsNames) {
          try {
            const answer = await queryNameServer(server, name, type, this.timeoutMs);
            const stillDrilled = answer.values.some((value) => this.drilledValues.has(value));
            if (answer.values.length === 0 || stillDrilled) changed = false;
            parts.push(`${name} ${type} ${answer.values.join(' ') || `(${answer.rcode}, no answer)`}`);
          } catch (error) {
            return { server, state: 'unreachable', detail: `${name}: ${errorText(error)}` };
          }
        }
        this.answered.add(server.label);
        return { server, state: changed ? 'changed' : 'unchanged', detail: parts.join('; ') };
      }),
    );
    const reachable = observations.filter((o) => this.answered.has(o.server.label));
    const done = reachable.length > 0 && reachable.every((o) => o.state === 'changed');
    return { done, reachable: reachable.length, observations };
  }

  /** Servers that have answered at least once. */
  reachableLabels(): string[] {
    return [...this.answered];
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
