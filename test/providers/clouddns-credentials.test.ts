/**
 * Which credentials the Cloud DNS adapter uses, decided without any network call: credential files come from
 * an in-memory table (never a real file), AWS credentials from a stand-in of the SDK chain, and the one
 * AWS-signed request checked here is only built and signed, never sent. A socket guard fails the file if
 * anything tries to connect at all.
 */
import net from 'node:net';
import { AwsClient, OAuth2Client } from 'google-auth-library';
import type { CloudDnsProvider } from '../../src/config/types';
import { isProviderError } from '../../src/providers/provider-errors';
import { createCloudDnsAdapter } from '../../src/providers/clouddns/clouddns-adapter';
import {
  authClientFor,
  awsCredentialsSupplier,
  chooseCloudDnsCredentials,
  type CloudDnsCredentialChoice,
  describeCredentialChoice,
} from '../../src/providers/clouddns/clouddns-credentials';

process.env.METADATA_SERVER_DETECTION = 'none';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const connections: unknown[] = [];
const realConnect = net.Socket.prototype.connect;
beforeAll(() => {
  net.Socket.prototype.connect = function refuse(this: net.Socket, ...args: unknown[]) {
    connections.push(args[0]);
    throw new Error('test network guard: the credential selection must not open any connection');
  } as typeof realConnect;
});
afterAll(() => {
  net.Socket.prototype.connect = realConnect;
  expect(connections).toEqual([]);
});

const PROVIDER: Pick<CloudDnsProvider, 'name' | 'endpoint'> = { name: 'gcp' };
const CREDENTIALS_FILE = '/etc/quorumdns/gcp-credentials.json';

/** What terraform/modules/gcp-dns-access outputs (no secret in it). */
const AWS_EXTERNAL_ACCOUNT = {
  type: 'external_account',
  audience:
    '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/qdns-aws/providers/qdns-aws-ecs',
  subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request',
  token_url: 'https://sts.googleapis.com/v1/token',
  service_account_impersonation_url:
    'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/qdns-dns@acme-dns.iam.gserviceaccount.com:generateAccessToken',
  credential_source: {
    environment_id: 'aws1',
    region_url: 'http://169.254.169.254/latest/meta-data/placement/availability-zone',
    url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials',
    regional_cred_verification_url:
      'https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
  },
};

const ECS_ENV: NodeJS.ProcessEnv = {
  GOOGLE_APPLICATION_CREDENTIALS: CREDENTIALS_FILE,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/0f1e2d3c',
  AWS_REGION: 'eu-west-1',
};

