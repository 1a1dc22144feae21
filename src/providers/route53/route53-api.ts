/**
 * The four Route 53 calls quorumdns makes, behind a narrow interface (external-dns's provider.go): the adapter
 * depends on this, not on the SDK client, so a test can count or alter calls without mocking a client
 * method, and the SDK's surface we rely on is visible in one place.
 *
 * The implementation is the real `@aws-sdk/client-route-53` client:
 * - credentials: the SDK's default chain (environment, shared config and credentials files with profiles and
 *   role_arn/source_profile, SSO, web identity, container and instance roles);
 * - `maxAttempts: 1`: the SDK's own retries are off. The shared layer (src/providers/retry.ts and sync-target.ts)
 *   is the one place that retries, with its jittered backoff and rate limiter; a second retry loop inside the
 *   SDK would multiply attempts, hide throttling from the shared layer's counts, and re-send writes after
 *   ambiguous failures that the shared layer deliberately re-plans instead;
 * - timeouts on connecting and on the whole exchange, so a hung endpoint fails (UNAVAILABLE) instead of
 *   holding an apply forever.
 */
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  type ChangeResourceRecordSetsCommandOutput,
  GetChangeCommand,
  type GetChangeCommandInput,
  type GetChangeCommandOutput,
  GetHostedZoneCommand,
  type GetHostedZoneCommandInput,
  type GetHostedZoneCommandOutput,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  Route53Client,
  type Route53ClientConfig,
} from '@aws-sdk/client-route-53';

/** An SDK output without the response metadata: what the adapter reads, and what a stand-in must produce. */
export type ApiOutput<T> = Omit<T, '$metadata'>;

export interface Route53Api {
  listResourceRecordSets(
    input: ListResourceRecordSetsCommandInput,
    signal?: AbortSignal,
  ): Promise<ApiOutput<ListResourceRecordSetsCommandOutput>>;
  changeResourceRecordSets(
    input: ChangeResourceRecordSetsCommandInput,
    signal?: AbortSignal,
  ): Promise<ApiOutput<ChangeResourceRecordSetsCommandOutput>>;
  getChange(input: GetChangeCommandInput, signal?: AbortSignal): Promise<ApiOutput<GetChangeCommandOutput>>;
  getHostedZone(
    input: GetHostedZoneCommandInput,
    signal?: AbortSignal,
  ): Promise<ApiOutput<GetHostedZoneCommandOutput>>;
  /** Releases sockets. */
  close(): void;
}

/** Static keys, as the environment step of the default chain would find them. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Route53ApiOptions {
  /** @default 'us-east-1' (Route 53 is global; its API signs in us-east-1 in the aws partition) */
  region?: string;
  /** For tests and local labs only. */
  endpoint?: string;
  /** Omitted: the SDK's default credential chain. */
  credentials?: StaticCredentials;
  /** Shared config profile for the default chain (like AWS_PROFILE). */
  profile?: string;
  /**
   * Assume this role (STS AssumeRole) with the credentials above or the default chain; the SDK refreshes the
   * temporary credentials before they expire.
   */
  assumeRole?: { roleArn: string; sessionName: string; /** Tests only: a local STS. */ stsEndpoint?: string };
  /** @default 5000 */
  connectionTimeoutMs?: number;
  /** The whole request and response. @default 30000 */
  requestTimeoutMs?: number;
}

export const DEFAULT_ROUTE53_REGION = 'us-east-1';

export function createRoute53Api(options: Route53ApiOptions = {}): Route53Api {
  const config: Route53ClientConfig = {
    region: options.region ?? DEFAULT_ROUTE53_REGION,
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (options.profile !== undefined) config.profile = options.profile;
  if (options.assumeRole !== undefined) {
    config.credentials = fromTemporaryCredentials({
      params: { RoleArn: options.assumeRole.roleArn, RoleSessionName: options.assumeRole.sessionName },
      ...(options.credentials !== undefined ? { masterCredentials: options.credentials } : {}),
      clientConfig: {
        region: config.region as string,
        ...(options.profile ? { profile: options.profile } : {}),
        ...(options.assumeRole.stsEndpoint ? { endpoint: options.assumeRole.stsEndpoint } : {}),
      },
    });
  }
  const client = new Route53Client(config);
  const sent = (signal: AbortSignal | undefined) => (signal !== undefined ? { abortSignal: signal } : {});
  return {
    listResourceRecordSets: (input, signal) =>
      client.send(new ListResourceRecordSetsCommand(input), sent(signal)),
    changeResourceRecordSets: (input, signal) =>
      client.send(new ChangeResourceRecordSetsCommand(input), sent(signal)),
    getChange: (input, signal) => client.send(new GetChangeCommand(input), sent(signal)),
    getHostedZone: (input, signal) => client.send(new GetHostedZoneCommand(input), sent(signal)),
    close: () => client.destroy(),
  };
}
