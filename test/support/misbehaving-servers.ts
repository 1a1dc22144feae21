/**
 * Real servers on 127.0.0.1 (ephemeral ports) that misbehave on purpose: they hang, reset, answer slowly,
 * answer 503 or the wrong body, redirect, stream 10 MB, or serve TLS with a self-signed certificate.
 *
 * Used by the check tests, and meant for the probe worker's integration tests, the lab and e2e tests.
 * Every server counts the TCP connections it accepted (a health check must open a fresh one each time)
 * and `close()` destroys whatever is still open, so a test suite leaves no handle behind.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { loopbackHost } from './loopback';
import { loadTestTls, type TlsMaterial } from './test-tls';

export { LOOPBACK, loopbackHost } from './loopback';
export { loadTestTls, type TlsMaterial } from './test-tls';
export { startDnsServer, type DnsTestServer, type DnsTable, type DnsTableEntry } from './test-dns-server';

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Closes the listener and destroys every open connection. */
  close(): Promise<void>;
}

export interface SeenRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** SNI the client presented (https only; `false` when it sent none). */
  servername?: string | false;
  /** Which accepted connection carried the request (1-based, in accept order). */
  connectionNumber: number;
}

export interface HttpTestServer extends TestServer {
  /** `http://127.0.0.1:port` or `https://127.0.0.1:port`. */
  readonly url: string;
  /** Every request received, in arrival order. */
  readonly requests: SeenRequest[];
}

export type TestRequestHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

export interface ListenOptions {
  /** Loopback address to listen on (see `loopbackHost`): default 127.0.0.1. */
  host?: string;
}

export interface HttpServerOptions extends ListenOptions {
  /** Serve HTTPS with this material; `true` = the committed self-signed `localhost` certificate. */
  tls?: boolean | TlsMaterial;
}

function listen(server: net.Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(() => resolve());
  });
}

/** An HTTP(S) server with a custom handler; the building block of the presets below. */
export async function startHttpServer(
  handler: TestRequestHandler,
  options: HttpServerOptions = {},
): Promise<HttpTestServer> {
  const host = loopbackHost(options.host);
  const requests: SeenRequest[] = [];
  const sockets = new Set<net.Socket>();
  const numbers = new WeakMap<net.Socket, number>();
  let connections = 0;

  const onRequest = (request: http.IncomingMessage, response: http.ServerResponse): void => {
    const socket = request.socket;
    const seen: SeenRequest = {
      method: request.method ?? '',
      url: request.url ?? '',
      headers: request.headers,
      connectionNumber: numbers.get(socket) ?? 0,
    };
    if (options.tls) seen.servername = (socket as TLSSocket).servername ?? false;
    requests.push(seen);
    handler(request, response);
  };

  const tls = options.tls === true ? loadTestTls() : options.tls === false ? undefined : options.tls;
  const server: http.Server | https.Server = tls
    ? https.createServer(tls, onRequest)
    : http.createServer(onRequest);
  server.on('connection', (socket: net.Socket) => {
    connections += 1;
    numbers.set(socket, connections);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (tls) {
    // The request's socket is the TLS socket; number it like the TCP connection it wraps (the most recent
    // one: exact for the sequential checks of a test).
    server.on('secureConnection', (socket: TLSSocket) => numbers.set(socket, connections));
    // Clients that reject the certificate abort the handshake: expected here, not a server error.
    server.on('tlsClientError', () => undefined);
  }

  const port = await listen(server, host);
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return {
    host,
    port,
    url: `${tls ? 'https' : 'http'}://${authority}`,
    requests,
    get connections() {
      return connections;
    },
    close: () => {
      server.closeAllConnections();
      return closeServer(server, sockets);
    },
  };
}

/** Answers every request with `status` and `body` at once. */
export function startStatusServer(
  status: number,
  body = '',
  options: HttpServerOptions = {},
): Promise<HttpTestServer> {
  return startHttpServer((_request, response) => {
    response.writeHead(status, { 'Content-Type': 'text/plain' });
    response.end(body);
  }, options);
}

/** Answers 200 with a fixed body. */
export function startBodyServer(
  body: string,
  contentType = 'text/plain',
  options: HttpServerOptions = {},
): Promise<HttpTestServer> {
  return startHttpServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': contentType });
    response.end(body);
  }, options);
}

/** Answers 200 with `value` as JSON. */
export function startJsonServer(value: unknown, options: HttpServerOptions = {}): Promise<HttpTestServer> {
  return startBodyServer(JSON.stringify(value), 'application/json', options);
}

/** Sends the headers and body only after `delayMs` (a slow but correct answer). */
export function startSlowServer(
  delayMs: number,
  status = 200,
  body = 'ok',
  options: HttpServerOptions = {},
): Promise<HttpTestServer> {
  return startHttpServer((_request, response) => {
    const timer = setTimeout(() => {
      response.writeHead(status, { 'Content-Type': 'text/plain' });
      response.end(body);
    }, delayMs);
    response.on('close', () => clearTimeout(timer));
  }, options);
}