/** A file system of one credentials file; reading anything else is a test failure. */
function files(content: Record<string, unknown> | string | undefined) {
  const reads: string[] = [];
  const readFile = (path: string): string => {
    reads.push(path);
    if (path !== CREDENTIALS_FILE || content === undefined) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    }
    return typeof content === 'string' ? content : JSON.stringify(content);
  };
  return { readFile, reads };
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('choosing Cloud DNS credentials', () => {
  it('an endpoint override takes a static token and never looks at Application Default Credentials', () => {
    const { readFile, reads } = files(AWS_EXTERNAL_ACCOUNT);
    const endpoint = { name: 'gcp', endpoint: 'http://127.0.0.1:8080' };

    expect(chooseCloudDnsCredentials(endpoint, { ...ECS_ENV }, readFile)).toEqual({
      kind: 'static-token',
      token: 'local',
      tokenFrom: 'default',
    });
    expect(
      chooseCloudDnsCredentials(endpoint, { ...ECS_ENV, QUORUMDNS_CLOUDDNS_TOKEN: 'lab-secret' }, readFile),
    ).toEqual({ kind: 'static-token', token: 'lab-secret', tokenFrom: 'QUORUMDNS_CLOUDDNS_TOKEN' });
    expect(reads).toEqual([]);
  });

  it('the static token is sent as it is, never refreshed, and never shown', async () => {
    const choice: CloudDnsCredentialChoice = {
      kind: 'static-token',
      token: 'lab-secret',
      tokenFrom: 'QUORUMDNS_CLOUDDNS_TOKEN',
    };
    const client = authClientFor(choice);
    expect(client).toBeInstanceOf(OAuth2Client);
    expect(await (client as OAuth2Client).getAccessToken()).toMatchObject({ token: 'lab-secret' });
    expect(describeCredentialChoice(choice)).not.toContain('lab-secret');
    expect(describeCredentialChoice(choice)).toContain('QUORUMDNS_CLOUDDNS_TOKEN');
  });

  it('outside an AWS container it leaves GOOGLE_APPLICATION_CREDENTIALS to google-auth-library, unread', () => {
    const { readFile, reads } = files(AWS_EXTERNAL_ACCOUNT);
    expect(chooseCloudDnsCredentials(PROVIDER, {}, readFile)).toEqual({ kind: 'application-default' });
    expect(
      chooseCloudDnsCredentials(PROVIDER, { GOOGLE_APPLICATION_CREDENTIALS: CREDENTIALS_FILE }, readFile),
    ).toEqual({ kind: 'application-default' });
    // In a container but without a credentials file: ADC (workload identity on GKE, gcloud, ...).
    expect(
      chooseCloudDnsCredentials(PROVIDER, { ...ECS_ENV, GOOGLE_APPLICATION_CREDENTIALS: '' }, readFile),
    ).toEqual({
      kind: 'application-default',
    });
    expect(reads).toEqual([]);
    expect(authClientFor({ kind: 'application-default' })).toBeUndefined();
  });

  it('on ECS, an external account with an AWS source is fed by the AWS SDK chain instead', () => {
    const { readFile, reads } = files(AWS_EXTERNAL_ACCOUNT);
    const choice = chooseCloudDnsCredentials(PROVIDER, ECS_ENV, readFile);

    expect(reads).toEqual([CREDENTIALS_FILE]);
    const { credential_source: _dropped, ...rest } = AWS_EXTERNAL_ACCOUNT;
    expect(choice).toEqual({
      kind: 'aws-container-federation',
      file: CREDENTIALS_FILE,
      options: rest,
      region: 'eu-west-1',
    });
    expect(describeCredentialChoice(choice)).toContain("AWS SDK's default chain, region eu-west-1");
  });

  it('EKS Pod Identity (the full container credentials URI) and AWS_DEFAULT_REGION count too', () => {
    const { readFile } = files(AWS_EXTERNAL_ACCOUNT);
    const choice = chooseCloudDnsCredentials(
      PROVIDER,
      {
        GOOGLE_APPLICATION_CREDENTIALS: CREDENTIALS_FILE,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://169.254.170.23/v1/credentials',
        AWS_DEFAULT_REGION: 'us-east-2',
      },
      readFile,
    );
    expect(choice).toMatchObject({ kind: 'aws-container-federation', region: 'us-east-2' });
  });

  it('on ECS, other credential files stay Application Default Credentials', () => {
    const serviceAccount = { type: 'service_account', client_email: 'x@y', private_key: 'not-a-real-key' };
    const fileSourced = {
      ...AWS_EXTERNAL_ACCOUNT,
      credential_source: { file: '/var/run/token', format: { type: 'text' } },
    };
    for (const content of [serviceAccount, fileSourced]) {
      const { readFile } = files(content);
      expect(chooseCloudDnsCredentials(PROVIDER, ECS_ENV, readFile)).toEqual({ kind: 'application-default' });
    }
  });

  it('refuses, naming the file, what cannot work: unreadable, not JSON, incomplete, no region', () => {
    const cases: Array<[string, ReturnType<typeof files>, NodeJS.ProcessEnv, string]> = [
      ['missing', files(undefined), ECS_ENV, 'cannot be read as a JSON credential configuration (ENOENT'],
      ['not JSON', files('{"type": '), ECS_ENV, 'cannot be read as a JSON credential configuration'],
      ['an array', files('[1]'), ECS_ENV, 'is not a JSON object'],
      [
        'no audience',
        files({ ...AWS_EXTERNAL_ACCOUNT, audience: '' }),
        ECS_ENV,
        'the external_account configuration has no audience',
      ],
      [
        'no region',
        files(AWS_EXTERNAL_ACCOUNT),
        { ...ECS_ENV, AWS_REGION: undefined },
        'neither AWS_REGION nor AWS_DEFAULT_REGION is set',
      ],
    ];
    for (const [what, { readFile }, env, expected] of cases) {
      const error = thrown(() => chooseCloudDnsCredentials(PROVIDER, env, readFile));
      expect(isProviderError(error) && error.code).toBe('FORBIDDEN');
      expect(error.message).toContain(`GOOGLE_APPLICATION_CREDENTIALS=${CREDENTIALS_FILE}: `);
      expect(`${what}: ${error.message}`).toContain(expected);
    }
  });
});

