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
import { AdapterCalls } from '../adapter-call';
import { LastReadWireSets } from '../last-read-wire-sets';
import type { DnsProviderAdapter, ProviderCapabilities } from '../provider-adapter';
import { ProviderError } from '../provider-errors';
import type { RateLimiter } from '../rate-limiter';
import { pacedAfterFirst, providerRateLimiter, retryingPages } from '../read-pacing';
import type { ChangeStatus, ReadRequest, RecordChange, RecordSet, SubmittedChange } from '../record-set';
import { canonicalName } from '../record-set-equality';
import { ZoneApexCache } from '../zone-apex-cache';
import { type CloudDnsApi, createCloudDnsApi } from './clouddns-api';
import { decodeChangeId, decodeName, decodeRrset, encodeChange, encodeChangeId } from './clouddns-codec';
import {
  authClientFor,
  type AwsCredentialProvider,
  chooseCloudDnsCredentials,
  describeCredentialChoice,
} from './clouddns-credentials';
import {
  type CloudDnsCallContext,
  describeCloudDnsCall,
  describeManagedZone,
  toProviderError,
} from './clouddns-errors';
import { listRrsetsAt } from './clouddns-record-listing';
import type { WireRrset } from './clouddns-wire';

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
    pageRateLimiter:
      options.pageRateLimiter ??
      providerRateLimiter(provider.name, CLOUDDNS_CAPABILITIES.requestsPerSecond, provider.requestsPerSecond),
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

class CloudDnsAdapter implements DnsProviderAdapter {
  readonly type = 'clouddns';
  readonly capabilities = CLOUDDNS_CAPABILITIES;
  private readonly calls: AdapterCalls;
  private readonly zones: ZoneApexCache;
  /** Pages the last full listing of each zone took: what reading by name is weighed against. */
  private readonly fullListingPages = new Map<string, number>();
  /** Deletions must match an rrset exactly: a set is deleted as it was read. */
  private readonly lastRead = new LastReadWireSets<WireRrset>(decodeRrset);

  constructor(
    readonly name: string,
    private readonly project: string,
    private readonly api: CloudDnsApi,
    private readonly options: { pageRateLimiter: RateLimiter; pageSize?: number; credentials?: string },
  ) {
    this.calls = new AdapterCalls({
      type: this.type,
      name,
      describeZone: (zone) => describeManagedZone(zone, project),
    });
    this.zones = new ZoneApexCache(this.calls, (zone, signal, beforeRequest) =>
      this.call({ operation: 'managedZones.get', zone }, signal, async () => {
        await beforeRequest();
        return this.api.getManagedZone(zone, signal);
      }).then((managed) => decodeName(managed.dnsName)),
    );
  }

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    const zone = request.zone;
    const names = [...new Set(request.names.map(canonicalName))];
    if (names.length === 0) return [];
    const beforeRequest = pacedAfterFirst(this.options.pageRateLimiter, signal);
    await this.zones.assertHolds(zone, names, signal, beforeRequest);
    const listing = await this.call({ operation: 'rrsets.list', zone }, signal, () =>
      listRrsetsAt(this.api, zone, names, {
        beforeRequest,
        sendPage: retryingPages(
          (send) => this.call({ operation: 'rrsets.list', zone }, signal, send),
          signal,
        ),
        fullListingCalls: this.fullListingPages.get(zone),
        ...(this.options.pageSize !== undefined ? { pageSize: this.options.pageSize } : {}),
        ...(signal !== undefined ? { signal } : {}),
      }),
    );
    if (listing.fullListingPages !== undefined) this.fullListingPages.set(zone, listing.fullListingPages);
    return this.calls.codec(zone, () => this.lastRead.replaceAt(zone, names, listing.rrsets));
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    const body = this.calls.codec(zone, () =>
      encodeChange(changes, (before) => this.lastRead.exact(zone, before)),
    );
    const change = await this.call({ operation: 'changes.create', zone }, signal, () =>
      this.api.createChange(zone, body, signal),
    );
    this.lastRead.forgetChanged(zone, changes);
    const started = change.startTime !== undefined ? Date.parse(change.startTime) : Number.NaN;
    return {
      changeId: encodeChangeId(zone, change.id),
      submittedAt: Number.isNaN(started) ? Date.now() : started,
    };
  }

  async changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    const ref = this.calls.codec(undefined, () => decodeChangeId(changeId));
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

  /** Runs one Cloud DNS call (adapter-call.ts), Google's errors classified by clouddns-errors.ts. */
  private call<T>(
    context: Omit<CloudDnsCallContext, 'provider' | 'project'>,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
  ): Promise<T> {
    const full: CloudDnsCallContext = {
      provider: this.name,
      project: this.project,
      ...context,
      ...(this.options.credentials !== undefined ? { credentials: this.options.credentials } : {}),
    };
    return this.calls.run(
      {
        description: describeCloudDnsCall(full),
        zone: context.zone,
        toProviderError: (error) => toProviderError(error, full),
      },
      signal,
      operation,
    );
  }
}
