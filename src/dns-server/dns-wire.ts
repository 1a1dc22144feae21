/**
 * Bytes in and out of the DNS server: decoding a query (or answering FORMERR to one that does not decode),
 * encoding a response within a size limit (TC set and sections emptied when it does not fit, so the client
 * retries over TCP, RFC 1035 4.2.1 / RFC 7766), and the 2-byte length framing of DNS over TCP.
 */
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { Rcode } from './answer-query';

const HEADER_SIZE = 12;
const QR_BIT = 0x8000;
const OPCODE_MASK = 0x7800;
const RD_BIT = 0x0100;

/** The largest DNS message (TCP length prefix is 16 bits). */
export const MAX_MESSAGE_SIZE = 65_535;

export type DecodeResult =
  | { ok: true; query: DecodedPacket }
  /** `reply` is a FORMERR (or undefined when the bytes are not even a query header: drop them). */
  | { ok: false; reply: Buffer | undefined; error: string };

export function decodeQuery(message: Buffer): DecodeResult {
  try {
    return { ok: true, query: dnsPacket.decode(message) };
  } catch (error) {
    return {
      ok: false,
      reply: headerOnlyReply(message, Rcode.FORMERR),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * A reply carrying only a header (no question): FORMERR for a query that does not decode, SERVFAIL when
 * answering failed. Undefined when `message` has no complete header or is itself a response (never answer a
 * response: two servers would bounce errors forever).
 */
export function headerOnlyReply(message: Buffer, rcode: number): Buffer | undefined {
  if (message.length < HEADER_SIZE) return undefined;
  const flags = message.readUInt16BE(2);
  if ((flags & QR_BIT) !== 0) return undefined;
  const reply = Buffer.alloc(HEADER_SIZE);
  message.copy(reply, 0, 0, 2);
  reply.writeUInt16BE(QR_BIT | (flags & OPCODE_MASK) | (flags & RD_BIT) | (rcode & 0xf), 2);
  return reply;
}

/**
 * The response's bytes, at most `limit` long: a response that does not fit goes out with TC set, its question
 * and OPT only.
 */
export function encodeResponse(response: Packet, limit: number): Buffer {
  const wire = dnsPacket.encode(response);
  if (wire.length <= limit) return wire;
  return dnsPacket.encode({
    ...response,
    flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    answers: [],
    authorities: [],
    additionals: (response.additionals ?? []).filter((record) => record.type === 'OPT'),
  });
}

/** A message with its 2-byte length prefix, for TCP. */
export function frame(message: Buffer): Buffer {
  const framed = Buffer.alloc(2 + message.length);
  framed.writeUInt16BE(message.length, 0);
  message.copy(framed, 2);
  return framed;
}

/**
 * Splits a TCP byte stream into DNS messages (RFC 1035 4.2.2): a client may send several queries on one
 * connection, and TCP may deliver them in any pieces.
 */
export class TcpMessageReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** The complete messages `chunk` finishes. A zero length prefix is a protocol error: `invalid` is true. */
  push(chunk: Buffer): { messages: Buffer[]; invalid: boolean } {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 2) {
      const length = this.buffered.readUInt16BE(0);
      if (length === 0) return { messages, invalid: true };
      if (this.buffered.length < 2 + length) break;
      messages.push(this.buffered.subarray(2, 2 + length));
      this.buffered = this.buffered.subarray(2 + length);
    }
    return { messages, invalid: false };
  }
}
