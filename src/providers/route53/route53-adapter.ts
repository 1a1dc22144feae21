/**
 * The Route 53 adapter: read the record sets at managed names, submit one change batch, report a change's
 * PENDING -> INSYNC status. Everything else (plans, batching to the limits, retries, rate limiting, ownership,
 * verification) is the shared layer's; see docs/providers.md.
 *
 * Capabilities (Route 53 developer guide, "Quotas" and "Throttling for Amazon Route 53 API requests"):
 * - per ChangeResourceRecordSets request at most 1,000 ResourceRecord elements and 32,000 characters of
 *   values, an UPSERT counting twice against both. Route 53 sets no separate limit on the number of Change
 *   elements (the old 100-change limit belonged to API version 2012-12-12); alias changes carry no
 *   ResourceRecord, so `maxChanges` 1,000 is our own bound that keeps a request no larger than a full one;
 * - API rate: since July 2026 the account-wide request bucket refills at 10 requests/s (burst 50; it was 5
 *   requests/s before), and a separate change-throughput bucket limits record changes per second. Both are
 *   shared by everything using the account, so `providers.<name>.requestsPerSecond` can lower ours.
 */
import type { Change, ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Route53Provider } from '../../config/types';
import { AdapterCalls } from '../adapter-call';
import { LastReadWireSets } from '../last-read-wire-sets';
import type { DnsProviderAdapter, ProviderCapabilities } from '../provider-adapter';
import { ProviderError } from '../provider-errors';
import type { RateLimiter } from '../rate-limiter';
import { pacedAfterFirst, retryingPages, providerRateLimiter } from '../read-pacing';
import type { ChangeStatus, ReadRequest, RecordChange, RecordSet, SubmittedChange } from '../record-set';
import { canonicalName } from '../record-set-equality';
import { ZoneApexCache } from '../zone-apex-cache';
import { createRoute53Api, type Route53Api, type Route53ApiOptions } from './route53-api';
import {
  decodeName,
  decodeRecordSet,
  encodeChange,
  normalizeChangeId,
  normalizeHostedZoneId,
} from './route53-codec';
import { describeRoute53Call, type Route53CallContext, toProviderError } from './route53-errors';
import { listRecordSetsAt } from './route53-record-listing';

export const ROUTE53_CAPABILITIES: Readonly<ProviderCapabilities> = Object.freeze({
  modes: ['rewrite', 'weights'],
  weightedStyle: 'set-per-pool',
  alias: true,
  limits: Object.freeze({ maxChanges: 1000, maxRecordValues: 1000, maxValueChars: 32_000 }),
  updateCost: 2,
  requestsPerSecond: 10,
  hasSyncStatus: true,
}) as Readonly<ProviderCapabilities>;

export interface Route53AdapterOptions {
  /** Environment of the credential chain (static keys, AWS_PROFILE, AWS_REGION). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The API to call (a test may wrap the real one to count calls). @default the SDK client from the config */
  client?: Route53Api;
  /**
   * Paces the Route 53 requests one `read` makes beyond its first (further pages, the one-time zone lookup):
   * the shared layer takes one token per adapter call, and a read of many pages must not burst past the
   * account's rate (a throttled page fails the whole read, which would then start over).
   * @default the provider's process-wide bucket, the one syncTarget paces adapter calls with
   */
  pageRateLimiter?: RateLimiter;
}

/** The client options a provider entry and an environment give (exported for tests). */
export function route53ApiOptions(provider: Route53Provider, env: NodeJS.ProcessEnv): Route53ApiOptions {
  const options: Route53ApiOptions = {};
  const region = provider.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region !== undefined && region !== '') options.region = region;
  if (provider.endpoint !== undefined) options.endpoint = provider.endpoint;
  // The chain's first step, read from the environment we were given (the SDK would read process.env).
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    options.credentials = {
      accessKeyId,
      secretAccessKey,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  } else if (env.AWS_PROFILE) {
    options.profile = env.AWS_PROFILE;
  }
  // The credentials above (or the default chain) are only the base: DNS is written as the role, which is how a
  // hosted zone in another account is reached.
  if (provider.roleArn !== undefined) {
    options.assumeRole = {
      roleArn: provider.roleArn,
      sessionName: `quorumdns-${provider.name}`.slice(0, 64),
    };
  }
  return options;
}

export function createRoute53Adapter(
  provider: Route53Provider,
  options: Route53AdapterOptions = {},
): DnsProviderAdapter {
  const api = options.client ?? createRoute53Api(route53ApiOptions(provider, options.env ?? process.env));
  const pageRateLimiter =
    options.pageRateLimiter ??
    providerRateLimiter(provider.name, ROUTE53_CAPABILITIES.requestsPerSecond, provider.requestsPerSecond);
  return new Route53Adapter(provider.name, api, pageRateLimiter);
}

