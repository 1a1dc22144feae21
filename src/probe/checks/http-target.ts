import { isIP } from 'node:net';
import type { HttpCheck } from '../../config/types';

/** Where one HTTP request of a check goes, and under which name it presents itself. */
export interface HttpRequestTarget {
  protocol: 'http:' | 'https:';
  /** The address the TCP connection goes to (usually the endpoint's IP under test). */
  connectHost: string;
  port: number;
  method: string;
  /** Path and query string. */
  path: string;
  /** Host header to send; `undefined` lets Node derive it from `connectHost:port`. */
  hostHeader: string | undefined;
  /** The check's explicit `sni`; kept across redirects that stay on the same name. */
  sniOverride: string | undefined;
}

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** The check follows at most this many redirects (each a fresh connection, all within the one deadline). */
export const MAX_REDIRECTS = 5;

export function initialHttpTarget(check: HttpCheck): HttpRequestTarget {
  return {
    protocol: check.type === 'https' ? 'https:' : 'http:',
    connectHost: check.host,
    port: check.port,
    method: check.method.toUpperCase(),
    path: check.path === '' ? '/' : check.path,
    hostHeader: check.hostHeader,
    sniOverride: check.sni,
  };
}

/** `api.example.com:8443` -> `api.example.com`, `[2001:db8::1]:443` -> `2001:db8::1`. */
export function hostNameOfHostHeader(hostHeader: string): string {
  const trimmed = hostHeader.trim();
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    return end === -1 ? trimmed : trimmed.slice(1, end);
  }
  const colon = trimmed.indexOf(':');
  // More than one colon without brackets is a bare IPv6 address, not name:port.
  return colon !== -1 && trimmed.indexOf(':', colon + 1) === -1 ? trimmed.slice(0, colon) : trimmed;
}

/**
 * The TLS server name (SNI, and the name the certificate is verified against) for a target:
 * the explicit `sni`, else the Host header's name, else the connect host. An IP is never sent as SNI
 * (RFC 6066 forbids it): `''` means "no SNI", and the certificate is then verified against the IP.
 */
export function tlsServerName(target: HttpRequestTarget): string {
  const name =
    target.sniOverride ??
    (target.hostHeader !== undefined ? hostNameOfHostHeader(target.hostHeader) : target.connectHost);
  return isIP(name) === 0 ? name : '';
}

function urlHost(name: string): string {
  return isIP(name) === 6 ? `[${name}]` : name;
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** The name the current request presents: what a relative or same-name redirect is resolved against. */
function presentedName(target: HttpRequestTarget): string {
  return target.hostHeader !== undefined ? hostNameOfHostHeader(target.hostHeader) : target.connectHost;
}

/**
 * Where a redirect leads. A redirect to the name the check presents (relative, or absolute to the same
 * host name) stays on the address under test: probing an IP as `api.example.com` and being sent to
 * `https://api.example.com/health` must keep testing that IP, not whatever the name resolves to.
 * A redirect to another name connects to that name.
 *
 * @returns the next target, or a detail string when the location cannot be followed.
 */
export function redirectTarget(
  current: HttpRequestTarget,
  status: number,
  location: string,
): HttpRequestTarget | string {
  let base: URL;
  let next: URL;
  try {
    base = new URL(`${current.protocol}//${urlHost(presentedName(current))}:${current.port}${current.path}`);
    next = new URL(location, base);
  } catch {
    return `HTTP ${status} redirect to an invalid location`;
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return `HTTP ${status} redirect to unsupported scheme ${next.protocol}`;
  }
  const protocol = next.protocol;
  const port = next.port !== '' ? Number(next.port) : protocol === 'https:' ? 443 : 80;
  const nextName = stripBrackets(next.hostname).toLowerCase();
  const sameName = nextName === stripBrackets(base.hostname).toLowerCase();
  const sameOrigin = sameName && protocol === current.protocol && port === current.port;
  // RFC 9110 15.4: 303 turns into GET; user agents historically do the same for POST on 301/302.
  const method =
    (status === 303 && current.method !== 'HEAD') ||
    ((status === 301 || status === 302) && current.method === 'POST')
      ? 'GET'
      : current.method;
  return {
    protocol,
    connectHost: sameName ? current.connectHost : nextName,
    port,
    method,
    path: `${next.pathname}${next.search}`,
    // Same origin: present exactly the same Host; same name elsewhere (http -> https): the URL's authority.
    hostHeader:
      current.hostHeader === undefined || !sameName ? undefined : sameOrigin ? current.hostHeader : next.host,
    sniOverride: sameName ? current.sniOverride : undefined,
  };
}
