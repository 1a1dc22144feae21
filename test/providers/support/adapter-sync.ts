/**
 * Driving one real adapter through the shared layer (syncTarget), as the Route 53 and Cloud DNS adapter tests
 * both do: the weighted service whose pools they drain and restore, syncs of it to given pool weights, and a
 * dry run of a fresh service. Only what the adapters do with it differs, and that is what the tests check.
 */
import type { Provider, Service } from '../../../src/config/types';
import { initialDecision } from '../../../src/providers/desired-records';
import type { DnsProviderAdapter } from '../../../src/providers/provider-adapter';
import { unlimited } from '../../../src/providers/rate-limiter';
import { type SyncResult, syncTarget } from '../../../src/providers/sync-target';
import { address, conformanceService, decisionWithWeights } from '../conformance/conformance-service';

/** The adapter under test, where it writes, and the deployment id its owner records carry. */
export interface SyncedAdapter {
  provider: Provider;
  adapter: DnsProviderAdapter;
  /** The zone as the provider target names it (hosted zone id, managed zone). */
  zone: string;
  deploymentId: string;
}

/**
 * `web` steering api.example.com with provider-native weights: pool east (192.0.2.10 and .11, weight 1) and
 * pool west (198.51.100.20, weight 3), TTL 30.
 */
export function weightedApiService(target: SyncedAdapter): Service {
  return conformanceService({
    name: 'web',
    dnsNames: ['api.example.com'],
    pools: [
      { name: 'east', targets: [address('192.0.2.10'), address('192.0.2.11')] },
      { name: 'west', targets: [address('198.51.100.20')], weight: 3 },
    ],
    provider: target.provider.name,
    zone: target.zone,
    mode: 'weights',
    policy: 'weighted',
  });
}

/** Syncs the service's one target to `weights` (pools not named get 0), retrying quickly. */
export function syncToWeights(
  target: SyncedAdapter,
  service: Service,
  weights: Record<string, number>,
): Promise<SyncResult> {
  return syncTarget({
    service,
    target: service.providers[0] as (typeof service.providers)[number],
    provider: target.provider,
    deploymentId: target.deploymentId,
    decision: decisionWithWeights(service, weights),
    adapter: target.adapter,
    dryRun: false,
    retry: { baseDelayMs: 20, maxDelayMs: 200, syncPollInitialMs: 50, syncPollMaxMs: 200 },
    rateLimiter: unlimited,
  });
}

/** A dry-run sync of a fresh one-pool service at www.example.com (rewrite mode): what it plans, unwritten. */
export function dryRunFreshService(target: SyncedAdapter): Promise<SyncResult> {
  const service = conformanceService({
    name: 'web',
    dnsNames: ['www.example.com'],
    pools: [{ name: 'east', targets: [address('192.0.2.10')] }],
    provider: target.provider.name,
    zone: target.zone,
    mode: 'rewrite',
  });
  return syncTarget({
    service,
    target: service.providers[0] as (typeof service.providers)[number],
    provider: target.provider,
    deploymentId: target.deploymentId,
    decision: initialDecision(service),
    adapter: target.adapter,
    dryRun: true,
    rateLimiter: unlimited,
  });
}
