/**
 * The Cloud DNS adapter: read the rrsets at managed names, submit one atomic change, report a change's
 * pending -> done status. Everything else (plans, batching to the limits, retries, rate limiting, ownership,
 * verification) is the shared layer's; see docs/providers.md.
 *
 * Capabilities, from Cloud DNS's documented quotas and limits (cloud.google.com/dns/quotas):
 * - per change at most 1,000 rrset additions and 1,000 rrset deletions, and 100,000 bytes of resource record
 *   data (every rrdata of every addition and deletion). Mapped to `BatchLimits`:
 *   - `maxChanges` 1,000 with `updateCost` 1: a create adds one rrset, a delete deletes one, an update deletes
 *     one and adds one; so additions <= changes and deletions <= changes, each within its 1,000;
 *   - `maxValueChars` 95,000 and `maxRecordValues` 5,000: the shared layer counts the characters of the values
 *     as record-set.ts keeps them, and an update as old + new values, like Cloud DNS counts the deletion and the
 *     addition. On the wire a CNAME target gains its trailing dot (one byte per value): at most 5,000 values
 *     per request add at most 5,000 bytes, so 95,000 + 5,000 stays within the 100,000-byte limit;
 *   - 100 records per rrset is a limit on one set, not on a request: a set over it is refused by Cloud DNS
 *     (403 quotaExceeded -> REJECTED), which no batching could fix;
 * - API rate: Cloud DNS meters API requests per project and user per minute ("Read limit for a minute", shown
 *   on the project's Quotas page; Google publishes no fixed default). 10 requests/s (600 per minute) keeps a
 *   steady pace well inside it; `providers.<name>.requestsPerSecond` lowers it for a project shared with other
 *   tools, and a 429 is backed off by the shared layer anyway.
 */
import type { CloudDnsProvider } from '../../config/types';
import type { AuthClient } from 'google-auth-library';
import type { DnsProviderAdapter, ProviderCapabilities } from '../provider-adapter';
import { ProviderError } from '../provider-errors';
import { effectiveRate, type RateLimiter, sharedRateLimiter } from '../rate-limiter';
import {
  type ChangeStatus,
  type ReadRequest,
  type RecordChange,
  type RecordSet,
  recordSetKey,
  type SubmittedChange,
} from '../record-set';
import { canonicalName, canonicalRecordSet, sameRecordSet } from '../record-set-equality';
import { type CloudDnsApi, createCloudDnsApi } from './clouddns-api';
import {
  CloudDnsCodecError,
  decodeChangeId,
  decodeName,
  decodeRrset,
  encodeChange,
  encodeChangeId,
} from './clouddns-codec';
import {
  authClientFor,
  type AwsCredentialProvider,
  chooseCloudDnsCredentials,
  describeCredentialChoice,
} from './clouddns-credentials';
import { type CloudDnsCallContext, toProviderError } from './clouddns-errors';
import { ListingStalledError, listRrsetsAt } from './clouddns-record-listing';
import { CloudDnsWireError, type WireChangeRequest, type WireRrset } from './clouddns-wire';

export const CLOUDDNS_CAPABILITIES: Readonly<ProviderCapabilities> = Object.freeze({
  modes: ['rewrite', 'weights'],
  weightedStyle: 'items-in-set',
  alias: false,
  limits: Object.freeze({ maxChanges: 1000, maxRecordValues: 5000, maxValueChars: 95_000 }),
  updateCost: 1,
  requestsPerSecond: 10,
  hasSyncStatus: true,
}) as Readonly<ProviderCapabilities>;

export interface CloudDnsAdapterOptions {
  /** Environment of the credential choice (endpoint token, ADC, AWS container). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The API to call (a test may wrap the real one to count calls). @default the client from the config */
  api?: CloudDnsApi;
  /** Credentials for the real client. @default chosen by clouddns-credentials.ts */
  authClient?: AuthClient;
  /** AWS credentials for workload identity federation from ECS. @default the AWS SDK's default chain */
  awsCredentials?: AwsCredentialProvider;
  /**
   * Paces the requests one adapter call makes beyond its first (further names and pages, the one-time zone
   * lookup): the shared layer takes one token per adapter call, and a read of many names must not burst past
   * the project's rate. @default the provider's process-wide bucket, the one syncTarget paces calls with
   */
  pageRateLimiter?: RateLimiter;
  /** `maxResults` of each rrsets.list page. @default the server's choice */
  pageSize?: number;
  /** Deadline of one API request. @default 30000 */
  requestTimeoutMs?: number;
}

