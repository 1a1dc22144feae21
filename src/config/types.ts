/**
 * The resolved configuration: what every other part of quorumdns consumes.
 *
 * The YAML files are parsed and validated by `load-config.ts`, then resolved
 * (defaults merged into services, checks merged defaults -> service -> endpoint,
 * durations turned into milliseconds). Nothing downstream ever sees raw YAML, a
 * duration string or an optional field that has a documented default.
 *
 * Secrets stay unresolved here (`SecretRef`): they are resolved at run time by
 * `resolve-secret.ts`, never at validate time.
 */

/** Milliseconds. Durations in YAML are written `500ms`, `10s`, `2m`, `1h`. */
export type Millis = number;

/** `${env:NAME}` or `${file:/path}`: a secret that is read at run time, never stored in the config repo. */
export type SecretRef = { kind: 'env'; name: string } | { kind: 'file'; path: string };

/** A value that may be written literally or as a secret reference (header values, URLs that are not credentials). */
export type MaybeSecret = string | SecretRef;

export type Quorum = 'majority' | 'all' | 'any' | { atLeast: number };

export type RoutingPolicy = 'failover' | 'weighted' | 'all-healthy';

export type RecordType = 'A' | 'AAAA' | 'CNAME';

export type SteeringMode = 'rewrite' | 'weights';

export type Severity = 'info' | 'warning' | 'critical';

/** Inclusive HTTP status range, e.g. `200-399` -> { from: 200, to: 399 }. */
export interface StatusRange {
  from: number;
  to: number;
}

export type BodyMatch =
  | { kind: 'contains'; text: string }
  | { kind: 'regex'; pattern: string }
  | { kind: 'jsonPath'; path: string; equals: string | number | boolean | null };

export interface CheckBase {
  interval: Millis;
  /** Hard deadline for the whole check (connect + TLS + request + body); always shorter than `interval`. */
  timeout: Millis;
}

export interface HttpCheck extends CheckBase {
  type: 'http' | 'https';
  /** Host or IP to connect to. Defaults to the endpoint's address (or CNAME / alias DNS name). */
  host: string;
  port: number;
  method: string;
  path: string;
  headers: Record<string, MaybeSecret>;
  /** Host header to send (probe an IP while presenting the service's name). */
  hostHeader?: string;
  /** TLS server name to present; defaults to `hostHeader` when set. */
  sni?: string;
  /** Default `[{from: 200, to: 399}]`. */
  expectStatus: StatusRange[];
  bodyMatch?: BodyMatch;
  /** A check slower than this fails with class `latency`. */
  latencyBudget?: Millis;
  /** Default true. */
  tlsVerify: boolean;
  /** Default false: a health checker judges the answer it gets, not the one it is sent to. */
  followRedirects: boolean;
}

export interface TcpCheck extends CheckBase {
  type: 'tcp';
  host: string;
  port: number;
}

export interface DnsCheck extends CheckBase {
  type: 'dns';
  /** Resolver / name server to ask: IP address. */
  server: string;
  /** Default 53. */
  serverPort: number;
  /** Name to resolve. */
  query: string;
  recordType: 'A' | 'AAAA' | 'CNAME' | 'TXT' | 'MX' | 'NS' | 'SOA' | 'SRV';
  /** Default `NOERROR`. */
  expectRcode: string;
  /** When set, at least one answer must equal this value. */
  expectAnswer?: string;
}

export type Check = HttpCheck | TcpCheck | DnsCheck;

/** What an endpoint contributes to the DNS answer. */
export type EndpointTarget =
  | { kind: 'address'; address: string }
  | { kind: 'cname'; cname: string }
  | { kind: 'alias'; hostedZoneId: string; dnsName: string; evaluateTargetHealth: boolean };

export interface Endpoint {
  /** Unique within its service; the key of opinions in Redis. */
  id: string;
  pool: string;
  target: EndpointTarget;
  check: Check;
}

export type MinHealthy = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

export interface Pool {
  name: string;
  /** Failover order: lower is preferred. Every pool has one (config order when not written). */
  priority: number;
  /** Weighted policy: 0..255 (Route 53's range). Every pool has one (1 when not written). */
  weight: number;
  minHealthy: MinHealthy;
  endpoints: Endpoint[];
}

export interface Safety {
  /** At most this many pools drained at once; `undefined` = no limit (fail-open still never empties the answer). */
  maxDrainedPools?: number;
  /** `auto`: restore after `failbackAfter` of continuous health; `manual`: only an operator restores. */
  failback: 'auto' | 'manual';
  failbackAfter: Millis;
  /** A pool drained again within this long after its last restore has its next `failbackAfter` doubled. */
  flapWindow: Millis;
  maxFailbackAfter: Millis;
}

export interface ProviderTarget {
  provider: string;
  /** Route 53 hosted zone id or Cloud DNS managed zone name; defaults to the provider's zone. */
  zone: string;
  mode: SteeringMode;
}

export interface NotificationRoute {
  channel: string;
  /** Only events at or above this severity go to this channel. Default `info`. */
  minSeverity: Severity;
  /**
   * Events of this service that arrive within this long of the first undelivered one are grouped into one
   * message. Default 0: only the events of one evaluation (which are committed together) are grouped.
   */
  quietPeriod: Millis;
  /** While a pool stays drained, remind this channel every so often. Absent = no reminders. */
  repeatEvery?: Millis;
  /** At most this many reminders per drain. Default 3. */
  maxReminders: number;
}

