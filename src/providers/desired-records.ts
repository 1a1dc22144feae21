/**
 * The record sets a decision wants at one provider target. Pure: the same (service, decision, target,
 * provider, deployment) always gives the same sets, in the same order, in canonical form (names lower case
 * without the trailing dot, values sorted), so a plan against them is deterministic. Rules: docs/providers.md.
 */
import type { Endpoint, Pool, Provider, ProviderTarget, Service } from '../config/types';
import { configuredDecision } from '../quorum/configured-decision';
import type { Decision, PoolAnswer } from '../quorum/types';
import type { ProviderCapabilities } from './provider-adapter';
import { ProviderError } from './provider-errors';
import type { AliasValue, RecordSet, WeightedItem } from './record-set';
import { canonicalName, canonicalRecordSet, canonicalValues } from './record-set-equality';

/** Prefix of the owner TXT name (`_quorumdns.<name>`): an underscore label, which no host name uses. */
export const OWNER_RECORD_PREFIX = '_quorumdns.';

/** TTL of owner TXT records: nobody resolves them in the hot path, so a cache-friendly value. */
export const OWNER_RECORD_TTL = 300;

export interface DesiredRecordsInput {
  service: Service;
  decision: Decision;
  target: ProviderTarget;
  provider: Provider;
  capabilities: ProviderCapabilities;
  deploymentId: string;
}

/**
 * The record sets a decision wants at one target: names x (record type) in rewrite mode; one set per pool
 * (set-per-pool) or one wrr set (items-in-set) in weights mode; owner TXT sets when ownerRecords.
 *
 * Throws a permanent `ProviderError` (`REJECTED`) when the decision cannot be expressed at this provider
 * (no serving endpoint, a mode or an alias the provider does not support), naming the service and the reason.
 */
export function desiredRecordSets(input: DesiredRecordsInput): RecordSet[] {
  const { service, target, provider, capabilities } = input;
  if (!capabilities.modes.includes(target.mode)) {
    throw rejected(
      provider,
      `service "${service.name}": provider "${provider.name}" does not support ${target.mode} mode ` +
        `(it supports ${capabilities.modes.join(', ') || 'none'})`,
    );
  }
  const answers = answersByPool(service, input.decision, provider);
  const sets: RecordSet[] = [];
  for (const dnsName of uniqueNames(service.dnsNames)) {
    if (target.mode === 'rewrite') sets.push(rewriteSet(dnsName, service, answers, input));
    else if (capabilities.weightedStyle === 'set-per-pool')
      sets.push(...setsPerPool(dnsName, service, answers, input));
    else sets.push(itemsInSet(dnsName, service, answers, input));
  }
  if (provider.ownerRecords) {
    for (const dnsName of uniqueNames(service.dnsNames)) {
      sets.push({
        name: ownerRecordName(dnsName),
        type: 'TXT',
        ttl: OWNER_RECORD_TTL,
        values: [ownerRecordValue(input.deploymentId)],
      });
    }
  }
  return sets.map(canonicalRecordSet);
}

/** `_quorumdns.<name>`: the owner TXT record guarding a managed name. */
export function ownerRecordName(name: string): string {
  return `${OWNER_RECORD_PREFIX}${canonicalName(name)}`;
}

/** The owner TXT value, as a quoted character-string (the presentation form record-set.ts uses for TXT). */
export function ownerRecordValue(deploymentId: string): string {
  return `"heritage=quorumdns,deployment=${deploymentId}"`;
}

/** Every name the service writes at this provider: its dnsNames, then (with ownerRecords) their owner names. */
export function managedNames(service: Service, provider: Provider): string[] {
  const names = uniqueNames(service.dnsNames);
  return provider.ownerRecords ? [...names, ...names.map(ownerRecordName)] : names;
}

/**
 * The all-healthy answer (every pool eligible; failover: the first pool) for a service with no state yet:
 * the same configured answer the decision core starts from, so `sync` before the first evaluation and the
 * first evaluation agree.
 */
export function initialDecision(service: Service): Decision {
  return configuredDecision(service);
}

interface PoolServing {
  pool: Pool;
  answer: PoolAnswer;
  /** The endpoints whose values the pool contributes, in config order. */
  endpoints: Endpoint[];
}

