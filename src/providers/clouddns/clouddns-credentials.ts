/* eslint-disable @typescript-eslint/no-require-imports -- the AWS credential chain is loaded only on ECS */
/**
 * Which credentials the Cloud DNS client uses, decided once when the adapter is created:
 *
 * 1. `endpoint` set in the provider's config (tests and labs ONLY): a static bearer token from
 *    QUORUMDNS_CLOUDDNS_TOKEN (default `local`). Application Default Credentials are never consulted, so a test
 *    or a lab can never pick up a developer's real Google credentials, nor probe the GCE metadata address.
 * 2. GOOGLE_APPLICATION_CREDENTIALS names an `external_account` configuration with an AWS credential source
 *    (workload identity federation from AWS, as terraform/modules/gcp-dns-access writes it) AND the process
 *    runs in an AWS container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI set: ECS tasks, EKS Pod
 *    Identity): google-auth-library's own AWS credential source only reads AWS_ACCESS_KEY_ID/... or the EC2
 *    instance metadata service, never the container credentials endpoint, so the task role would be invisible
 *    to it. The same configuration is used with an AWS security credentials supplier backed by the AWS SDK's
 *    default credential chain (which does read the container endpoint), and the region from AWS_REGION.
 * 3. Otherwise: Application Default Credentials, resolved by google-auth-library as usual
 *    (GOOGLE_APPLICATION_CREDENTIALS — service account key, external account, ... —, gcloud's user
 *    credentials, or the attached service account on Google Cloud).
 *
 * The choice is a plain value (`chooseCloudDnsCredentials`), separate from building the client
 * (`authClientFor`), so the selection is tested without any network call and without reading a real file.
 */
import { readFileSync } from 'node:fs';
import {
  type AuthClient,
  AwsClient,
  type AwsClientOptions,
  type AwsSecurityCredentials,
  type AwsSecurityCredentialsSupplier,
  OAuth2Client,
} from 'google-auth-library';
import type { CloudDnsProvider } from '../../config/types';
import { ProviderError } from '../provider-errors';

/** The env variable holding the bearer token sent to an `endpoint` override. */
export const ENDPOINT_TOKEN_ENV = 'QUORUMDNS_CLOUDDNS_TOKEN';
export const DEFAULT_ENDPOINT_TOKEN = 'local';

/** The external account configuration, minus its `credential_source` (the supplier replaces it). */
export type AwsExternalAccountOptions = Omit<
  AwsClientOptions,
  'credential_source' | 'aws_security_credentials_supplier'
>;

export type CloudDnsCredentialChoice =
  /** Tests and labs: a static token, nothing else consulted. */
  | { kind: 'static-token'; token: string; tokenFrom: typeof ENDPOINT_TOKEN_ENV | 'default' }
  /** google-auth-library's Application Default Credentials. */
  | { kind: 'application-default' }
  /** Workload identity federation from an AWS container: the external account fed by the AWS SDK's chain. */
  | { kind: 'aws-container-federation'; file: string; options: AwsExternalAccountOptions; region: string };

/** How the AWS SDK's default chain hands out credentials (`fromNodeProviderChain()`'s shape). */
export type AwsCredentialProvider = () => Promise<{
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}>;

function inAwsContainer(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI || env.AWS_CONTAINER_CREDENTIALS_FULL_URI);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Decides the credentials. Reads GOOGLE_APPLICATION_CREDENTIALS (through `readFile`) only when no endpoint is
 * set and the process runs in an AWS container: elsewhere google-auth-library reads it itself.
 * Throws a FORBIDDEN `ProviderError` naming the file when that configuration cannot be used.
 */
