/**
 * `providers.<name>` -> resolved `Provider`s: the type's own fields, the options every type shares
 * (with their defaults), and what needs more than one field or one provider to see.
 */
import { BUILTIN_PROVIDER } from './builtin-defaults';
import type { RawProvider } from './config-schema';
import { durationMs } from './duration';
import type { Entry } from './merge-fragments';
import { formatNameServer, parseNameServer } from './name-server';
import { normalizeDnsName } from './names';
import type { Problem } from './problem';
import type { BatchLimits, Provider, ProviderCommon } from './types';
import { below, problemAt, where } from './yaml-source';

/** Every valid provider entry resolved; problems across fields and providers pushed to `problems`. */
export function resolveProviders(
  entries: Iterable<Entry<RawProvider>>,
  problems: Problem[],
): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  const localZones = new Map<string, Entry<RawProvider>>();
  for (const entry of entries) {
    const provider = toProvider(entry, problems);
    providers.set(entry.name, provider);
    if (provider.type === 'local') {
      // Two local providers of one zone would keep two copies of it, each overwriting the other's answers.
      const first = localZones.get(provider.zone);
      if (first) {
        problems.push(
          problemAt(
            below(entry.origin, 'zone'),
            `zone "${provider.zone}" is already served by local provider "${first.name}" (at ${where(first.origin)})`,
          ),
        );
      } else localZones.set(provider.zone, entry);
    }
  }
  return providers;
}

function toProvider(entry: Entry<RawProvider>, problems: Problem[]): Provider {
  const { value } = entry;
  const common = commonOptions(entry, problems);
  switch (value.type) {
    case 'route53':
      return {
        ...common,
        type: 'route53',
        ...(value.hostedZoneId !== undefined ? { hostedZoneId: value.hostedZoneId } : {}),
        ...(value.region !== undefined ? { region: value.region } : {}),
        ...(value.roleArn !== undefined ? { roleArn: value.roleArn } : {}),
        ...(value.endpoint !== undefined ? { endpoint: value.endpoint } : {}),
      };
    case 'clouddns':
      return {
        ...common,
        type: 'clouddns',
        project: value.project,
        ...(value.managedZone !== undefined ? { managedZone: value.managedZone } : {}),
        ...(value.endpoint !== undefined ? { endpoint: value.endpoint } : {}),
      };
    case 'local':
      return {
        ...common,
        type: 'local',
        zone: normalizeDnsName(value.zone),
        syncDelay: value.syncDelay !== undefined ? durationMs(value.syncDelay) : BUILTIN_PROVIDER.syncDelay,
      };
  }
}

function commonOptions({ name, value, origin }: Entry<RawProvider>, problems: Problem[]): ProviderCommon {
  const limits: Partial<BatchLimits> = {};
  for (const field of ['maxChanges', 'maxRecordValues', 'maxValueChars'] as const) {
    const limit = value.limits?.[field];
    if (limit !== undefined) limits[field] = limit;
  }
  let nameServers: string[] | undefined;
  if (value.nameServers !== undefined) {
    nameServers = [];
    for (const [index, text] of value.nameServers.entries()) {
      const parsed = parseNameServer(text);
      if (!parsed) continue; // refused by the schema
      const canonical = formatNameServer(parsed);
      const previous = nameServers.indexOf(canonical);
      if (previous >= 0) {
        problems.push(
          problemAt(
            below(origin, 'nameServers', index),
            `duplicate name server "${canonical}" (also nameServers[${previous}])`,
          ),
        );
      }
      nameServers.push(canonical);
    }
  }
  return {
    name,
    ownerRecords: value.ownerRecords ?? BUILTIN_PROVIDER.ownerRecords,
    limits,
    ...(value.requestsPerSecond !== undefined ? { requestsPerSecond: value.requestsPerSecond } : {}),
    syncTimeout:
      value.syncTimeout !== undefined ? durationMs(value.syncTimeout) : BUILTIN_PROVIDER.syncTimeout,
    maxDeletes: value.maxDeletes ?? BUILTIN_PROVIDER.maxDeletes,
    ...(nameServers !== undefined ? { nameServers } : {}),
  };
}