class Route53Adapter implements DnsProviderAdapter {
  readonly type = 'route53';
  readonly capabilities = ROUTE53_CAPABILITIES;
  private readonly calls: AdapterCalls;
  private readonly zones: ZoneApexCache;
  /** A DELETE must repeat the set exactly as Route 53 holds it: a set is deleted as it was read. */
  private readonly lastRead = new LastReadWireSets<ResourceRecordSet>(decodeRecordSet);

  constructor(
    readonly name: string,
    private readonly api: Route53Api,
    private readonly pageRateLimiter: RateLimiter,
  ) {
    this.calls = new AdapterCalls({
      type: this.type,
      name,
      describeZone: (zoneId) => `hosted zone ${zoneId}`,
    });
    this.zones = new ZoneApexCache(this.calls, (zoneId, signal, beforeRequest) =>
      this.call({ operation: 'GetHostedZone', zoneId }, signal, async () => {
        await beforeRequest();
        return this.api.getHostedZone({ Id: zoneId }, signal);
      }).then((output) => decodeName(output.HostedZone?.Name ?? '')),
    );
  }

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    const zoneId = this.zoneId(request.zone);
    const names = [...new Set(request.names.map(canonicalName))];
    if (names.length === 0) return [];
    const beforeRequest = pacedAfterFirst(this.pageRateLimiter, signal);
    await this.zones.assertHolds(zoneId, names, signal, beforeRequest);
    const listing = await this.call({ operation: 'ListResourceRecordSets', zoneId }, signal, () =>
      listRecordSetsAt(this.api, zoneId, names, {
        beforeRequest,
        sendPage: retryingPages(
          (send) => this.call({ operation: 'ListResourceRecordSets', zoneId }, signal, send),
          signal,
        ),
        ...(signal !== undefined ? { signal } : {}),
      }),
    );
    return this.calls.codec(zoneId, () => this.lastRead.replaceAt(zoneId, names, listing.sets));
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    const zoneId = this.zoneId(zone);
    const encoded: Change[] = this.calls.codec(zoneId, () =>
      changes.map((change) =>
        encodeChange(
          change,
          change.action === 'delete' ? this.lastRead.exact(zoneId, change.before) : undefined,
        ),
      ),
    );
    const output = await this.call({ operation: 'ChangeResourceRecordSets', zoneId }, signal, () =>
      this.api.changeResourceRecordSets(
        { HostedZoneId: zoneId, ChangeBatch: { Comment: 'quorumdns', Changes: encoded } },
        signal,
      ),
    );
    this.lastRead.forgetChanged(zoneId, changes);
    const info = output.ChangeInfo;
    if (info?.Id === undefined) {
      throw new ProviderError(
        'UNAVAILABLE',
        `route53 provider "${this.name}": ChangeResourceRecordSets on hosted zone ${zoneId} answered without a change id`,
        { provider: this.name },
      );
    }
    const submittedAt = info.SubmittedAt instanceof Date ? info.SubmittedAt.getTime() : Date.now();
    return { changeId: normalizeChangeId(info.Id), submittedAt };
  }

  async changeStatus(changeId: string, signal?: AbortSignal): Promise<ChangeStatus> {
    const id = normalizeChangeId(changeId);
    const output = await this.call({ operation: 'GetChange', changeId: id }, signal, () =>
      this.api.getChange({ Id: id }, signal),
    );
    const status = output.ChangeInfo?.Status;
    if (status === 'INSYNC') return 'in-sync';
    if (status === 'PENDING') return 'pending';
    throw new ProviderError(
      'UNAVAILABLE',
      `route53 provider "${this.name}": GetChange of change ${id} answered status ${JSON.stringify(status)}, expected PENDING or INSYNC`,
      { provider: this.name, ...(status !== undefined ? { remoteMessage: String(status) } : {}) },
    );
  }

  async close(): Promise<void> {
    this.api.close();
  }

  private zoneId(zone: string): string {
    return this.calls.codec(zone, () => normalizeHostedZoneId(zone));
  }

  /** Runs one Route 53 call (adapter-call.ts), the SDK's errors classified by route53-errors.ts. */
  private call<T>(
    context: Omit<Route53CallContext, 'provider'>,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
  ): Promise<T> {
    const full: Route53CallContext = { provider: this.name, ...context };
    return this.calls.run(
      {
        description: describeRoute53Call(full),
        ...(context.zoneId !== undefined ? { zone: context.zoneId } : {}),
        toProviderError: (error) => toProviderError(error, full),
      },
      signal,
      operation,
    );
  }
}
