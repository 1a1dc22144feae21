import { createHash } from 'node:crypto';
import type { Check, Config } from '../config/types';
import { resolveSecret } from '../config/resolve-secret';

/** One (service, endpoint) as probed from one region: what the scheduler schedules. */
export interface ProbeTarget {
  /** `<service>\t<endpoint>\t<region>`: identity across reloads. */
  key: string;
  service: string;
  endpoint: string;
  region: string;
  check: Check;
  /** Header values with secrets resolved (never logged). */
  headers: Record<string, string>;
  /**
   * Changes whenever anything that affects how the endpoint is probed changes (check fields, header values);
   * a reload reschedules exactly the targets whose fingerprint changed. Header values enter only as a hash.
   */
  fingerprint: string;
}

/** The region is not one of the config's `probeRegions`. */
export class UnknownProbeRegionError extends Error {
  readonly code = 'EUNKNOWNREGION';
  constructor(
    readonly region: string,
    readonly known: string[],
  ) {
    super(
      `unknown probe region "${region}"; the config defines ${known.length ? known.map((r) => `"${r}"`).join(', ') : 'no probe regions'}`,
    );
  }
}

/** A header secret of an endpoint could not be resolved. Names the endpoint and header, never the value. */
export class HeaderSecretError extends Error {
  readonly code = 'EHEADERSECRET';
}

/** JSON with object keys sorted, so equal values always give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner as Record<string, unknown>).sort()) {
      sorted[key] = (inner as Record<string, unknown>)[key];
    }
    return sorted;
  });
}

/**
 * Every target this region probes: each endpoint of each service whose `probeRegions` include the region.
 * Header secrets are resolved here, once per (re)load, not once per check.
 */
export async function probeTargetsFor(
  config: Config,
  region: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProbeTarget[]> {
  if (!config.probeRegions.includes(region)) throw new UnknownProbeRegionError(region, config.probeRegions);
  const targets: ProbeTarget[] = [];
  for (const service of Object.values(config.services)) {
    if (!service.probeRegions.includes(region)) continue;
    for (const pool of service.pools) {
      for (const endpoint of pool.endpoints) {
        const headers: Record<string, string> = {};
        if (endpoint.check.type === 'http' || endpoint.check.type === 'https') {
          for (const [name, value] of Object.entries(endpoint.check.headers)) {
            try {
              headers[name] = await resolveSecret(value, env);
            } catch (error) {
              const reason = error instanceof Error ? error.message : String(error);
              throw new HeaderSecretError(
                `services.${service.name} endpoint ${endpoint.id}: header ${name}: ${reason}`,
              );
            }
          }
        }
        const headerHash = createHash('sha256').update(canonicalJson(headers)).digest('hex');
        targets.push({
          key: `${service.name}\t${endpoint.id}\t${region}`,
          service: service.name,
          endpoint: endpoint.id,
          region,
          check: endpoint.check,
          headers,
          fingerprint: `${canonicalJson(endpoint.check)}#${headerHash}`,
        });
      }
    }
  }
  return targets;
}
