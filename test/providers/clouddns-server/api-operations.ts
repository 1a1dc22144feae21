/**
 * The API methods themselves, over the zone store: what each route answers with a 200, or the error it
 * throws (a `CloudDnsApiError` the HTTP layer turns into Google's error body).
 */
import { badRequest, CloudDnsApiError, problems, type GoogleErrorDetail } from './cloud-dns-api-error';
import { enforceChangeLimits } from './change-limits';
import type { Route } from './http-routing';
import { paginate, parseMaxResults } from './paging';
import { rrsetKey } from './rrset';
import { parseRrset } from './rrset-validation';
import type { CloudDnsChangeLimits, CloudDnsRrset } from './types';
import { changeStatus, toWireChange, toWireRrset, toWireZone } from './wire-format';
import type { ZoneStore } from './zone-store';

export interface ApiContext {
  store: ZoneStore;
  limits: Required<CloudDnsChangeLimits>;
  syncDelayMs: number;
  defaultPageSize: number;
  now: () => number;
}

export type JsonObject = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseChangeBody(body: unknown): { additions: CloudDnsRrset[]; deletions: CloudDnsRrset[] } {
  if (!isRecord(body)) throw badRequest([problems.required('entity.change')]);
  const found: GoogleErrorDetail[] = [];
  const parseList = (kind: 'additions' | 'deletions'): CloudDnsRrset[] => {
    const raw = body[kind];
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) {
      found.push(problems.invalidValue(`entity.change.${kind}`, raw));
      return [];
    }
    return raw
      .map((item: unknown, index) => parseRrset(item, `entity.change.${kind}[${index}]`, found))
      .filter((rrset): rrset is CloudDnsRrset => rrset !== undefined);
  };
  const additions = parseList('additions');
  const deletions = parseList('deletions');
  if (found.length > 0) throw badRequest(found);
  return { additions, deletions };
}

function listZones(context: ApiContext, project: string, query: URLSearchParams): JsonObject {
  const dnsName = query.get('dnsName')?.toLowerCase();
  const zones = context.store
    .listZones(project)
    .filter((zone) => dnsName === undefined || zone.dnsName === dnsName);
  const page = paginate(
    zones,
    (zone) => zone.name,
    parseMaxResults(query.get('maxResults'), context.defaultPageSize),
    query.get('pageToken'),
  );
  return { kind: 'dns#managedZonesListResponse', managedZones: page.items.map(toWireZone), ...tokenOf(page) };
}

function tokenOf(page: { nextPageToken?: string }): JsonObject {
  return page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken };
}

function listRrsets(
  context: ApiContext,
  project: string,
  zoneName: string,
  query: URLSearchParams,
): JsonObject {
  const zone = context.store.requireZone(project, zoneName);
  const rawName = query.get('name');
  const type = query.get('type');
  if (type !== null && rawName === null) {
    throw badRequest([problems.invalid('type', "a 'type' filter needs the 'name' parameter too")]);
  }
  // Record names compare case-insensitively; a name sent without its trailing dot still means the FQDN.
  const name = rawName === null ? undefined : `${rawName.toLowerCase().replace(/\.$/, '')}.`;
  const matching = context.store
    .sortedRrsets(zone)
    .filter((rrset) => (name === undefined || rrset.name === name) && (type === null || rrset.type === type));
  const page = paginate(
    matching,
    (rrset) => rrsetKey(rrset.name, rrset.type),
    parseMaxResults(query.get('maxResults'), context.defaultPageSize),
    query.get('pageToken'),
  );
  return {
    kind: 'dns#resourceRecordSetsListResponse',
    rrsets: page.items.map(toWireRrset),
    ...tokenOf(page),
  };
}

function getRrset(context: ApiContext, route: Extract<Route, { operation: 'getRrset' }>): JsonObject {
  const zone = context.store.requireZone(route.project, route.zone);
  const rrset = zone.rrsets.get(rrsetKey(route.name, route.type));
  if (rrset === undefined) {
    throw CloudDnsApiError.of(
      404,
      'notFound',
      `The 'parameters.name' resource named '${route.name} (${route.type})' does not exist.`,
    );
  }
  return toWireRrset(rrset);
}

function createChange(context: ApiContext, project: string, zoneName: string, body: unknown): JsonObject {
  const zone = context.store.requireZone(project, zoneName);
  const { additions, deletions } = parseChangeBody(body);
  enforceChangeLimits(context.limits, additions, deletions);
  const nowMs = context.now();
  const change = context.store.applyChange(zone, additions, deletions, nowMs);
  return toWireChange(change, changeStatus(change, nowMs, context.syncDelayMs));
}

function listChanges(
  context: ApiContext,
  project: string,
  zoneName: string,
  query: URLSearchParams,
): JsonObject {
  const zone = context.store.requireZone(project, zoneName);
  const sortOrder = query.get('sortOrder') ?? 'ascending';
  if (sortOrder !== 'ascending' && sortOrder !== 'descending') {
    throw badRequest([problems.invalidValue('sortOrder', sortOrder)]);
  }
  const direction = sortOrder === 'ascending' ? 1 : -1;
  const ordered = direction === 1 ? zone.changes : [...zone.changes].reverse();
  const nowMs = context.now();
  const page = paginate(
    ordered,
    // Zero-padded so string order is numeric order.
    (change) => change.id.padStart(12, '0'),
    parseMaxResults(query.get('maxResults'), context.defaultPageSize),
    query.get('pageToken'),
    direction,
  );
  return {
    kind: 'dns#changesListResponse',
    changes: page.items.map((change) =>
      toWireChange(change, changeStatus(change, nowMs, context.syncDelayMs)),
    ),
    ...tokenOf(page),
  };
}

function getChange(context: ApiContext, project: string, zoneName: string, changeId: string): JsonObject {
  const zone = context.store.requireZone(project, zoneName);
  const change = zone.changes.find((candidate) => candidate.id === changeId);
  if (change === undefined) {
    throw CloudDnsApiError.of(
      404,
      'notFound',
      `The 'parameters.changeId' resource named '${changeId}' does not exist.`,
    );
  }
  return toWireChange(change, changeStatus(change, context.now(), context.syncDelayMs));
}

/** Runs one API method. Throws `CloudDnsApiError` for every answer that is not a 200. */
export function runOperation(
  context: ApiContext,
  route: Route,
  query: URLSearchParams,
  body: unknown,
): JsonObject {
  switch (route.operation) {
    case 'listZones':
      return listZones(context, route.project, query);
    case 'getZone':
      return toWireZone(context.store.requireZone(route.project, route.zone));
    case 'listRrsets':
      return listRrsets(context, route.project, route.zone, query);
    case 'getRrset':
      return getRrset(context, route);
    case 'createChange':
      return createChange(context, route.project, route.zone, body);
    case 'listChanges':
      return listChanges(context, route.project, route.zone, query);
    case 'getChange':
      return getChange(context, route.project, route.zone, route.changeId);
  }
}