/** An absolute period during which scheduled drills do not start (a change freeze, a sales event). */
export interface BlockedWindow {
  /** Epoch ms, inclusive. Written as an ISO 8601 date-time with an offset. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  reason?: string;
}

/** A practice drill run by the evaluator on a schedule (`drills:` in a service). */
export interface DrillSchedule {
  /** Unique within the service: `<pool>-<mode>` unless written. */
  id: string;
  pool: string;
  /** Five-field cron expression (minute hour day-of-month month day-of-week). */
  cron: string;
  /** IANA time zone the cron expression is read in. Default `UTC`. */
  timezone: string;
  /** `dry` (default): plan only; `live`: DNS really changes. */
  mode: 'dry' | 'live';
  /** How long the drilled pool is reported failing. Default 5m. */
  duration: Millis;
  blockedWindows: BlockedWindow[];
}

export interface DrillObjectives {
  failoverWithin?: Millis;
  failbackWithin?: Millis;
  notifyWithin?: Millis;
}

export interface Service {
  name: string;
  /** DNS names that move together. Fully qualified, lower case, without the trailing dot. */
  dnsNames: string[];
  recordType: RecordType;
  ttl: number;
  policy: RoutingPolicy;
  /** The probe regions that vote on this service (the quorum is counted over these). */
  probeRegions: string[];
  quorum: Quorum;
  failureThreshold: number;
  successThreshold: number;
  /** A region whose heartbeat is older than this is stale: its opinions are ignored. */
  staleAfter: Millis;
  /** In config order. */
  pools: Pool[];
  safety: Safety;
  providers: ProviderTarget[];
  notify: NotificationRoute[];
  drill: DrillObjectives;
  /** Scheduled practice drills (empty when none). */
  drills: DrillSchedule[];
}

/**
 * Per-request limits of a provider's change API. Defaults come from the adapter (the provider's documented
 * limits); a provider entry may lower them (`providers.<name>.limits`).
 */
export interface BatchLimits {
  /** Record set changes per request (Cloud DNS: additions and deletions are each counted against this). */
  maxChanges: number;
  /** Resource record values per request (Route 53: 1,000; UPSERT counts twice). */
  maxRecordValues: number;
  /** Characters of record values per request (Route 53: 32,000; UPSERT counts twice). */
  maxValueChars: number;
}

/** Options every provider type accepts, besides its own. */
export interface ProviderCommon {
  name: string;
  /**
   * Write and check an owner TXT record `_quorumdns.<name>` holding the deployment id, so two deployments
   * never fight over a name. Default true.
   */
  ownerRecords: boolean;
  /** Lowered batch limits; unset fields keep the adapter's documented limits. */
  limits: Partial<BatchLimits>;
  /** Client-side rate limit of API calls to this provider (requests per second). Default: the adapter's. */
  requestsPerSecond?: number;
  /** How long to wait for a change to be in sync before the apply counts as failed. Default 2m. */
  syncTimeout: Millis;
  /**
   * A plan that would delete more record sets than this is refused as unsafe (octoDNS's threshold): a
   * decision moves values and weights, it never needs to remove many sets. Default 10.
   */
  maxDeletes: number;
  /**
   * Authoritative name servers (`host` or `host:port`) where drills observe the answer change. Default: the
   * zone's NS records, looked up at drill time. Resolved always as `host:port` (`[2001:db8::53]:53` for
   * IPv6, DNS names lower case); `parseNameServer` in `name-server.ts` splits one.
   */
  nameServers?: string[];
}

export interface Route53Provider extends ProviderCommon {
  type: 'route53';
  hostedZoneId?: string;
  region?: string;
  roleArn?: string;
  /** For tests and local labs only. */
  endpoint?: string;
}

export interface CloudDnsProvider extends ProviderCommon {
  type: 'clouddns';
  project: string;
  managedZone?: string;
  /** For tests and local labs only. */
  endpoint?: string;
}

/**
 * The lab's provider: zones kept in Redis (under the deployment prefix) and served by quorumdns's own
 * authoritative DNS server (`quorumdns dns-server`, started by `quorumdns lab`). For labs, demos and tests.
 */
export interface LocalProvider extends ProviderCommon {
  type: 'local';
  /** The zone apex served, e.g. `lab.test` (lower case, no trailing dot). Targets use it as their zone. */
  zone: string;
  /** How long a change stays pending before it is in sync (to make the sync step visible). Default 0. */
  syncDelay: Millis;
}

export type Provider = Route53Provider | CloudDnsProvider | LocalProvider;

export type ChannelType =
  'slack' | 'teams' | 'discord' | 'googlechat' | 'mattermost' | 'pagerduty' | 'webhook';

export interface NotificationChannel {
  name: string;
  type: ChannelType;
  /** Chat webhook URLs are credentials: always a secret reference. The generic webhook's URL may be literal. */
  url?: MaybeSecret;
  /** PagerDuty Events API v2 routing key. */
  routingKey?: SecretRef;
  /** HMAC-SHA256 signing secret of the generic webhook. */
  secret?: SecretRef;
  /** Hard deadline of one delivery request. Default 10s. */
  timeout: Millis;
}

export interface Deployment {
  /** Identifies this deployment in owner TXT records and is the default Redis key prefix. */
  id: string;
  redis: {
    /** Default: the `REDIS_URL` environment variable, else redis://127.0.0.1:6379. */
    url?: MaybeSecret;
    keyPrefix: string;
  };
  statusPageUrl?: string;
}

export interface Config {
  deployment: Deployment;
  probeRegions: string[];
  providers: Record<string, Provider>;
  notifications: Record<string, NotificationChannel>;
  services: Record<string, Service>;
  /** The files the configuration was read from, in load order. */
  sources: string[];
  /** sha256 of the canonical resolved config: lets heartbeats reveal mixed config versions. */
  hash: string;
}
