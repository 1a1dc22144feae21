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
import { createRoute53Api, type Route53Api, type Route53ApiOptions } from './route53-api';
import {
  decodeName,
  decodeRecordSet,
  encodeChange,
  normalizeChangeId,
  normalizeHostedZoneId,
  Route53CodecError,
} from './route53-codec';
import { type Route53CallContext, toProviderError } from './route53-errors';
import { ListingStalledError, listRecordSetsAt } from './route53-record-listing';

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
  const pageRateLimiter = options.pageRateLimiter ?? providerBucket(provider);
  return new Route53Adapter(provider.name, api, pageRateLimiter);
}

/**
 * The provider's process-wide bucket, looked up on each use so it is the very instance syncTarget takes its
 * tokens from (a config reload with another rate replaces it there and here alike).
 */
function providerBucket(provider: Route53Provider): RateLimiter {
  const rate = effectiveRate(ROUTE53_CAPABILITIES.requestsPerSecond, provider.requestsPerSecond);
  return { acquire: (signal) => sharedRateLimiter(provider.name, rate).acquire(signal) };
}

class Route53Adapter implements DnsProviderAdapter {
  readonly type = 'route53';
  readonly capabilities = ROUTE53_CAPABILITIES;
  /** Zone apex per hosted zone id, looked up once: names outside it are refused before any listing. */
  private readonly zoneNames = new Map<string, Promise<string>>();
  /**
   * The wire form of each set last read, per zone and set identity. A DELETE must repeat the set exactly as
   * Route 53 holds it; sets written by other tools may spell values differently from our canonical form
   * (a CNAME without the trailing dot, upper case), so the set is deleted as it was read.
   */
  private readonly lastRead = new Map<string, Map<string, ResourceRecordSet>>();

  constructor(
    readonly name: string,
    private readonly api: Route53Api,
    private readonly pageRateLimiter: RateLimiter,
  ) {}

  async read(request: ReadRequest, signal?: AbortSignal): Promise<RecordSet[]> {
    const zoneId = this.zoneId(request.zone);
    const names = [...new Set(request.names.map(canonicalName))];
    if (names.length === 0) return [];
    // The shared layer paid for the first request of this read; every further one waits for a token.
    let requests = 0;
    const beforeRequest = async (): Promise<void> => {
      if (requests++ > 0) await this.pageRateLimiter.acquire(signal);
    };
    await this.assertInZone(zoneId, names, signal, beforeRequest);
    const listing = await this.call({ operation: 'ListResourceRecordSets', zoneId }, signal, () =>
      listRecordSetsAt(this.api, zoneId, names, {
        beforeRequest,
        ...(signal !== undefined ? { signal } : {}),
      }),
    );
    const wire = this.wireOf(zoneId);
    const requested = new Set(names);
    for (const key of [...wire.keys()]) {
      if (requested.has(key.slice(0, key.indexOf('\u0000')))) wire.delete(key);
    }
    const sets: RecordSet[] = [];
    for (const raw of listing.sets) {
      const set = this.decode(raw, zoneId);
      if (set === undefined) continue;
      wire.set(recordSetKey(set), raw);
      sets.push(set);
    }
    return sets;
  }

  async apply(zone: string, changes: RecordChange[], signal?: AbortSignal): Promise<SubmittedChange> {
    const zoneId = this.zoneId(zone);
    const wire = this.wireOf(zoneId);
    let encoded: Change[];
    try {
      encoded = changes.map((change) => encodeChange(change, this.exactCurrent(wire, change)));
    } catch (error) {
      throw this.codecError(error, zoneId);
    }
    const output = await this.call({ operation: 'ChangeResourceRecordSets', zoneId }, signal, () =>
      this.api.changeResourceRecordSets(
        { HostedZoneId: zoneId, ChangeBatch: { Comment: 'quorumdns', Changes: encoded } },
        signal,
      ),
    );
    // The sets changed: what was read of them no longer describes Route 53's state.
    for (const change of changes) {
      wire.delete(recordSetKey(change.action === 'delete' ? change.before : change.after));
    }
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

  // --- internals -------------------------------------------------------------------------------------------

  private zoneId(zone: string): string {
    try {
      return normalizeHostedZoneId(zone);
    } catch (error) {
      throw this.codecError(error, zone);
    }
  }

  private wireOf(zoneId: string): Map<string, ResourceRecordSet> {
    let wire = this.lastRead.get(zoneId);
    if (wire === undefined) {
      wire = new Map();
      this.lastRead.set(zoneId, wire);
    }
    return wire;
  }

  /** The set as read, when a delete names exactly what was read (else the delete is encoded from `before`). */
  private exactCurrent(
    wire: Map<string, ResourceRecordSet>,
    change: RecordChange,
  ): ResourceRecordSet | undefined {
    if (change.action !== 'delete') return undefined;
    const raw = wire.get(recordSetKey(canonicalRecordSet(change.before)));
    if (raw === undefined) return undefined;
    const read = decodeRecordSet(raw);
    return read !== undefined && sameRecordSet(read, change.before) ? raw : undefined;
  }

  /** Refuses names outside the hosted zone, naming them: a wrong zone id would otherwise read nothing. */
  private async assertInZone(
    zoneId: string,
    names: string[],
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<void> {
    const apex = await this.zoneName(zoneId, signal, beforeRequest);
    const outside = names.filter((name) => name !== apex && !name.endsWith(`.${apex}`));
    if (outside.length === 0) return;
    throw new ProviderError(
      'REJECTED',
      `route53 provider "${this.name}": hosted zone ${zoneId} is ${apex}, which does not hold ${outside.join(', ')}`,
      { provider: this.name },
    );
  }

  private zoneName(
    zoneId: string,
    signal: AbortSignal | undefined,
    beforeRequest: () => Promise<void>,
  ): Promise<string> {
    let pending = this.zoneNames.get(zoneId);
    if (pending === undefined) {
      pending = this.call({ operation: 'GetHostedZone', zoneId }, signal, async () => {
        await beforeRequest();
        return this.api.getHostedZone({ Id: zoneId }, signal);
      }).then((output) => decodeName(output.HostedZone?.Name ?? ''));
      // A failed lookup (throttled, aborted) is asked again next time.
      pending.catch(() => this.zoneNames.delete(zoneId));
      this.zoneNames.set(zoneId, pending);
    }
    return pending;
  }

  private decode(raw: ResourceRecordSet, zoneId: string): RecordSet | undefined {
    try {
      return decodeRecordSet(raw);
    } catch (error) {
      throw this.codecError(error, zoneId);
    }
  }

  private codecError(error: unknown, zone: string): unknown {
    if (!(error instanceof Route53CodecError)) return error;
    return new ProviderError(
      'REJECTED',
      `route53 provider "${this.name}" hosted zone ${zone}: ${error.message}`,
      {
        provider: this.name,
        cause: error,
      },
    );
  }

  /** Runs one Route 53 call; an abort stays an abort, anything else becomes a typed ProviderError. */
  private async call<T>(
    context: Omit<Route53CallContext, 'provider'>,
    signal: AbortSignal | undefined,
    operation: () => Promise<T>,
  ): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ListingStalledError) {
        throw new ProviderError('UNAVAILABLE', `route53 provider "${this.name}": ${error.message}`, {
          provider: this.name,
          cause: error,
        });
      }
      throw toProviderError(error, { provider: this.name, ...context });
    }
  }
}
