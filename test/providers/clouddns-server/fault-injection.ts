/**
 * Injected failures, answered the way Google answers them: 429 `rateLimitExceeded`, 5xx `backendError`,
 * 403 `forbidden`, 412 `conditionNotMet`. A fault answers instead of the server (nothing is applied), for
 * `count` matching requests, each with chance `probability` drawn from a seeded generator so a failing run
 * can be replayed exactly.
 */
import { CloudDnsApiError, CloudDnsTestServerUsageError } from './cloud-dns-api-error';
import type { CloudDnsFault, CloudDnsFaultStatus, CloudDnsResource } from './types';
import { seededRandom } from '../../support/seeded-random';

/** What Google sends for each status when the test names no reason. */
const DEFAULT_ANSWERS: Readonly<
  Record<CloudDnsFaultStatus, { reason: string; message: string; domain: string }>
> = {
  403: { reason: 'forbidden', message: 'The caller does not have permission', domain: 'global' },
  412: {
    reason: 'conditionNotMet',
    message: "Precondition not met for 'entity.change.deletions[0]'",
    domain: 'global',
  },
  429: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded', domain: 'usageLimits' },
  500: { reason: 'backendError', message: 'Backend Error', domain: 'global' },
  503: { reason: 'backendError', message: 'Backend Error', domain: 'global' },
};

/** The 429 of the server's own rate limit, identical to an injected one. */
export function rateLimitExceeded(): CloudDnsApiError {
  const answer = DEFAULT_ANSWERS[429];
  return CloudDnsApiError.of(429, answer.reason, answer.message, answer.domain);
}

interface ActiveFault {
  fault: CloudDnsFault;
  remaining: number;
  random: () => number;
}

function validate(fault: CloudDnsFault): void {
  const problems: string[] = [];
  if (!(fault.status in DEFAULT_ANSWERS)) problems.push(`status must be one of 403, 412, 429, 500, 503`);
  if (fault.count !== undefined && (!Number.isInteger(fault.count) || fault.count < 1)) {
    problems.push('count must be a positive integer');
  }
  if (fault.probability !== undefined && !(fault.probability >= 0 && fault.probability <= 1)) {
    problems.push('probability must be between 0 and 1');
  }
  if (fault.seed !== undefined && !Number.isInteger(fault.seed)) problems.push('seed must be an integer');
  if (fault.method !== undefined && fault.method !== 'GET' && fault.method !== 'POST') {
    problems.push('method must be GET or POST');
  }
  if (problems.length > 0) {
    throw new CloudDnsTestServerUsageError(`injectFault(${JSON.stringify(fault)}): ${problems.join('; ')}`);
  }
}

export class FaultInjector {
  private active: ActiveFault[] = [];

  add(fault: CloudDnsFault): void {
    validate(fault);
    this.active.push({
      fault: { ...fault },
      remaining: fault.count ?? Number.POSITIVE_INFINITY,
      random: seededRandom(fault.seed ?? 1),
    });
  }

  clear(): void {
    this.active = [];
  }

  /** The error to answer this request with, if a fault takes it (faults are tried in the order added). */
  take(method: string, resource: CloudDnsResource | undefined): CloudDnsApiError | undefined {
    for (const entry of this.active) {
      const { fault } = entry;
      if (fault.method !== undefined && fault.method !== method) continue;
      if (fault.resource !== undefined && fault.resource !== resource) continue;
      if (entry.random() >= (fault.probability ?? 1)) continue;
      entry.remaining -= 1;
      if (entry.remaining <= 0) this.active = this.active.filter((other) => other !== entry);
      const answer = DEFAULT_ANSWERS[fault.status];
      return CloudDnsApiError.of(fault.status, fault.reason ?? answer.reason, answer.message, answer.domain);
    }
    return undefined;
  }
}
