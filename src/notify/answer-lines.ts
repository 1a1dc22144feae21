/**
 * What a decision makes DNS answer at one provider target, as the lines a person reads in a notification:
 * `api.example.com A 192.0.2.10, 192.0.2.11` (rewrite), `api.example.com A [aws-use1] weight 0: 192.0.2.10`
 * (Route 53 weighted sets), `api.example.com A wrr weight 1: … | weight 0: …` (Cloud DNS weighted).
 *
 * The record sets come from the provider layer's own `desiredRecordSets` and are worded by its
 * `formatRecordSet`, so a `planned` line reads exactly like the `applied` line the apply processor reports
 * later. Owner TXT records are bookkeeping, not the answer, and are left out.
 */
import type { Config, Endpoint, Provider, ProviderTarget, Service } from '../config/types';
import { desiredRecordSets, OWNER_RECORD_PREFIX } from '../providers/desired-records';
import type { ProviderCapabilities } from '../providers/provider-adapter';
import { formatRecordSet } from '../providers/render-plan';
import type { Decision } from '../quorum/types';
import type { NotificationDnsChange } from './notification';

/** `route53 aws-main/Z0123`: the provider type, its config name and the zone. */
export function targetLabel(target: Pick<ProviderTarget, 'provider' | 'zone'>, provider?: Provider): string {
  const where = `${target.provider}/${target.zone}`;
  return provider === undefined ? where : `${provider.type} ${where}`;
}

/**
 * The label of a target named `<provider>/<zone>` (as apply events name it), with the provider type in front
 * when the config knows the provider. A label that already has its type is returned as it is.
 */
export function labelOfTargetName(config: Config, name: string): string {
  if (name.includes(' ')) return name;
  const slash = name.indexOf('/');
  const providerName = slash > 0 ? name.slice(0, slash) : name;
  const provider = config.providers[providerName];
  return provider === undefined ? name : `${provider.type} ${name}`;
}

/**
 * What `desiredRecordSets` needs to know of a provider to shape the sets. Only the shape matters here (limits
 * and rates are the adapters' business), and the shape follows from the provider type: Route 53 and the
 * local provider keep one weighted set per pool, Cloud DNS one `wrr` set. Modes were checked by the config.
 */
function shapeOf(provider: Provider): ProviderCapabilities {
  return {
    modes: ['rewrite', 'weights'],
    weightedStyle: provider.type === 'clouddns' ? 'items-in-set' : 'set-per-pool',
    alias: provider.type === 'route53',
    limits: {
      maxChanges: Number.MAX_SAFE_INTEGER,
      maxRecordValues: Number.MAX_SAFE_INTEGER,
      maxValueChars: Number.MAX_SAFE_INTEGER,
    },
    updateCost: 1,
    requestsPerSecond: Number.MAX_SAFE_INTEGER,
    hasSyncStatus: false,
  };
}

/** The answer lines of `decision` at `target`. */
export function answerLines(input: {
  service: Service;
  decision: Decision;
  target: ProviderTarget;
  provider?: Provider;
  deploymentId?: string;
}): string[] {
  const { service, decision, target, provider } = input;
  if (provider !== undefined) {
    try {
      return desiredRecordSets({
        service,
        decision,
        target,
        provider,
        capabilities: shapeOf(provider),
        deploymentId: input.deploymentId ?? '',
      })
        .filter((set) => !set.name.startsWith(OWNER_RECORD_PREFIX))
        .map((set) => formatRecordSet(set));
    } catch {
      // A decision the provider layer refuses to publish (it serves nothing): say so in our own words.
    }
  }
  return fallbackLines(service, decision, target);
}

/** The answer without the provider layer: a provider missing from the config, or a refused decision. */
function fallbackLines(service: Service, decision: Decision, target: ProviderTarget): string[] {
  const byId = new Map(service.pools.flatMap((pool) => pool.endpoints).map((e) => [e.id, e]));
  const values = (ids: readonly string[]): string => {
    const found = ids.map((id) => byId.get(id)).filter((e): e is Endpoint => e !== undefined);
    const list = [...new Set(found.map(endpointValue))].sort();
    return list.length === 0 ? '(no answer)' : list.join(', ');
  };
  const lines: string[] = [];
  for (const name of service.dnsNames) {
    if (target.mode === 'weights') {
      for (const pool of decision.pools) {
        lines.push(
          `${name} ${service.recordType} [${pool.pool}] weight ${pool.weight}: ${values(pool.endpoints)}`,
        );
      }
    } else {
      lines.push(
        `${name} ${service.recordType} ${values(decision.pools.filter((p) => p.weight > 0).flatMap((p) => p.endpoints))}`,
      );
    }
  }
  return lines;
}

function endpointValue(endpoint: Endpoint): string {
  switch (endpoint.target.kind) {
    case 'address':
      return endpoint.target.address;
    case 'cname':
      return endpoint.target.cname;
    case 'alias':
      return `alias ${endpoint.target.dnsName}`;
  }
}

/**
 * The planned change of every provider target of the service: the answer of `before` (nothing when the
 * service had no decision yet) and of `after`. Targets whose answer does not change are left out.
 */
export function plannedDnsChanges(input: {
  config: Config;
  service: Service;
  before?: Decision;
  after: Decision;
}): NotificationDnsChange[] {
  const { config, service, before, after } = input;
  const changes: NotificationDnsChange[] = [];
  for (const target of service.providers) {
    const provider = config.providers[target.provider];
    const common = { service, target, deploymentId: config.deployment.id, ...(provider ? { provider } : {}) };
    const beforeLines = before === undefined ? [] : answerLines({ ...common, decision: before });
    const afterLines = answerLines({ ...common, decision: after });
    if (beforeLines.join('\n') === afterLines.join('\n')) continue;
    changes.push({
      target: targetLabel(target, provider),
      before: beforeLines,
      after: afterLines,
      state: 'planned',
    });
  }
  return changes;
}
