/**
 * The public shapes of the local Cloud DNS test server: the rrset as the v1 REST API spells it, the server's
 * options and the handle a test holds. `index.ts` re-exports all of them.
 */

/** One weighted-round-robin item: a share of the answers (`weight`) and the values it serves. */
export interface CloudDnsWrrItem {
  /** Non-negative; the chance of an answer is proportional to its weight over the sum of all weights. */
  weight: number;
  rrdatas: string[];
}

/** API shape: name with trailing dot, type, ttl, and either rrdatas or routingPolicy.wrr.items[{weight, rrdatas}]. */
export interface CloudDnsRrset {
  name: string;
  type: string;
  ttl: number;
  rrdatas?: string[];
  routingPolicy?: { wrr: { items: CloudDnsWrrItem[] } };
}

/** Per-change limits. The defaults are Cloud DNS's documented limits (cloud.google.com/dns/quotas). */
export interface CloudDnsChangeLimits {
  /** Record sets added by one change. @default 1000 */
  maxAdditions: number;
  /** Record sets deleted by one change. @default 1000 */
  maxDeletions: number;
  /** Bytes of rrdata (every value of every addition and deletion) in one change. @default 100000 */
  maxRrdataBytes?: number;
  /** Values in one record set (for a weighted set: over all its items). @default 100 */
  maxRrdatasPerRrset?: number;
}

export interface CloudDnsServerOptions {
  /** A change stays `pending` this long, then `done`. @default 200 */
  syncDelayMs?: number;
  /** Per-change limits (look up the documented quotas; default to them): additions and deletions per change. */
  limits?: CloudDnsChangeLimits;
  /** Token bucket over all requests; excess gets 429 rateLimitExceeded. @default unlimited */
  requestsPerSecond?: number;
  /** rrsets list page size when the client sends no maxResults. @default 100 */
  defaultPageSize?: number;
  /** Loopback address to listen on (127.x.y.z or ::1). @default 127.0.0.1 */
  host?: string;
}

/** Statuses a fault can answer with. */
export type CloudDnsFaultStatus = 429 | 500 | 503 | 403 | 412;

/** Which collection a request addresses (the last collection named in its path). */
export type CloudDnsResource = 'rrsets' | 'changes' | 'managedZones';

export interface CloudDnsFault {
  /** Only requests with this method. @default any */
  method?: 'GET' | 'POST';
  /** Only requests to this collection. @default any */
  resource?: CloudDnsResource;
  status: CloudDnsFaultStatus;
  /** `errors[0].reason` of the answer. @default the reason Google gives for the status (see fault-injection.ts) */
  reason?: string;
  /** How many requests it answers before it is spent. @default unlimited (until `clearFaults`) */
  count?: number;
  /** Chance that a matching request gets the fault, 0..1. @default 1 */
  probability?: number;
  /** Seed of the random draws behind `probability`, so a run is reproducible. @default 1 */
  seed?: number;
}

/** One request the server received, in the order the server answered them. */
export interface CloudDnsRequestRecord {
  method: string;
  /** Path and query as sent, e.g. `/dns/v1/projects/p/managedZones/z/rrsets?name=a.example.com.` */
  path: string;
  /** Arrival time (ms since the epoch). */
  at: number;
  /** The parsed JSON body of a POST. */
  body?: unknown;
  /** The status the server answered with. */
  status: number;
}

export interface CloudDnsServerStats {
  /**
   * Requests received per `METHOD resource` (`GET rrsets`, `POST changes`, `GET managedZones`, ...; `other`
   * for paths outside the API), whatever their answer: throttled and faulted requests count too.
   */
  requests: Record<string, number>;
  /** Changes created (answered 200), not counting the ones that created each zone's SOA and NS. */
  acceptedChanges: number;
  /** Requests answered 429 by the rate limit (injected 429 faults are not counted). */
  throttled: number;
}

export interface CloudDnsTestServer {
  /** Base URL to give the client: http://127.0.0.1:<port>/dns/v1 */
  baseUrl: string;
  /** Creates a public zone holding its SOA and NS record sets. dnsName fqdn WITH trailing dot, like the API. */
  createManagedZone(project: string, zone: string, dnsName: string): void;
  /** The zone's record sets now, sorted by name then type (copies: mutating them changes nothing). */
  rrsets(project: string, zone: string): CloudDnsRrset[];
  /** Puts record sets into a zone without a change (replacing any with the same name and type). */
  seed(project: string, zone: string, rrsets: CloudDnsRrset[]): void;
  injectFault(fault: CloudDnsFault): void;
  clearFaults(): void;
  setRequestsPerSecond(rps: number | undefined): void;
  readonly requests: CloudDnsRequestRecord[];
  stats(): CloudDnsServerStats;
  close(): Promise<void>;
}
