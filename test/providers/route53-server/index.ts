/**
 * A local Route 53 (REST/XML API version 2013-04-01) for tests and benchmarks: the real
 * `@aws-sdk/client-route-53` talks to it over HTTP on 127.0.0.1, so adapters are exercised through the SDK's
 * own serialisation, error mapping and retry logic rather than through a mocked client.
 *
 * It implements the four operations a DNS steering adapter needs (GetHostedZone, ListResourceRecordSets,
 * ChangeResourceRecordSets, GetChange) with Route 53's documented semantics: transactional batches validated
 * like the real service, per-request limits, PENDING -> INSYNC, the account rate limit, and faults on demand.
 *
 * ```ts
 * const r53 = await startRoute53Server({ requestsPerSecond: 5 });
 * const zoneId = r53.createHostedZone('example.com');
 * const client = new Route53Client({ endpoint: r53.endpoint, region: 'us-east-1',
 *   credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
 * ```
 */
import http from 'node:http';
import type net from 'node:net';
import { LOOPBACK } from '../../support/loopback';
import { Route53TestServerError } from './api-error';
import { FaultInjector, type InjectableErrorCode, type Route53Operation } from './fault-injector';
import { createRequestHandler, type RecordedRequest, type ServerState } from './http-routing';
import { TokenBucket } from './rate-limiter';
import { cloneRecordSet, type R53RecordSet } from './record-set';
import { DEFAULT_CHANGE_BATCH_LIMITS, type ChangeBatchLimits } from './request-limits';
import { ZoneStore } from './zone-store';

export type { R53AliasTarget, R53RecordSet } from './record-set';
export { recordSetKey } from './record-set';
export type { RecordedRequest } from './http-routing';
export type { ParsedChange, ParsedChangeBatch, ChangeAction } from './change-batch-xml';
export type { InjectableErrorCode, Route53Operation } from './fault-injector';
export type { ChangeBatchLimits } from './request-limits';
export { Route53TestServerError } from './api-error';

export interface Route53ServerOptions {
  /** GetChange answers PENDING until this long after the change was accepted. @default 200 */
  syncDelayMs?: number;
  /**
   * Documented per-request limits (UPSERT counts twice).
   * @default { maxResourceRecords: 1000, maxValueChars: 32000 }
   */
  limits?: ChangeBatchLimits;
  /** Token bucket: requests/s over all operations; excess gets 400 Throttling "Rate exceeded". @default unlimited */
  requestsPerSecond?: number;
  /** ListResourceRecordSets page size when the client sends no maxitems. @default 100 (API max 300) */
  defaultPageSize?: number;
}

export interface Route53Fault {
  /** Only this operation; default every operation. */
  operation?: Route53Operation;
  code: InjectableErrorCode;
  /** How many matching requests fail. Default 1, or unlimited when `probability` is given. */
  count?: number;
  /** Each matching request fails with this probability, from a generator seeded with `seed` (default 1). */
  probability?: number;
  seed?: number;
}

export interface Route53ServerStats {
  /** Requests received per operation (`Unknown` for paths the server does not implement), rejected ones too. */
  requests: Record<string, number>;
  /** Change batches accepted (each is one Route 53 "change" with its own id). */
  acceptedChanges: number;
  /** Requests answered with Throttling, by the rate limiter or an injected fault. */
  throttled: number;
  /**
   * How many times an accepted batch changed each record set (CREATE, UPSERT or DELETE), keyed by
   * `recordSetKey(name, type, setIdentifier)`: lets a test prove no change landed twice.
   */
  appliedChanges: Record<string, number>;
}

export interface Route53TestServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Returns the zone id like `Z0123ABC...` (no `/hostedzone/` prefix); `name` is the FQDN without the dot. */
  createHostedZone(name: string): string;
  /** Record sets as stored (names without trailing dot, lower-case), sorted as Route 53 lists them. */
  recordSets(zoneId: string): R53RecordSet[];
  /** Adds or replaces record sets directly (no batch, no request counted); checked for shape only. */
  seed(zoneId: string, sets: R53RecordSet[]): void;
  /** Next matching requests fail with this error (count times, or with probability p using a seeded RNG). */
  injectFault(fault: Route53Fault): void;
  clearFaults(): void;
  /** Changes the account rate limit; `undefined` lifts it. The bucket starts full. */
  setRequestsPerSecond(rps: number | undefined): void;
  /** Every request received, in order: operation, time, and for changes the parsed batch and whether it was accepted. */
  readonly requests: RecordedRequest[];
  stats(): Route53ServerStats;
  close(): Promise<void>;
}

function checkOptions(options: Route53ServerOptions): void {
  const fail = (message: string): never => {
    throw new Route53TestServerError('INVALID_OPTION', message);
  };
  if (options.syncDelayMs !== undefined && !(options.syncDelayMs >= 0)) fail('syncDelayMs must be >= 0');
  if (
    options.defaultPageSize !== undefined &&
    !(Number.isInteger(options.defaultPageSize) && options.defaultPageSize >= 1)
  ) {
    fail('defaultPageSize must be a positive integer');
  }
  const limits = options.limits;
  if (limits !== undefined && !(limits.maxResourceRecords >= 1 && limits.maxValueChars >= 1)) {
    fail('limits.maxResourceRecords and limits.maxValueChars must be >= 1');
  }
}

export async function startRoute53Server(options: Route53ServerOptions = {}): Promise<Route53TestServer> {
  checkOptions(options);
  const state: ServerState = {
    store: new ZoneStore(),
    limits: { ...(options.limits ?? DEFAULT_CHANGE_BATCH_LIMITS) },
    syncDelayMs: options.syncDelayMs ?? 200,
    defaultPageSize: options.defaultPageSize ?? 100,
    bucket: new TokenBucket(options.requestsPerSecond),
    faults: new FaultInjector(),
    requests: [],
    counters: { requests: {}, acceptedChanges: 0, throttled: 0, appliedChanges: {} },
  };

  const server = http.createServer(createRequestHandler(state));
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });

  return {
    endpoint: `http://${LOOPBACK}:${port}`,
    createHostedZone: (name) => state.store.createZone(name).id,
    recordSets: (zoneId) => state.store.sortedSets(state.store.zoneForTest(zoneId)).map(cloneRecordSet),
    seed: (zoneId, sets) => state.store.seed(zoneId, sets),
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    setRequestsPerSecond: (rps) => state.bucket.setRate(rps),
    get requests() {
      return state.requests;
    },
    stats: () => ({
      requests: { ...state.counters.requests },
      acceptedChanges: state.counters.acceptedChanges,
      throttled: state.counters.throttled,
      appliedChanges: { ...state.counters.appliedChanges },
    }),
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive connections from SDK clients would hold close() open: end them.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
