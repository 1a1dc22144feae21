/**
 * A local HTTP server that speaks Google Cloud DNS's REST/JSON API v1, so the real `@google-cloud/dns`
 * client (and the adapter built on it) runs against it unchanged: managed zones, record sets with paging
 * and filters, atomic changes with exact-match deletions (412), existing additions (409), the documented
 * per-change limits (403 quotaExceeded), pending → done, a request rate limit and injected faults, all
 * answered in Google's JSON error format. Loopback only.
 *
 * Point a client at it with `createCloudDnsTestClient` (test-client.ts), or by hand: explicit OAuth2Client
 * with a dummy token, an explicit projectId, `METADATA_SERVER_DETECTION=none`, and `dns.baseUrl = baseUrl`.
 */
import http from 'node:http';
import { loopbackHost } from '../../support/loopback';
import { runOperation, type ApiContext } from './api-operations';
import { resolveChangeLimits } from './change-limits';
import { CloudDnsApiError, CloudDnsTestServerUsageError } from './cloud-dns-api-error';
import { FaultInjector, rateLimitExceeded } from './fault-injection';
import { API_PREFIX, matchRoute, resourceOf } from './http-routing';
import { cloneRrset } from './rrset';
import { TokenBucket } from './token-bucket';
import type {
  CloudDnsRequestRecord,
  CloudDnsRrset,
  CloudDnsServerOptions,
  CloudDnsServerStats,
  CloudDnsTestServer,
} from './types';
import { ZoneStore } from './zone-store';

export type {
  CloudDnsChangeLimits,
  CloudDnsFault,
  CloudDnsFaultStatus,
  CloudDnsRequestRecord,
  CloudDnsResource,
  CloudDnsRrset,
  CloudDnsServerOptions,
  CloudDnsServerStats,
  CloudDnsTestServer,
  CloudDnsWrrItem,
} from './types';
export { CloudDnsApiError, CloudDnsTestServerUsageError } from './cloud-dns-api-error';
export { DOCUMENTED_CHANGE_LIMITS } from './change-limits';
export { createCloudDnsTestClient, type CloudDnsTestClientOptions } from './test-client';

/** Bodies above this are refused (413) before parsing: a runaway client should not eat the test's memory. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

function checkOptions(options: CloudDnsServerOptions): void {
  const { syncDelayMs, defaultPageSize, requestsPerSecond } = options;
  if (syncDelayMs !== undefined && !(Number.isFinite(syncDelayMs) && syncDelayMs >= 0)) {
    throw new CloudDnsTestServerUsageError(`syncDelayMs must be a non-negative number, got ${syncDelayMs}`);
  }
  if (defaultPageSize !== undefined && !(Number.isInteger(defaultPageSize) && defaultPageSize > 0)) {
    throw new CloudDnsTestServerUsageError(
      `defaultPageSize must be a positive integer, got ${defaultPageSize}`,
    );
  }
  if (requestsPerSecond !== undefined && !(Number.isFinite(requestsPerSecond) && requestsPerSecond > 0)) {
    throw new CloudDnsTestServerUsageError(
      `requestsPerSecond must be a positive number, got ${requestsPerSecond}`,
    );
  }
}

/** Google wants an OAuth bearer token on every call; the server checks one is there, not what it says. */
function checkAuthorization(header: string | undefined): void {
  if (header !== undefined && /^Bearer \S+/.test(header)) return;
  const message =
    'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or ' +
    'other valid authentication credential.';
  throw CloudDnsApiError.of(401, 'required', message);
}

function parseBody(raw: Buffer): { body?: unknown; error?: CloudDnsApiError } {
  if (raw.length === 0) return {};
  try {
    return { body: JSON.parse(raw.toString('utf8')) as unknown };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { error: CloudDnsApiError.of(400, 'parseError', `Invalid JSON payload received. ${why}`) };
  }
}

