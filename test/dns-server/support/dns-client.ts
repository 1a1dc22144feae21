/**
 * A small DNS client for the DNS server tests: real packets (dns-packet) over real UDP and TCP sockets on
 * loopback, with a deadline on every exchange (a server that never answers fails the test, it does not hang).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type OptAnswer, type Packet, type RecordType } from 'dns-packet';

export const HOST = '127.0.0.1';
const DEADLINE_MS = 5_000;

export interface QueryOptions {
  id?: number;
  /** EDNS0 UDP payload size; absent = no OPT record (plain DNS, 512-byte UDP answers). */
  edns?: number;
  ednsVersion?: number;
  /** @default 'IN' */
  class?: 'IN' | 'CH' | 'ANY';
  /** @default true */
  recursionDesired?: boolean;
}

let nextId = 1;

export function query(name: string, type: RecordType | string, options: QueryOptions = {}): Packet {
  const additionals: OptAnswer[] =
    options.edns === undefined
      ? []
      : [
          {
            name: '.',
            type: 'OPT',
            udpPayloadSize: options.edns,
            extendedRcode: 0,
            ednsVersion: options.ednsVersion ?? 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  nextId = (nextId % 65_000) + 1;
  return {
    type: 'query',
    id: options.id ?? nextId,
    flags: options.recursionDesired === false ? 0 : dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as RecordType, class: options.class ?? 'IN' }],
    additionals,
  };
}

export interface Reply {
  raw: Buffer;
  packet: DecodedPacket;
  /** Header rcode (4 bits), as dns-packet names it. */
  rcode: string;
}

function decodeReply(raw: Buffer): Reply {
  const packet = dnsPacket.decode(raw);
  return { raw, packet, rcode: (packet as DecodedPacket & { rcode: string }).rcode };
}

/** Sends one datagram and waits for one answer. */
export function udpExchange(port: number, message: Buffer | Packet): Promise<Reply> {
  const bytes = Buffer.isBuffer(message) ? message : dnsPacket.encode(message);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no UDP answer from ${HOST}:${port} within ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
    socket.once('message', (raw) => {
      clearTimeout(timer);
      socket.close();
      try {
        resolve(decodeReply(raw));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.send(bytes, port, HOST);
  });
}

/**
 * Opens one TCP connection, writes `chunks` as they are (frames may be split or joined across them), and
 * collects `expected` framed answers. Resolves early with what arrived if the server closes the connection.
 */
export function tcpExchange(
  port: number,
  chunks: Buffer[],
  expected: number,
): Promise<{ replies: Reply[]; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host: HOST, port });
    const replies: Reply[] = [];
    let buffered = Buffer.alloc(0);
    let settled = false;
    const finish = (closedByServer: boolean, error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ replies, closedByServer });
    };
    const timer = setTimeout(
      () =>
        finish(false, new Error(`got ${replies.length} of ${expected} TCP answers within ${DEADLINE_MS} ms`)),
      DEADLINE_MS,
    );
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const length = buffered.readUInt16BE(0);
        replies.push(decodeReply(buffered.subarray(2, 2 + length)));
        buffered = buffered.subarray(2 + length);
      }
      if (replies.length >= expected) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (error) => finish(false, error));
  });
}

/** One query over its own TCP connection. */
export async function tcpQuery(port: number, packet: Packet): Promise<Reply> {
  const { replies } = await tcpExchange(port, [dnsPacket.streamEncode(packet)], 1);
  const reply = replies[0];
  if (reply === undefined) throw new Error('the server closed the TCP connection without answering');
  return reply;
}

/** The data of the answers of one type, sorted: `['192.0.2.1', '192.0.2.2']`. */
export function answerData(reply: Reply, type = 'A'): string[] {
  return (reply.packet.answers ?? [])
    .filter((answer) => answer.type === type)
    .map((answer) => String((answer as { data: unknown }).data))
    .sort();
}
