/**
 * Authoritative name server addresses as written in `providers.<name>.nameServers`: `host` or
 * `host:port`, where host is an IPv4 address, an IPv6 address (in brackets when a port follows:
 * `[2001:db8::53]:5353`) or a DNS name.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DNS_NAME_PATTERN, normalizeDnsName } from './names';

export const DEFAULT_DNS_PORT = 53;

export interface NameServer {
  /** IP address, or DNS name (lower case, no trailing dot). IPv6 without brackets. */
  host: string;
  port: number;
}

/** For editors (JSON Schema): the shape; `parseNameServer` checks octets, IPv6 and port ranges. */
export const NAME_SERVER_PATTERN =
  '^(?:\\[[0-9A-Fa-f:.]+\\](?::\\d{1,5})?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9_.-]+(?::\\d{1,5})?)$';

const DNS_NAME_RE = new RegExp(DNS_NAME_PATTERN);
const ALL_NUMERIC_RE = /^[\d.]+$/;

/** `undefined` when the text is not a host or host:port (a name of all digits must be a valid IPv4). */
export function parseNameServer(text: string): NameServer | undefined {
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2];
    if (!isIPv6(host)) return undefined;
  } else if (isIPv6(text)) {
    host = text;
  } else {
    const match = /^([^:]+)(?::(\d+))?$/.exec(text);
    if (!match) return undefined;
    host = match[1] as string;
    portText = match[2];
    if (ALL_NUMERIC_RE.test(host) ? !isIPv4(host) : !DNS_NAME_RE.test(host) || host.startsWith('*')) {
      return undefined;
    }
    if (!isIPv4(host)) host = normalizeDnsName(host);
  }
  const port = portText === undefined ? DEFAULT_DNS_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: host.toLowerCase(), port };
}

/** The canonical text of a name server: always `host:port` (`[v6]:port` for IPv6). */
export function formatNameServer({ host, port }: NameServer): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
