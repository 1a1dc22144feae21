/**
 * Cloud DNS's per-change limits (cloud.google.com/dns/quotas, "Resource limits"): 1,000 additions and 1,000
 * deletions per change, 100,000 bytes of record data per change, 100 records per record set. Exceeding one
 * is a 403 `quotaExceeded`, worded as the real API words it ("The change would exceed quota for additions
 * per change."), one error per limit exceeded — which is what tells an adapter to split its batch.
 */
import { CloudDnsApiError, type GoogleErrorDetail } from './cloud-dns-api-error';
import { allRrdatas, rrdataBytes } from './rrset';
import type { CloudDnsChangeLimits, CloudDnsRrset } from './types';

export const DOCUMENTED_CHANGE_LIMITS: Readonly<Required<CloudDnsChangeLimits>> = {
  maxAdditions: 1000,
  maxDeletions: 1000,
  maxRrdataBytes: 100_000,
  maxRrdatasPerRrset: 100,
};

export function resolveChangeLimits(
  limits: CloudDnsChangeLimits | undefined,
): Required<CloudDnsChangeLimits> {
  const resolved = { ...DOCUMENTED_CHANGE_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`limits.${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return resolved;
}

function quotaExceeded(what: string): GoogleErrorDetail {
  return {
    domain: 'usageLimits',
    reason: 'quotaExceeded',
    message: `The change would exceed quota for ${what}.`,
  };
}

/** Throws the 403 the real API gives when a change is over any limit; counts raw list lengths. */
export function enforceChangeLimits(
  limits: Required<CloudDnsChangeLimits>,
  additions: readonly CloudDnsRrset[],
  deletions: readonly CloudDnsRrset[],
): void {
  const found: GoogleErrorDetail[] = [];
  if (additions.length > limits.maxAdditions) found.push(quotaExceeded('additions per change'));
  if (deletions.length > limits.maxDeletions) found.push(quotaExceeded('deletions per change'));
  const bytes = [...additions, ...deletions].reduce((sum, rrset) => sum + rrdataBytes(rrset), 0);
  if (bytes > limits.maxRrdataBytes) found.push(quotaExceeded('total rrdata size per change'));
  if (additions.some((rrset) => allRrdatas(rrset).length > limits.maxRrdatasPerRrset)) {
    found.push(quotaExceeded('resource records per rrset'));
  }
  if (found.length > 0) throw new CloudDnsApiError(403, found);
}
