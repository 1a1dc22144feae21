/**
 * The four Cloud DNS calls quorumdns makes, behind a narrow interface (external-dns's provider.go): the adapter
 * depends on this, not on the client library, so a test can count or alter calls without mocking a client
 * method, and the surface we rely on is visible in one place:
 *
 *   rrsets.list       GET  projects/{p}/managedZones/{zone}/rrsets?name=&type=&maxResults=&pageToken=
 *   changes.create    POST projects/{p}/managedZones/{zone}/changes  {additions, deletions}
 *   changes.get       GET  projects/{p}/managedZones/{zone}/changes/{id}
 *   managedZones.get  GET  projects/{p}/managedZones/{zone}
 *
 * The implementation is the real `@google-cloud/dns` client, with three things set on purpose:
 * - credentials: the auth client given (see clouddns-credentials.ts), else Application Default Credentials;
 *   the project is always explicit, so the client never asks the credentials (or a metadata server) for one;
 * - `baseUrl`: replaced when an endpoint override is configured (tests and labs only; the client otherwise
 *   builds `https://dns.googleapis.com/dns/v1`);
 * - NO retries inside the client. The shared layer (src/providers/retry.ts, sync-target.ts) is the one place
 *   that retries, with its jittered backoff and rate limiter; a second loop inside the client would multiply
 *   attempts, hide throttling from the shared layer's counts, and send a write again after a lost answer,
 *   which the shared layer deliberately re-reads instead. Measured with @google-cloud/dns 5.3 /
 *   @google-cloud/common 6.1: `autoRetry: false` given to `new DNS()` is ignored (the DNS class does not pass
 *   it on); a request interceptor setting `maxRetries: 0` stops the retries of 429/5xx answers, but NOT those
 *   of requests that got no answer (refused, reset, timed out): retry-request keeps `noResponseRetries` at 3
 *   and a reset POST reached the server 4 times in 15 s. So the client's request function is rebuilt with
 *   `autoRetry: false` (both counts 0), and the interceptor stays as a second guard;
 * - a deadline per request: node-fetch 3 (under teeny-request) ignores the client's `timeout`, so every call
 *   is raced against `requestTimeoutMs` (and the caller's abort signal) here. A call that runs out fails as
 *   UNAVAILABLE; its request may still land, which is why the shared layer re-reads after such a write.
 */
import { util as googleCommon } from '@google-cloud/common';
import { DNS, type Zone } from '@google-cloud/dns';
import type { AuthClient } from 'google-auth-library';
import { abortReason, throwIfAborted } from '../clock';
import { CloudDnsTimeoutError } from './clouddns-errors';
import {
  parseRrsetPage,
  parseWireChange,
  parseWireManagedZone,
  type WireChange,
  type WireChangeRequest,
  type WireManagedZone,
  type WireRrsetPage,
} from './clouddns-wire';

export interface RrsetQuery {
  /** Exact, fully qualified name (trailing dot). */
  name?: string;
  /** Record type; the API takes it only together with `name`. */
  type?: string;
  /** Page size. @default the server's choice */
  maxResults?: number;
  pageToken?: string;
}

export interface CloudDnsApi {
  listRrsets(zone: string, query: RrsetQuery, signal?: AbortSignal): Promise<WireRrsetPage>;
  createChange(zone: string, change: WireChangeRequest, signal?: AbortSignal): Promise<WireChange>;
  getChange(zone: string, changeId: string, signal?: AbortSignal): Promise<WireChange>;
  getManagedZone(zone: string, signal?: AbortSignal): Promise<WireManagedZone>;
  /** Stops answering; requests still in flight are abandoned. */
  close(): void;
}

export interface CloudDnsApiOptions {
  project: string;
  /** @default Application Default Credentials */
  authClient?: AuthClient;
  /**
   * API root for tests and labs ONLY, e.g. `http://127.0.0.1:8080` (`/dns/v1` is appended unless the URL
   * already ends with it). Production never sets it.
   */
  endpoint?: string;
  /** Deadline of one request, answer included. @default 30000 */
  requestTimeoutMs?: number;
}

/** The scopes Cloud DNS record changes need (the client's own defaults). */
const SCOPES = [
  'https://www.googleapis.com/auth/ndev.clouddns.readwrite',
  'https://www.googleapis.com/auth/cloud-platform',
];

/** `http://127.0.0.1:8080` or `http://127.0.0.1:8080/dns/v1/` -> `http://127.0.0.1:8080/dns/v1`. */
export function apiBaseUrl(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return trimmed.endsWith('/dns/v1') ? trimmed : `${trimmed}/dns/v1`;
}