export function chooseCloudDnsCredentials(
  provider: Pick<CloudDnsProvider, 'name' | 'endpoint'>,
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): CloudDnsCredentialChoice {
  if (provider.endpoint !== undefined) {
    const token = env[ENDPOINT_TOKEN_ENV];
    return token
      ? { kind: 'static-token', token, tokenFrom: ENDPOINT_TOKEN_ENV }
      : { kind: 'static-token', token: DEFAULT_ENDPOINT_TOKEN, tokenFrom: 'default' };
  }
  const file = env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!file || !inAwsContainer(env)) return { kind: 'application-default' };

  const refuse = (why: string): ProviderError =>
    new ProviderError(
      'FORBIDDEN',
      `clouddns provider "${provider.name}": GOOGLE_APPLICATION_CREDENTIALS=${file}: ${why}`,
      { provider: provider.name, remoteCode: 'credentials' },
    );
  let config: unknown;
  try {
    config = JSON.parse(readFile(file));
  } catch (error) {
    throw refuse(`cannot be read as a JSON credential configuration (${(error as Error).message})`);
  }
  if (!isRecord(config)) throw refuse('is not a JSON object');
  const source = config.credential_source;
  const awsSourced =
    config.type === 'external_account' &&
    isRecord(source) &&
    typeof source.environment_id === 'string' &&
    source.environment_id.startsWith('aws');
  // Any other credential (a service account key, a file-sourced external account) works as ADC everywhere.
  if (!awsSourced) return { kind: 'application-default' };

  for (const field of ['audience', 'subject_token_type'] as const) {
    if (typeof config[field] !== 'string' || config[field] === '') {
      throw refuse(`the external_account configuration has no ${field}`);
    }
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (!region) {
    throw refuse(
      'workload identity federation from AWS signs its proof for a region, and neither AWS_REGION nor ' +
        'AWS_DEFAULT_REGION is set (ECS sets them for tasks; set AWS_REGION)',
    );
  }
  // The supplier replaces the credential source; its url/region_url point at EC2 metadata, not used here.
  const { credential_source: _source, ...options } = config;
  return { kind: 'aws-container-federation', file, options: options as AwsExternalAccountOptions, region };
}

/**
 * AWS credentials for Google's STS exchange, from `credentials` (the AWS SDK's default chain in production:
 * environment, profile, web identity, the ECS/EKS container endpoint, EC2 instance metadata).
 */
export function awsCredentialsSupplier(
  region: string,
  credentials: AwsCredentialProvider,
): AwsSecurityCredentialsSupplier {
  return {
    getAwsRegion: () => Promise.resolve(region),
    getAwsSecurityCredentials: async (): Promise<AwsSecurityCredentials> => {
      const identity = await credentials();
      return {
        accessKeyId: identity.accessKeyId,
        secretAccessKey: identity.secretAccessKey,
        ...(identity.sessionToken ? { token: identity.sessionToken } : {}),
      };
    },
  };
}

/** The AWS SDK's default credential chain, loaded only when it is needed. */
function defaultAwsCredentials(): AwsCredentialProvider {
  const module = require('@aws-sdk/credential-providers') as typeof import('@aws-sdk/credential-providers');
  // Memoized by the SDK: refreshed shortly before the task role's credentials expire.
  return module.fromNodeProviderChain();
}

export interface AuthClientDeps {
  /** @default the AWS SDK's default credential chain */
  awsCredentials?: AwsCredentialProvider;
}

/**
 * The auth client for a choice; `undefined` means "let google-auth-library resolve Application Default
 * Credentials" (the DNS client builds its GoogleAuth then). No network call happens here.
 */
export function authClientFor(
  choice: CloudDnsCredentialChoice,
  deps: AuthClientDeps = {},
): AuthClient | undefined {
  switch (choice.kind) {
    case 'static-token': {
      const client = new OAuth2Client();
      // No expiry and no refresh token: the token is sent as it is, and nothing is ever asked of Google.
      client.setCredentials({ access_token: choice.token });
      return client;
    }
    case 'application-default':
      return undefined;
    case 'aws-container-federation':
      return new AwsClient({
        ...choice.options,
        aws_security_credentials_supplier: awsCredentialsSupplier(
          choice.region,
          deps.awsCredentials ?? defaultAwsCredentials(),
        ),
      });
  }
}

/** One line for logs and errors: which credentials, never the token itself. */
export function describeCredentialChoice(choice: CloudDnsCredentialChoice): string {
  switch (choice.kind) {
    case 'static-token':
      return `a static token (${choice.tokenFrom === 'default' ? `default "${DEFAULT_ENDPOINT_TOKEN}"` : `from ${ENDPOINT_TOKEN_ENV}`}), for an endpoint override`;
    case 'application-default':
      return 'Application Default Credentials';
    case 'aws-container-federation':
      return `workload identity federation (${choice.file}) with AWS credentials from the AWS SDK's default chain, region ${choice.region}`;
  }
}
