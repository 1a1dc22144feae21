/**
 * The shapes of names and identifiers in the configuration, as JSON-Schema-compatible patterns
 * (no regex flags) so the same text validates in quorumdns and in an editor.
 */

/**
 * Services, pools, providers, notification channels, probe regions, endpoint names.
 * A letter first: names become Redis key parts and JS object keys, and an all-digit key would be
 * reordered by JavaScript and so change failover order.
 */
export const NAME_PATTERN = '^[a-z](?:[a-z0-9._-]{0,61}[a-z0-9])?$';
export const NAME_RULE = 'lower-case letters, digits, ".", "_" or "-", starting with a letter (at most 63)';

/** Deployment id: part of owner TXT records and of the default Redis key prefix. */
export const DEPLOYMENT_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';

/** A DNS name: labels of letters, digits, `-` and `_`, an optional `*.` wildcard first, an optional final dot. */
export const DNS_NAME_PATTERN =
  '^(?=.{1,254}$)(?:\\*\\.)?(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.?$';

/** Route 53 hosted zone id, e.g. `Z0123456789ABC`. */
export const HOSTED_ZONE_ID_PATTERN = '^[A-Z0-9]{1,32}$';

/** Cloud DNS managed zone name, e.g. `example-com`. */
export const MANAGED_ZONE_PATTERN = '^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$';

/** Google Cloud project id. */
export const GCP_PROJECT_PATTERN = '^[a-z][a-z0-9-]{4,28}[a-z0-9]$';

/** AWS region, e.g. `us-east-1`. */
export const AWS_REGION_PATTERN = '^[a-z]{2}(?:-[a-z]+)+-\\d+$';

/** IAM role ARN (any partition). */
export const ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$';

/** HTTP header field name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$";

/** Minimal JSON path understood by the http check: `$`, `$.a.b`, `$.items[0].status`. */
export const JSON_PATH_PATTERN = '^\\$(?:\\.[A-Za-z_$][A-Za-z0-9_$-]*|\\[\\d+\\])*$';

const NAME_RE = new RegExp(NAME_PATTERN);

export function isName(text: string): boolean {
  return NAME_RE.test(text);
}

/** DNS names are compared and stored lower case, without the trailing dot. */
export function normalizeDnsName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