type RequestInterceptor = DNS['interceptors'][number];
type DecoratedRequest = ReturnType<RequestInterceptor['request']>;

/** The real client, configured as described above (exported so tests can check the wiring). */
export function createDnsClient(options: CloudDnsApiOptions): DNS {
  const dns = new DNS({
    projectId: options.project,
    ...(options.authClient !== undefined ? { authClient: options.authClient } : {}),
  });
  if (options.endpoint !== undefined) dns.baseUrl = apiBaseUrl(options.endpoint);
  dns.makeAuthenticatedRequest = googleCommon.makeAuthenticatedRequestFactory({
    // The GoogleAuth the client built around our credentials (or ADC): the same one, so nothing changes but
    // the retry counts.
    authClient: dns.authClient,
    projectId: options.project,
    projectIdRequired: true,
    scopes: SCOPES,
    autoRetry: false,
  });
  dns.interceptors.push({
    request: (requestOptions) => ({ ...requestOptions, maxRetries: 0 }) as DecoratedRequest,
  });
  return dns;
}

export function createCloudDnsApi(options: CloudDnsApiOptions): CloudDnsApi {
  const dns = createDnsClient(options);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  let closed = false;
  const zones = new Map<string, Zone>();
  const zoneOf = (name: string): Zone => {
    let zone = zones.get(name);
    if (zone === undefined) {
      zone = dns.zone(name);
      zones.set(name, zone);
    }
    return zone;
  };
  const run = <T>(what: string, call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
    if (closed) return Promise.reject(new Error(`the Cloud DNS client is closed (${what})`));
    return bounded(what, call, timeoutMs, signal);
  };

  return {
    listRrsets: (zone, query, signal) =>
      run(
        `rrsets.list of ${zone}`,
        () =>
          new Promise<WireRrsetPage>((resolve, reject) => {
            zoneOf(zone).getRecords(definedQuery(query), (error, _records, _next, response) => {
              if (error) reject(error);
              else {
                try {
                  resolve(parseRrsetPage(response));
                } catch (parseError) {
                  reject(parseError);
                }
              }
            });
          }),
        signal,
      ),
    createChange: (zone, change, signal) =>
      run(
        `changes.create in ${zone}`,
        async () => {
          const z = zoneOf(zone);
          // The client takes Record objects; a record's metadata is sent as it is (routingPolicy included).
          const toRecord = (rrset: WireChangeRequest['additions'][number]) =>
            z.record(rrset.type.toLowerCase(), rrset as Parameters<Zone['record']>[1]);
          const [, response] = await z.createChange({
            add: change.additions.map(toRecord),
            delete: change.deletions.map(toRecord),
          });
          return parseWireChange(response, 'changes.create');
        },
        signal,
      ),
    getChange: (zone, changeId, signal) =>
      run(
        `changes.get of ${changeId} in ${zone}`,
        async () => {
          const [metadata] = await zoneOf(zone).change(changeId).getMetadata();
          return parseWireChange(metadata, 'changes.get');
        },
        signal,
      ),
    getManagedZone: (zone, signal) =>
      run(
        `managedZones.get of ${zone}`,
        async () => {
          const [metadata] = await zoneOf(zone).getMetadata();
          return parseWireManagedZone(metadata);
        },
        signal,
      ),
    close: () => {
      closed = true;
      zones.clear();
    },
  };
}

/**
 * The query as the client sends it: only the fields that are set (the client would send an unset `name` as
 * `name=`, a filter matching nothing), and one page per call (the adapter pages, paced by its rate limiter).
 */
function definedQuery(query: RrsetQuery): RrsetQuery & { autoPaginate: false } {
  const defined: RrsetQuery & { autoPaginate: false } = { autoPaginate: false };
  if (query.name !== undefined) defined.name = query.name;
  if (query.type !== undefined) defined.type = query.type;
  if (query.maxResults !== undefined) defined.maxResults = query.maxResults;
  if (query.pageToken !== undefined) defined.pageToken = query.pageToken;
  return defined;
}

/** Runs `call` until it settles, the deadline passes (CloudDnsTimeoutError) or `signal` aborts (its reason). */
function bounded<T>(
  what: string,
  call: () => Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  throwIfAborted(signal);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const onAbort = (): void => finish(() => reject(abortReason(signal as AbortSignal)));
    const timer = setTimeout(
      () => finish(() => reject(new CloudDnsTimeoutError(`${what} got no answer within ${timeoutMs} ms`))),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    call().then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
