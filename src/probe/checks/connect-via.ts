/**
 * Connect-address rewriting for labs and tests (`quorumdns probe --via <host:port>=<host:port>`): when a
 * check targets the left-hand address, the probe connects to the right-hand one instead, while presenting
 * the same Host header and TLS server name. It puts a fault-injecting proxy in ONE probe region's path to one
 * data center, which is how a partition between a region and a data center is reproduced on one machine.
 *
 * Not a production feature: a production probe must test the address the config names.
 */
import { isIP } from 'node:net';

export interface ConnectAddress {
  host: string;
  port: number;
}

/** Target `host:port` (canonical form, see `addressKey`) -> where to connect instead. */
export type ConnectViaMap = ReadonlyMap<string, ConnectAddress>;

/** A `--via` value that is not `<host:port>=<host:port>`. */
export class ViaSyntaxError extends Error {
  readonly code = 'EVIASYNTAX';
  override readonly name = 'ViaSyntaxError';
}

/** The key of an address in a `ConnectViaMap`: `host:port` with the host in lower case, IPv6 in brackets. */
export function addressKey(host: string, port: number): string {
  return formatConnectAddress({ host: host.toLowerCase(), port });
}

/** `127.0.0.1:80`, `[::1]:80`. */
export function formatConnectAddress(address: ConnectAddress): string {
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** `host:port` or `[v6]:port` -> address; throws `ViaSyntaxError` naming the side and the text. */
export function parseHostPort(text: string, side: string): ConnectAddress {
  const trimmed = text.trim();
  let host: string;
  let portText: string;
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    if (end === -1 || trimmed[end + 1] !== ':') {
      throw new ViaSyntaxError(`${side} "${text}" must be [ipv6]:port`);
    }
    host = trimmed.slice(1, end);
    portText = trimmed.slice(end + 2);
    if (isIP(host) !== 6) throw new ViaSyntaxError(`${side} "${text}": "${host}" is not an IPv6 address`);
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon <= 0 || trimmed.indexOf(':') !== colon) {
      throw new ViaSyntaxError(`${side} "${text}" must be host:port (IPv6 as [address]:port)`);
    }
    host = trimmed.slice(0, colon);
    portText = trimmed.slice(colon + 1);
  }
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ViaSyntaxError(`${side} "${text}": the port must be a number from 1 to 65535`);
  }
  return { host, port };
}

/**
 * Parses the values of every `--via` flag. The same target given twice is refused: which one wins would be
 * a silent surprise.
 */
export function parseConnectVia(values: readonly string[]): ConnectViaMap {
  const map = new Map<string, ConnectAddress>();
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals === -1 || value.indexOf('=', equals + 1) !== -1) {
      throw new ViaSyntaxError(
        `--via "${value}" must be <host:port>=<host:port> (the target, then where to connect)`,
      );
    }
    const from = parseHostPort(value.slice(0, equals), 'the target of --via');
    const to = parseHostPort(value.slice(equals + 1), 'the address of --via');
    const key = addressKey(from.host, from.port);
    if (map.has(key)) throw new ViaSyntaxError(`--via names ${formatConnectAddress(from)} more than once`);
    map.set(key, to);
  }
  return map;
}

/** Where to connect for a check that targets `host:port`: the mapped address, or the target itself. */
export function connectAddressFor(
  map: ConnectViaMap | undefined,
  host: string,
  port: number,
): ConnectAddress {
  return map?.get(addressKey(host, port)) ?? { host, port };
}
