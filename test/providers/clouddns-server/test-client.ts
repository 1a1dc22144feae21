/**
 * The real `@google-cloud/dns` client, wired to a local test server so that it never leaves loopback:
 *
 * - an explicit OAuth2Client holding a dummy access token (no Application Default Credentials lookup, which
 *   would probe the GCE metadata address 169.254.169.254), and an explicit projectId for the same reason;
 * - `METADATA_SERVER_DETECTION=none` as a second guard;
 * - `baseUrl` replaced after construction (the client otherwise builds `https://${apiEndpoint}/dns/v1`).
 *
 * Retries, measured against this server with @google-cloud/dns 5.3 / @google-cloud/common 6.1: the client
 * retries 408, 429, 500, 502, 503, 504 (and `rateLimitExceeded`/`userRateLimitExceeded` reasons) up to 3
 * times, POSTs included, sleeping 2^n s + up to 1 s of jitter (about 15 s before a persistent 503 surfaces).
 * `autoRetry: false` and `retryOptions: {autoRetry: false}` passed to `new DNS()` are IGNORED: the DNS class
 * does not forward them to the request layer. A request interceptor setting `maxRetries: 0` on every request
 * (what `clientRetries: false` installs) stops the retries of error ANSWERS, which is all these server tests
 * need; requests that get no answer (refused, reset, timeout) are still retried. The adapter also rebuilds
 * the request function with `autoRetry: false` to stop those (src/providers/clouddns/clouddns-api.ts).
 *
 * Under jest: the client sends every request through teeny-request, which loads node-fetch (ESM only) with
 * a dynamic `import()`. Inside jest's module sandbox that needs the process to run with
 * `--experimental-vm-modules`; without it every call dies in a timer callback with "A dynamic import
 * callback was invoked without --experimental-vm-modules" and the awaiting test hangs until its timeout.
 * `npm test` runs jest with the flag (package.json); `createCloudDnsTestClient` refuses up front with that
 * explanation when it is missing, instead of letting the test hang.
 */
import vm from 'node:vm';
import { DNS } from '@google-cloud/dns';
import { OAuth2Client } from 'google-auth-library';

type RequestInterceptor = DNS['interceptors'][number];
type DecoratedRequest = ReturnType<RequestInterceptor['request']>;

export interface CloudDnsTestClientOptions {
  projectId: string;
  /** Let the client library retry 429/5xx itself (slow: seconds per retry). @default false */
  clientRetries?: boolean;
}

export function createCloudDnsTestClient(
  server: { baseUrl: string },
  { projectId, clientRetries = false }: CloudDnsTestClientOptions,
): DNS {
  const insideJest = process.env.JEST_WORKER_ID !== undefined;
  if (insideJest && typeof (vm as { SyntheticModule?: unknown }).SyntheticModule !== 'function') {
    throw new Error(
      '@google-cloud/dns cannot send requests inside jest without --experimental-vm-modules (teeny-request ' +
        'loads node-fetch with a dynamic import()): run `npm test -- <path>` (package.json passes the flag) ' +
        "or NODE_OPTIONS='--experimental-vm-modules' npx jest <path>",
    );
  }
  process.env.METADATA_SERVER_DETECTION = 'none';
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: 'test-token', expiry_date: Date.now() + 3600_000 });
  const dns = new DNS({ projectId, authClient });
  dns.baseUrl = server.baseUrl;
  if (!clientRetries) {
    // The typings allow `url` or `uri`; the service always hands interceptors its `uri` form.
    dns.interceptors.push({
      request: (requestOptions) => ({ ...requestOptions, maxRetries: 0 }) as DecoratedRequest,
    });
  }
  return dns;
}