/**
 * Redirects with `status` to `location` (a function gets the request path, e.g. to build chains), or, when
 * the path is `finalPath`, answers 200 `ok`.
 */
export function startRedirectServer(
  location: string | ((path: string) => string),
  status = 302,
  finalPath = '/final',
  options: HttpServerOptions = {},
): Promise<HttpTestServer> {
  return startHttpServer((request, response) => {
    const path = request.url ?? '/';
    if (path === finalPath) {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return;
    }
    response.writeHead(status, { Location: typeof location === 'string' ? location : location(path) });
    response.end();
  }, options);
}

export interface HugeBodyServer extends HttpTestServer {
  /** Per response, in order: bytes handed to the socket, and whether the whole body was sent. */
  readonly responses: Array<{ bytesWritten: number; finished: boolean; closedEarly: boolean }>;
}

/**
 * Answers 200 and streams `totalBytes` of `x`, ending with `tail` (so a match on the tail only succeeds
 * for a client that reads everything). Writes with back-pressure: a client that stops reading stalls it.
 */
export async function startHugeBodyServer(
  totalBytes: number,
  tail = 'TAIL',
  options: HttpServerOptions = {},
): Promise<HugeBodyServer> {
  const responses: HugeBodyServer['responses'] = [];
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = await startHttpServer((_request, response) => {
    const stats = { bytesWritten: 0, finished: false, closedEarly: false };
    responses.push(stats);
    response.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(totalBytes) });
    response.on('finish', () => (stats.finished = true));
    response.on('close', () => (stats.closedEarly = !stats.finished));
    response.on('error', () => undefined);
    const writeMore = (): void => {
      while (stats.bytesWritten < totalBytes && !response.destroyed) {
        const remaining = totalBytes - stats.bytesWritten;
        const isLast = remaining <= chunk.length;
        const piece = isLast
          ? Buffer.concat([chunk.subarray(0, Math.max(0, remaining - tail.length)), Buffer.from(tail)])
          : chunk;
        stats.bytesWritten += piece.length;
        if (isLast) {
          response.end(piece);
          return;
        }
        if (!response.write(piece)) {
          response.once('drain', writeMore);
          return;
        }
      }
    };
    writeMore();
  }, options);
  return Object.assign(server, { responses });
}

/** An HTTPS server with the self-signed `localhost` certificate, answering 200 `ok` unless given a handler. */
export function startTlsServer(
  handler?: TestRequestHandler,
  options: ListenOptions = {},
): Promise<HttpTestServer> {
  return startHttpServer(
    handler ??
      ((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'text/plain' });
        response.end('ok');
      }),
    { ...options, tls: true },
  );
}

export interface TcpTestServer extends TestServer {
  /** Bytes received over all connections. */
  readonly bytesReceived: number;
  /** Connections not closed yet (a client that closes at once brings this back to 0). */
  readonly openConnections: number;
}

/** A raw TCP server; `onConnection` decides how it misbehaves. */
export async function startTcpServer(
  onConnection: (socket: net.Socket) => void = () => undefined,
  options: ListenOptions = {},
): Promise<TcpTestServer> {
  const host = loopbackHost(options.host);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let bytesReceived = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (data: Buffer) => (bytesReceived += data.length));
    // A client that closes its side is done; do not keep the socket half-open.
    socket.on('end', () => socket.end());
    onConnection(socket);
  });
  const port = await listen(server, host);
  return {
    host,
    port,
    get connections() {
      return connections;
    },
    get bytesReceived() {
      return bytesReceived;
    },
    get openConnections() {
      return sockets.size;
    },
    close: () => closeServer(server, sockets),
  };
}

/** Accepts connections and reads, but never writes a byte: a hung application (or a TLS server that never handshakes). */
export function startHangingServer(options: ListenOptions = {}): Promise<TcpTestServer> {
  return startTcpServer(undefined, options);
}

/** Accepts, then resets the connection (RST) as soon as the client sends anything. */
export function startResettingServer(options: ListenOptions = {}): Promise<TcpTestServer> {
  return startTcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()), options);
}

/** Accepts, reads the request, then closes cleanly (FIN) without answering: "socket hang up". */
export function startClosingServer(options: ListenOptions = {}): Promise<TcpTestServer> {
  return startTcpServer((socket) => socket.once('data', () => socket.end()), options);
}

/** A port on 127.0.0.1 where nothing listens: bound once to get it from the kernel, then closed. */
export async function getClosedPort(options: ListenOptions = {}): Promise<number> {
  const server = net.createServer();
  const port = await listen(server, loopbackHost(options.host));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