export async function startCloudDnsServer(options: CloudDnsServerOptions = {}): Promise<CloudDnsTestServer> {
  checkOptions(options);
  const host = loopbackHost(options.host);
  const store = new ZoneStore();
  const faults = new FaultInjector();
  let bucket =
    options.requestsPerSecond === undefined ? undefined : new TokenBucket(options.requestsPerSecond);
  const requests: CloudDnsRequestRecord[] = [];
  const requestCounts: Record<string, number> = {};
  let acceptedChanges = 0;
  let throttled = 0;
  const context: ApiContext = {
    store,
    limits: resolveChangeLimits(options.limits),
    syncDelayMs: options.syncDelayMs ?? 200,
    defaultPageSize: options.defaultPageSize ?? 100,
    now: () => Date.now(),
  };

  /** Every request goes through the same gates, in the order Google's front end applies them. */
  function answer(
    request: http.IncomingMessage,
    raw: Buffer,
    tooLarge: boolean,
    at: number,
  ): [number, unknown] {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const resource = resourceOf(url.pathname);
    const countKey = `${method} ${resource ?? 'other'}`;
    requestCounts[countKey] = (requestCounts[countKey] ?? 0) + 1;
    const parsed = tooLarge ? {} : parseBody(raw);
    const record: CloudDnsRequestRecord = { method, path: request.url ?? '/', at, status: 0 };
    if (parsed.body !== undefined) record.body = parsed.body;
    requests.push(record);

    let status: number;
    let payload: unknown;
    try {
      if (tooLarge)
        throw CloudDnsApiError.of(413, 'requestTooLarge', `Request body over ${MAX_BODY_BYTES} bytes`);
      if (bucket !== undefined && !bucket.tryTake()) {
        throttled += 1;
        throw rateLimitExceeded();
      }
      const fault = faults.take(method, resource);
      if (fault !== undefined) throw fault;
      checkAuthorization(request.headers.authorization);
      const route = matchRoute(method, url.pathname);
      if (route === undefined) {
        throw CloudDnsApiError.of(404, 'notFound', `No such Cloud DNS API method: ${method} ${url.pathname}`);
      }
      if (parsed.error !== undefined) throw parsed.error;
      payload = runOperation(context, route, url.searchParams, parsed.body);
      status = 200;
      if (route.operation === 'createChange') acceptedChanges += 1;
    } catch (error) {
      const apiError =
        error instanceof CloudDnsApiError
          ? error
          : CloudDnsApiError.of(500, 'internalError', `cloud dns test server bug: ${String(error)}`);
      status = apiError.httpStatus;
      payload = apiError.toBody();
    }
    record.status = status;
    return [status, payload];
  }

  const server = http.createServer((request, response) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const [status, payload] = answer(request, Buffer.concat(chunks), size > MAX_BODY_BYTES, at);
      const text = JSON.stringify(payload);
      response.writeHead(status, {
        'content-type': 'application/json; charset=UTF-8',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    });
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : 0);
    });
  });
  const hostInUrl = host.includes(':') ? `[${host}]` : host;

  return {
    baseUrl: `http://${hostInUrl}:${port}${API_PREFIX}`,
    createManagedZone(project: string, zone: string, dnsName: string): void {
      store.createZone(project, zone, dnsName, Date.now());
    },
    rrsets(project: string, zone: string): CloudDnsRrset[] {
      return store.sortedRrsets(store.zoneForTest(project, zone, 'rrsets')).map(cloneRrset);
    },
    seed(project: string, zone: string, rrsets: CloudDnsRrset[]): void {
      store.seed(store.zoneForTest(project, zone, 'seed'), rrsets);
    },
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setRequestsPerSecond(rps: number | undefined): void {
      bucket = rps === undefined ? undefined : new TokenBucket(rps);
    },
    requests,
    stats(): CloudDnsServerStats {
      return { requests: { ...requestCounts }, acceptedChanges, throttled };
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        // The client keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
