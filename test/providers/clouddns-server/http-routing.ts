/**
 * Which API method a request is, from its method and path (the v1 REST surface the client library uses):
 *
 *   GET  /dns/v1/projects/{project}/managedZones
 *   GET  /dns/v1/projects/{project}/managedZones/{zone}
 *   GET  /dns/v1/projects/{project}/managedZones/{zone}/rrsets            ?name=&type=&maxResults=&pageToken=
 *   GET  /dns/v1/projects/{project}/managedZones/{zone}/rrsets/{name}/{type}
 *   POST /dns/v1/projects/{project}/managedZones/{zone}/changes           {additions, deletions}
 *   GET  /dns/v1/projects/{project}/managedZones/{zone}/changes           ?sortOrder=&maxResults=&pageToken=
 *   GET  /dns/v1/projects/{project}/managedZones/{zone}/changes/{changeId}
 */
import type { CloudDnsResource } from './types';

export const API_PREFIX = '/dns/v1';

export type Route =
  | { operation: 'listZones'; project: string }
  | { operation: 'getZone'; project: string; zone: string }
  | { operation: 'listRrsets'; project: string; zone: string }
  | { operation: 'getRrset'; project: string; zone: string; name: string; type: string }
  | { operation: 'createChange'; project: string; zone: string }
  | { operation: 'listChanges'; project: string; zone: string }
  | { operation: 'getChange'; project: string; zone: string; changeId: string };

function segmentsOf(pathname: string): string[] | undefined {
  if (!pathname.startsWith(`${API_PREFIX}/`)) return undefined;
  try {
    return pathname
      .slice(API_PREFIX.length + 1)
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined; // Malformed percent-encoding: no such resource.
  }
}

/** The collection a path addresses, for stats and fault matching; `undefined` outside the API. */
export function resourceOf(pathname: string): CloudDnsResource | undefined {
  const segments = segmentsOf(pathname);
  if (segments === undefined || segments[0] !== 'projects' || segments[2] !== 'managedZones')
    return undefined;
  const collection = segments[4];
  if (collection === 'rrsets' || collection === 'changes') return collection;
  return segments.length <= 4 ? 'managedZones' : undefined;
}

export function matchRoute(method: string, pathname: string): Route | undefined {
  const segments = segmentsOf(pathname);
  if (segments === undefined || segments[0] !== 'projects' || segments[2] !== 'managedZones')
    return undefined;
  const [, project = '', , zone, collection, ...rest] = segments;
  if (project === '') return undefined;
  if (zone === undefined) return method === 'GET' ? { operation: 'listZones', project } : undefined;
  if (collection === undefined) return method === 'GET' ? { operation: 'getZone', project, zone } : undefined;
  if (collection === 'rrsets' && method === 'GET') {
    if (rest.length === 0) return { operation: 'listRrsets', project, zone };
    const [name, type] = rest;
    if (rest.length === 2 && name !== undefined && type !== undefined) {
      return { operation: 'getRrset', project, zone, name, type };
    }
    return undefined;
  }
  if (collection === 'changes' && rest.length === 0) {
    if (method === 'POST') return { operation: 'createChange', project, zone };
    if (method === 'GET') return { operation: 'listChanges', project, zone };
    return undefined;
  }
  const [changeId] = rest;
  if (collection === 'changes' && method === 'GET' && rest.length === 1 && changeId !== undefined) {
    return { operation: 'getChange', project, zone, changeId };
  }
  return undefined;
}