describe('workload identity federation from an AWS container', () => {
  const taskRole = async () => ({
    accessKeyId: 'ASIATASKROLEEXAMPLE',
    secretAccessKey: 'task-role-secret',
    sessionToken: 'task-role-session-token',
  });

  it('the supplier hands the AWS chain credentials and the region to google-auth-library', async () => {
    let calls = 0;
    const supplier = awsCredentialsSupplier('eu-west-1', async () => {
      calls += 1;
      return taskRole();
    });
    // The context google-auth-library passes; the supplier needs none of it.
    const context = {} as Parameters<typeof supplier.getAwsRegion>[0];
    await expect(supplier.getAwsRegion(context)).resolves.toBe('eu-west-1');
    await expect(supplier.getAwsSecurityCredentials(context)).resolves.toEqual({
      accessKeyId: 'ASIATASKROLEEXAMPLE',
      secretAccessKey: 'task-role-secret',
      token: 'task-role-session-token',
    });
    expect(calls).toBe(1);
    const longTerm = awsCredentialsSupplier('eu-west-1', async () => ({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
    }));
    await expect(longTerm.getAwsSecurityCredentials(context)).resolves.toEqual({
      accessKeyId: 'AKIA',
      secretAccessKey: 's',
    });
  });

  it('builds an AwsClient whose proof of identity is signed with the task role (built, never sent)', async () => {
    const { readFile } = files(AWS_EXTERNAL_ACCOUNT);
    const client = authClientFor(chooseCloudDnsCredentials(PROVIDER, ECS_ENV, readFile), {
      awsCredentials: taskRole,
    });
    expect(client).toBeInstanceOf(AwsClient);

    // The subject token is the signed GetCallerIdentity request Google's STS would replay: building it is local.
    const token = await (client as AwsClient).retrieveSubjectToken();
    const request = JSON.parse(decodeURIComponent(token)) as {
      url: string;
      method: string;
      headers: Array<{ key: string; value: string }>;
    };
    const header = (key: string) => request.headers.find((entry) => entry.key.toLowerCase() === key)?.value;
    expect(request.url).toBe(
      'https://sts.eu-west-1.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15',
    );
    expect(request.method).toBe('POST');
    expect(header('authorization')).toContain('Credential=ASIATASKROLEEXAMPLE/');
    expect(header('authorization')).toContain('/eu-west-1/sts/aws4_request');
    expect(header('x-amz-security-token')).toBe('task-role-session-token');
    expect(header('x-goog-cloud-target-resource')).toBe(AWS_EXTERNAL_ACCOUNT.audience);
  });

  it('the adapter makes that choice when it is created, and names a credentials file it cannot use', () => {
    // The selection is proven above with an in-memory file; the adapter reads the real file system, so it is
    // only given a path that does not exist.
    const missing = '/nonexistent/quorumdns-test/gcp-credentials.json';
    const error = thrown(() =>
      createCloudDnsAdapter(
        {
          type: 'clouddns',
          name: 'gcp',
          project: 'acme-dns',
          ownerRecords: true,
          limits: {},
          syncTimeout: 1_000,
          maxDeletes: 1,
        },
        { env: { ...ECS_ENV, GOOGLE_APPLICATION_CREDENTIALS: missing }, awsCredentials: taskRole },
      ),
    );
    expect(isProviderError(error) && error.code).toBe('FORBIDDEN');
    expect(error.message).toContain(`clouddns provider "gcp": GOOGLE_APPLICATION_CREDENTIALS=${missing}`);
  });
});
