/**
 * The small HTTP server of every long-running quorumdns process: `/metrics` (Prometheus text), `/healthz`
 * (the process is alive) and `/readyz` (it can do its job: Redis reachable, config loaded). Binds 127.0.0.1
 * unless told otherwise: metrics reveal service names and topology, so exposing them is a deliberate choice.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** What `/readyz` reports: ready, or not with the reasons (one per line in the body). */
export interface Readiness {
  ready: boolean;
  reasons: string[];
}

export interface HealthServerOptions {
  /** 0 = an ephemeral port (read it back from `port`). */
  port: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  registry: Registry;
  /** Asked on every `/readyz`; a throw or a result slower than `readyTimeoutMs` counts as not ready. */
  ready: () => Promise<Readiness> | Readiness;
  /** @defaultValue 2000 */
  readyTimeoutMs?: number;
}

export interface HealthServer {
  /** The port actually bound. */
  port: number;
  host: string;
  close(): Promise<void>;
}

export class HealthServerError extends Error {
  readonly code = 'EHEALTHSERVER';
  override readonly name = 'HealthServerError';
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      send(response, 500, `internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new HealthServerError(`cannot listen on ${host}:${options.port}: ${error.code ?? error.message}`),
      );
    });
    server.listen(options.port, host, () => resolve());
  });
  // Scrapers keep connections open; closing must not wait for them.
  server.keepAliveTimeout = 5000;
  const address = server.address() as AddressInfo;
  return { port: address.port, host, close: () => closeServer(server) };
}

async function handle(
  options: HealthServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  switch (path) {
    case '/metrics': {
      const body = await options.registry.metrics();
      send(response, 200, body, { 'content-type': options.registry.contentType });
      return;
    }
    case '/healthz':
      send(response, 200, 'ok\n');
      return;
    case '/readyz': {
      const readiness = await readinessWithin(options);
      send(
        response,
        readiness.ready ? 200 : 503,
        readiness.ready ? 'ready\n' : `not ready\n${readiness.reasons.join('\n')}\n`,
      );
      return;
    }
    default:
      send(response, 404, 'not found: try /metrics, /healthz or /readyz\n');
  }
}

async function readinessWithin(options: HealthServerOptions): Promise<Readiness> {
  const timeoutMs = options.readyTimeoutMs ?? 2000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Readiness>((resolve) => {
    timer = setTimeout(
      () => resolve({ ready: false, reasons: [`readiness check took over ${timeoutMs} ms`] }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(options.ready), timeout]);
  } catch (error) {
    return { ready: false, reasons: [error instanceof Error ? error.message : String(error)] };
  } finally {
    clearTimeout(timer);
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
