/**
 * The lab's authoritative DNS server: serves the `local` provider's zones from Redis over UDP and TCP on one
 * port, so `dig @127.0.0.1 -p <port> api.lab.test` shows what quorumdns decided. Answers come from memory
 * (zone-cache.ts keeps it current within milliseconds of a change); a query never waits on Redis.
 *
 * Robustness: a packet that does not decode gets FORMERR (or is dropped when it has no header), an error
 * while answering gets SERVFAIL, and neither ever stops the server. TCP connections carry any number of
 * queries (2-byte length framing) and are closed when idle.
 */
import dgram from 'node:dgram';
import { isIP, isIPv4, isIPv6 } from 'node:net';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { DNS_NAME_PATTERN } from '../config/names';
import { canonicalName } from '../providers/record-set-equality';
import { type AnswerContext, answerQuery, Rcode } from './answer-query';
import {
  decodeQuery,
  encodeResponse,
  frame,
  headerOnlyReply,
  MAX_MESSAGE_SIZE,
  TcpMessageReader,
} from './dns-wire';
import type { RandomSource } from './weighted-choice';
import { type DnsServerLog, ZoneCache } from './zone-cache';

export type { DnsServerLog } from './zone-cache';

export interface DnsServerOptions {
  /** The deployment's Redis (the server duplicates it for its subscription; the caller keeps owning it). */
  redis: Redis;
  /** `deployment.redis.keyPrefix`. */
  keyPrefix: string;
  /** Zone apexes to serve (the `local` providers' zones). */
  zones: string[];
  /** @default '127.0.0.1' (loopback: a lab server is not for the network) */
  host?: string;
  /** 0 = a free port, the same for UDP and TCP. @default 0 */
  port?: number;
  /** Picks weighted record sets. @default Math.random */
  random?: RandomSource;
  /** Backstop serial check when no update message arrives. @default 1000 */
  refreshIntervalMs?: number;
  /** Idle TCP connections are closed after this. @default 10000 */
  tcpIdleTimeoutMs?: number;
  log?: DnsServerLog;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** Served zones and the serial each is at. */
  zones(): Array<{ zone: string; serial: number }>;
  close(): Promise<void>;
}

export type DnsServerErrorCode = 'EZONES' | 'EADDRINUSE' | 'ELISTEN';

export class DnsServerError extends Error {
  override readonly name = 'DnsServerError';
  constructor(
    message: string,
    readonly code: DnsServerErrorCode,
  ) {
    super(message);
  }
}

const DNS_NAME_RE = new RegExp(DNS_NAME_PATTERN);
/** Free-port attempts: the free TCP port may be taken for UDP; another pair is tried. */
const BIND_ATTEMPTS = 10;
const MAX_TCP_CONNECTIONS = 256;

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const zones = [...new Set(options.zones.map(canonicalName))];
  if (zones.length === 0) throw new DnsServerError('no zone to serve', 'EZONES');
  const invalid = zones.filter((zone) => !DNS_NAME_RE.test(zone) || zone.startsWith('*'));
  if (invalid.length > 0) throw new DnsServerError(`not a zone apex: ${invalid.join(', ')}`, 'EZONES');
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);

  const cache = await ZoneCache.start({
    redis: options.redis,
    keyPrefix: options.keyPrefix,
    zones,
    ...(options.refreshIntervalMs !== undefined ? { refreshIntervalMs: options.refreshIntervalMs } : {}),
    log,
  });
  const context: AnswerContext = {
    random: options.random ?? Math.random,
    // `ns1.<zone>` resolves to where this server listens, when that is one address (not a wildcard bind).
    nameServerAddresses: {
      A: isIPv4(host) && host !== '0.0.0.0' ? [host] : [],
      AAAA: isIPv6(host) && host !== '::' ? [host] : [],
    },
  };

  const handle = (message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    const decoded = decodeQuery(message);
    if (!decoded.ok) return decoded.reply;
    try {
      const answer = answerQuery(decoded.query, cache.zones(), context);
      if (answer === undefined) return undefined;
      return encodeResponse(answer.response, transport === 'udp' ? answer.udpLimit : MAX_MESSAGE_SIZE);
    } catch (error) {
      log('error', 'answering a query failed', {
        error: error instanceof Error ? error.message : String(error),
      });
      return headerOnlyReply(message, Rcode.SERVFAIL);
    }
  };

  let bound: { udp: dgram.Socket; tcp: net.Server; port: number };
  try {
    bound = await bindBoth(host, options.port ?? 0);
  } catch (error) {
    await cache.close();
    throw error;
  }
  const { udp, tcp, port } = bound;

  udp.on('message', (message, remote) => {
    const reply = handle(message, 'udp');
    if (reply !== undefined) udp.send(reply, remote.port, remote.address, () => undefined);
  });
  udp.on('error', (error) => log('error', 'UDP socket error', { error: error.message }));

  const sockets = new Set<net.Socket>();
  tcp.maxConnections = MAX_TCP_CONNECTIONS;
  tcp.on('connection', (socket) => {
    sockets.add(socket);
    socket.setTimeout(options.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const reader = new TcpMessageReader();
    socket.on('data', (chunk: Buffer) => {
      const { messages, invalid } = reader.push(chunk);
      for (const message of messages) {
        const reply = handle(message, 'tcp');
        // A message that is not even a header means the stream is out of step: nothing after it can be trusted.
        if (reply === undefined) {
          socket.destroy();
          return;
        }
        socket.write(frame(reply));
      }
      if (invalid) socket.destroy();
    });
  });
  tcp.on('error', (error) => log('error', 'TCP server error', { error: error.message }));

  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    zones: () => cache.zones().map((zone) => ({ zone: zone.apex, serial: zone.serial })),
    close: () => {
      closing ??= (async () => {
        await Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => {
            tcp.close(() => resolve());
            for (const socket of sockets) socket.destroy();
          }),
          cache.close(),
        ]);
      })();
      return closing;
    },
  };
}

/** TCP and UDP on the same port: a fixed one, or a free one found for both. */
async function bindBoth(
  host: string,
  port: number,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  if (isIP(host) === 0)
    throw new DnsServerError(`listen address must be an IP address, got "${host}"`, 'ELISTEN');
  for (let attempt = 1; ; attempt += 1) {
    const tcp = net.createServer();
    try {
      await listen(tcp, host, port);
    } catch (error) {
      throw bindError(error, host, port, 'TCP');
    }
    const chosen = (tcp.address() as net.AddressInfo).port;
    const udp = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    try {
      await bindUdp(udp, host, chosen);
      return { udp, tcp, port: chosen };
    } catch (error) {
      udp.close();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (port !== 0 || !inUse || attempt >= BIND_ATTEMPTS) throw bindError(error, host, chosen, 'UDP');
    }
  }
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function bindUdp(socket: dgram.Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

function bindError(error: unknown, host: string, port: number, protocol: 'TCP' | 'UDP'): DnsServerError {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new DnsServerError(`${where} is already in use (${protocol}); choose another port`, 'EADDRINUSE');
  }
  return new DnsServerError(
    `cannot listen on ${where} (${protocol}): ${error instanceof Error ? error.message : String(error)}`,
    'ELISTEN',
  );
}