/** Decision answers joined with their pools, in config order (the decision's pools are in config order too). */
function answersByPool(service: Service, decision: Decision, provider: Provider): PoolServing[] {
  const byName = new Map(decision.pools.map((answer) => [answer.pool, answer]));
  return service.pools.map((pool) => {
    const answer = byName.get(pool.name) ?? { pool: pool.name, weight: 0, endpoints: [] };
    if (!Number.isFinite(answer.weight) || answer.weight < 0) {
      throw rejected(
        provider,
        `service "${service.name}": pool "${pool.name}" has weight ${answer.weight} in the decision; weights are non-negative`,
      );
    }
    const listed = new Set(answer.endpoints);
    // A weighted record set can never be empty, so a pool the decision lists without endpoints keeps all of
    // its configured ones (decisions list every endpoint of a weight-0 pool anyway).
    const endpoints = pool.endpoints.filter((endpoint) => listed.has(endpoint.id));
    return { pool, answer, endpoints: endpoints.length > 0 ? endpoints : pool.endpoints };
  });
}

/** Rewrite mode: one plain set whose data are the endpoints of every pool with weight > 0. */
function rewriteSet(
  name: string,
  service: Service,
  answers: PoolServing[],
  input: DesiredRecordsInput,
): RecordSet {
  const serving = answers
    .filter((entry) => entry.answer.weight > 0 && entry.answer.endpoints.length > 0)
    .flatMap((entry) =>
      entry.pool.endpoints.filter((endpoint) => entry.answer.endpoints.includes(endpoint.id)),
    );
  const first = serving[0];
  if (first === undefined) {
    throw rejected(
      input.provider,
      `service "${service.name}": the decision serves no endpoint (every pool has weight 0); refusing to publish an empty answer`,
    );
  }
  if (first.target.kind === 'alias') {
    return { name, type: service.recordType, ttl: 0, alias: aliasOf(first, input) };
  }
  return { name, type: service.recordType, ttl: service.ttl, values: dataValues(serving, service, input) };
}

/** Route 53 style weights: one set per pool, identified by the pool name. Drained pools keep their values. */
function setsPerPool(
  name: string,
  service: Service,
  answers: PoolServing[],
  input: DesiredRecordsInput,
): RecordSet[] {
  return answers.map(({ pool, answer, endpoints }) => {
    const base = { name, type: service.recordType, setIdentifier: pool.name, weight: answer.weight };
    const first = endpoints[0] as Endpoint;
    if (first.target.kind === 'alias') return { ...base, ttl: 0, alias: aliasOf(first, input) };
    return { ...base, ttl: service.ttl, values: dataValues(endpoints, service, input) };
  });
}

/** Cloud DNS style weights: one set, one `wrr` item per pool in config order. */
function itemsInSet(
  name: string,
  service: Service,
  answers: PoolServing[],
  input: DesiredRecordsInput,
): RecordSet {
  const wrr: WeightedItem[] = answers.map(({ answer, endpoints }) => ({
    weight: answer.weight,
    values: dataValues(endpoints, service, input),
  }));
  return { name, type: service.recordType, ttl: service.ttl, wrr };
}

/**
 * The record data of some endpoints: every address, or for CNAME the first endpoint's target only (a CNAME
 * set holds one value). Alias endpoints contribute nothing to a plain set: they only ever become the set's
 * alias, when they come first.
 */
function dataValues(endpoints: Endpoint[], service: Service, input: DesiredRecordsInput): string[] {
  const values: string[] = [];
  for (const endpoint of endpoints) {
    if (endpoint.target.kind === 'address') values.push(endpoint.target.address.toLowerCase());
    else if (endpoint.target.kind === 'cname') values.push(canonicalName(endpoint.target.cname));
  }
  if (values.length === 0) {
    throw rejected(
      input.provider,
      `service "${service.name}": endpoints ${endpoints.map((e) => `"${e.id}"`).join(', ')} give no ${service.recordType} value`,
    );
  }
  return service.recordType === 'CNAME' ? [values[0] as string] : canonicalValues(values);
}

function aliasOf(endpoint: Endpoint, input: DesiredRecordsInput): AliasValue {
  if (endpoint.target.kind !== 'alias') throw new Error('aliasOf: not an alias endpoint');
  if (!input.capabilities.alias) {
    throw rejected(
      input.provider,
      `service "${input.service.name}": endpoint "${endpoint.id}" is a Route 53 alias, which provider ` +
        `"${input.provider.name}" (${input.provider.type}) cannot serve`,
    );
  }
  return {
    hostedZoneId: endpoint.target.hostedZoneId,
    dnsName: canonicalName(endpoint.target.dnsName),
    evaluateTargetHealth: endpoint.target.evaluateTargetHealth,
  };
}

function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names.map(canonicalName))];
}

function rejected(provider: Provider, message: string): ProviderError {
  return new ProviderError('REJECTED', message, { provider: provider.name });
}
