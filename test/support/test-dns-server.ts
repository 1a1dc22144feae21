/**
 * A tiny authoritative-style DNS server over UDP on 127.0.0.1 that answers from a table: real packets
 * (dns-packet), so the dns check and later the lab exercise a real resolver library against it.
 */
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { loopbackHost } from './loopback';

export type DnsRcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';

/** RFC 1035 4.1.1 rcode values (dns-packet does not export its table). */
const RCODE_VALUES: Readonly<Record<DnsRcode, number>> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

export interface DnsTableEntry {
  /** Default NOERROR. */
  rcode?: DnsRcode;
  /** Records of the answer section; `name` defaults to the queried name, `ttl` to 60. */
  answers?: Array<{ type: dnsPacket.RecordType; data: unknown; name?: string; ttl?: number }>;
  /** Never answer (the query is read and dropped): a server that is up but silent. */
  drop?: boolean;
}

/**
 * Keys are `name TYPE` (`api.test A`) or just `name` (any type). Lookups are case-insensitive and ignore a
 * trailing dot. A name that is not in the table gets NXDOMAIN.
 */
export type DnsTable = Record<string, DnsTableEntry>;

export interface DnsTestServer {
  readonly host: string;
  readonly port: number;
  /** Every question received, in arrival order (`name` lower-cased). */
  readonly queries: Array<{ name: string; type: string }>;
  /** Replace or add entries while running. */
  set(key: string, entry: DnsTableEntry): void;
  close(): Promise<void>;
}

function tableKey(key: string): string {
  const [name = '', type] = key.trim().split(/\s+/);
  const bare = name.toLowerCase().replace(/\.$/, '');
  return type === undefined ? bare : `${bare} ${type.toUpperCase()}`;
}

export async function startDnsServer(
  initialTable: DnsTable = {},
  options: { host?: string } = {},
): Promise<DnsTestServer> {
  const host = loopbackHost(options.host);
  const table = new Map<string, DnsTableEntry>();
  for (const [key, entry] of Object.entries(initialTable)) table.set(tableKey(key), entry);
  const queries: Array<{ name: string; type: string }> = [];
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');

  socket.on('message', (message, remote) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // Not DNS: a real server drops it too.
    }
    const question = query.questions?.[0];
    if (question === undefined) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    queries.push({ name, type: question.type });
    const entry = table.get(`${name} ${question.type}`) ?? table.get(name) ?? { rcode: 'NXDOMAIN' };
    if (entry.drop === true) return;

    const answers = (entry.answers ?? []).map(
      (answer) =>
        ({
          name: answer.name ?? question.name,
          ttl: answer.ttl ?? 60,
          type: answer.type,
          data: answer.data,
        }) as unknown as dnsPacket.Answer,
    );
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      // dns-packet encodes the rcode only through the low 4 bits of `flags`.
      flags:
        dnsPacket.AUTHORITATIVE_ANSWER |
        ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
        RCODE_VALUES[entry.rcode ?? 'NOERROR'],
      questions: query.questions,
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });

  return {
    host,
    port: socket.address().port,
    queries,
    set: (key, entry) => table.set(tableKey(key), entry),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