export function createCloudDnsAdapter(
  provider: CloudDnsProvider,
  options: CloudDnsAdapterOptions = {},
): DnsProviderAdapter {
  let credentials: string | undefined;
  let api = options.api;
  if (api === undefined) {
    const auth = authOption(provider, options);
    credentials = auth.description;
    api = createCloudDnsApi({
      project: provider.project,
      ...(auth.authClient !== undefined ? { authClient: auth.authClient } : {}),
      ...(provider.endpoint !== undefined ? { endpoint: provider.endpoint } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    });
  }
  return new CloudDnsAdapter(provider.name, provider.project, api, {
    pageRateLimiter: options.pageRateLimiter ?? providerBucket(provider),
    ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  });
}

/** The client's credentials (`undefined`: ADC, resolved by the client) and how errors should name them. */
function authOption(
  provider: CloudDnsProvider,
  options: CloudDnsAdapterOptions,
): { authClient?: AuthClient; description?: string } {
  if (options.authClient !== undefined) return { authClient: options.authClient };
  const choice = chooseCloudDnsCredentials(provider, options.env ?? process.env);
  const authClient = authClientFor(
    choice,
    options.awsCredentials !== undefined ? { awsCredentials: options.awsCredentials } : {},
  );
  return {
    ...(authClient !== undefined ? { authClient } : {}),
    description: describeCredentialChoice(choice),
  };
}

/**
 * The provider's process-wide bucket, looked up on each use so it is the very instance syncTarget takes its
 * tokens from (a config reload with another rate replaces it there and here alike).
 */
function providerBucket(provider: CloudDnsProvider): RateLimiter {
  const rate = effectiveRate(CLOUDDNS_CAPABILITIES.requestsPerSecond, provider.requestsPerSecond);
  return { acquire: (signal) => sharedRateLimiter(provider.name, rate).acquire(signal) };
}

class CloudDnsAdapter implements DnsProviderAdapter {
  readonly type = 'clouddns';
  readonly capabilities = CLOUDDNS_CAPABILITIES;
  /** Zone apex per managed zone, looked up once: names outside it are refused before any listing. */
  private readonly zoneNames = new Map<string, Promise<string>>();
  /** Pages the last full listing of each zone took: what reading by name is weighed against. */
  private readonly fullListingPages = new Map<string, number>();
  /**
   * The wire form of each set last read, per zone and set identity. A deletion must match the rrset exactly;
   * sets written by other tools may spell values differently from our canonical form (upper case, unquoted
   * TXT), so a set is deleted as it was read.
   */
  private readonly lastRead = new Map<string, Map<string, WireRrset>>();

  constructor(
    readonly name: string,
    private readonly project: string,
    private readonly api: CloudDnsApi,
    private readonly options: { pageRateLimiter: RateLimiter; pageSize?: number; credentials?: string },
  ) {}

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    const zone = request.zone;
    const names = [...new Set(request.names.map(canonicalName))];
    if (names.length === 0) return [];
    // The shared layer paid for the first request of this read; every further one waits for a token.
    let requests = 0;
    const beforeRequest = async (): Promise<void> => {
      if (requests++ > 0) await this.options.pageRateLimiter.acquire(signal);
    };
    await this.assertInZone(zone, names, signal, beforeRequest);
    const listing = await this.call({ operation: 'rrsets.list', zone }, signal, () =>
      listRrsetsAt(this.api, zone, names, {
        beforeRequest,
        fullListingCalls: this.fullListingPages.get(zone),
        ...(this.options.pageSize !== undefined ? { pageSize: this.options.pageSize } : {}),
        ...(signal !== undefined ? { signal } : {}),
      }),
    );
    if (listing.fullListingPages !== undefined) this.fullListingPages.set(zone, listing.fullListingPages);
    const wire = this.wireOf(zone);
    const requested = new Set(names);
    for (const key of [...wire.keys()]) {
      if (requested.has(key.slice(0, key.indexOf('\u0000')))) wire.delete(key);
    }
    const sets: RecordSet[] = [];
    for (const raw of listing.rrsets) {
      const set = this.decode(raw, zone);
      if (set === undefined) continue;
      wire.set(recordSetKey(set), raw);
      sets.push(set);
    }
    return sets;
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    const wire = this.wireOf(zone);
    let body: WireChangeRequest;
    try {
      body = encodeChange(changes, (before) => this.exactCurrent(wire, before));
    } catch (error) {
      throw this.codecError(error, zone);
    }
    const change = await this.call({ operation: 'changes.create', zone }, signal, () =>
      this.api.createChange(zone, body, signal),
    );
    // The sets changed: what was read of them no longer describes Cloud DNS's state.
    for (const planned of changes) {
      wire.delete(recordSetKey(planned.action === 'delete' ? planned.before : planned.after));
    }
    const started = change.startTime !== undefined ? Date.parse(change.startTime) : Number.NaN;
    return {
      changeId: encodeChangeId(zone, change.id),
      submittedAt: Number.isNaN(started) ? Date.now() : started,
    };
  }

  async changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    let ref: { zone: string; id: string };
    try {
      ref = decodeChangeId(changeId);
    } catch (error) {
      throw this.codecError(error, '?');
    }
    const change = await this.call(
      { operation: 'changes.get', zone: ref.zone, changeId: ref.id },
      signal,
      () => this.api.getChange(ref.zone, ref.id, signal),
    );
    if (change.status === 'done') return 'in-sync';
    if (change.status === 'pending') return 'pending';
    throw new ProviderError(
      'UNAVAILABLE',
      `clouddns provider "${this.name}": changes.get of change ${ref.id} in managed zone ${ref.zone} answered ` +
        `status ${JSON.stringify(change.status)}, expected pending or done`,
      { provider: this.name, remoteMessage: change.status },
    );
  }

  async close(): Promise<void> {
    this.api.close();
  }

  // --- internals -------------------------------------------------------------------------------------------

  private wireOf(zone: string): Map<string, WireRrset> {
    let wire = this.lastRead.get(zone);
    if (wire === undefined) {
      wire = new Map();
      this.lastRead.set(zone, wire);
    }
    return wire;
  }

  /** The rrset as read, when a deletion names exactly what was read (else it is encoded from `before`). */
  private exactCurrent(wire: Map<string, WireRrset>, before: RecordSet): WireRrset | undefined {
    const raw = wire.get(recordSetKey(canonicalRecordSet(before)));
    if (raw === undefined) return undefined;
    const read = decodeRrset(raw);
    return read !== undefined && sameRecordSet(read, before) ? raw : undefined;
  }

  /** Refuses names outside the managed zone, naming them: a wrong zone would otherwise read nothing. */
  private async assertInZone(
    zone: string,
    names: string[],
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<void> {
    const apex = await this.zoneName(zone, signal, beforeRequest);
    const outside = names.filter((name) => name !== apex && !name.endsWith(`.${apex}`));
    if (outside.length === 0) return;
    throw new ProviderError(
      'REJECTED',
      `clouddns provider "${this.name}": managed zone ${zone} of project ${this.project} is ${apex}, which does ` +
        `not hold ${outside.join(', ')}`,
      { provider: this.name },
    );
  }

  private zoneName(
    zone: string,
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<string> {
    let pending = this.zoneNames.get(zone);
    if (pending === undefined) {
      pending = this.call({ operation: 'managedZones.get', zone }, signal, async () => {
        await beforeRequest();
        return this.api.getManagedZone(zone, signal);
      }).then((managed) => decodeName(managed.dnsName));
      // A failed lookup (throttled, aborted) is asked again next time.
      pending.catch(() => this.zoneNames.delete(zone));
      this.zoneNames.set(zone, pending);
    }
    return pending;
  }

  private decode(raw: WireRrset, zone: string): RecordSet | undefined {
    try {
      return decodeRrset(raw);
    } catch (error) {
      throw this.codecError(error, zone);
    }
  }

  private codecError(error: unknown, zone: string): unknown {
    if (!(error instanceof CloudDnsCodecError)) return error;
    return new ProviderError(
      'REJECTED',
      `clouddns provider "${this.name}" managed zone ${zone}: ${error.message}`,
      {
        provider: this.name,
        cause: error,
      },
    );
  }

  /** Runs one Cloud DNS call; an abort stays an abort, anything else becomes a typed ProviderError. */
  private async call<T>(
    context: Omit<CloudDnsCallContext, 'provider' | 'project'>,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
  ): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ProviderError) throw error;
      const full: CloudDnsCallContext = {
        provider: this.name,
        project: this.project,
        ...context,
        ...(this.options.credentials !== undefined ? { credentials: this.options.credentials } : {}),
      };
      if (error instanceof ListingStalledError || error instanceof CloudDnsWireError) {
        // An answer we cannot use: for a write, it may have landed; the shared layer re-reads.
        throw new ProviderError(
          'UNAVAILABLE',
          `clouddns provider "${this.name}": ${context.operation} on managed zone ${context.zone} of project ` +
            `${this.project}: ${error.message}`,
          { provider: this.name, remoteCode: error.code, remoteMessage: error.message, cause: error },
        );
      }
      if (error instanceof CloudDnsCodecError) throw this.codecError(error, context.zone);
      throw toProviderError(error, full);
    }
  }
}
