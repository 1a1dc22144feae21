/**
 * Reading the record sets at some names of a hosted zone with as few ListResourceRecordSets calls as possible.
 *
 * Route 53 lists a zone in one documented order: by name with the labels reversed and a trailing dot, compared
 * as plain characters (`www.example.com` sorts as `com.example.www.`), then by type, then by set identifier;
 * a page holds at most 300 sets and says where the next one starts. All the sets of one name are therefore
 * contiguous, and a listing started at a name (StartRecordName) begins with that name's sets.
 *
 * The walk visits the requested names in that order. It starts a page at the first name not yet covered;
 * every requested name that sorts before the page's continuation point has been seen completely (its sets,
 * if any, were on the page). It then either continues exactly where the page stopped (when the next
 * uncovered name is the one the page was cut in) or jumps to the next uncovered name (skipping sets no one
 * asked for). Pages never overlap and every page but the last is full, so the walk never costs more than one
 * call over a listing of the whole zone, and names that sit together (a name and its `_quorumdns.` owner TXT,
 * a block of service names) cost one call per 300 sets rather than one call each.
 */
import type { ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import type { PageSender } from '../read-pacing';
import { canonicalName } from '../record-set-equality';
import { ListingStalledError } from '../unusable-answer-error';
import type { Route53Api } from './route53-api';
import { decodeName, encodeName } from './route53-codec';

/** The API's largest page (ListResourceRecordSets `maxitems`). */
export const MAX_LIST_PAGE_SIZE = 300;

/** Route 53's list order key of a canonical name: `www.example.com` -> `com.example.www.`. */
export function listOrderKey(name: string): string {
  const labels = canonicalName(name)
    .split('.')
    .filter((label) => label !== '');
  return `${labels.reverse().join('.')}.`;
}

/** Code-unit order, never locale order: it must match Route 53's character comparison. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface RecordListing {
  /** The wire sets at the requested names, in list order. */
  sets: ResourceRecordSet[];
  /** ListResourceRecordSets calls made. */
  requests: number;
}

export interface ListRecordSetsOptions {
  /** @default MAX_LIST_PAGE_SIZE */
  pageSize?: number;
  signal?: AbortSignal;
  /** Awaited before each request (the caller's rate limiting of the pages). */
  beforeRequest?: () => Promise<void>;
  /** Sends each page request (the adapter's error mapping and per-page retry). @default sends it as it is */
  sendPage?: PageSender;
}

interface ListPosition {
  name: string;
  type?: RRType;
  identifier?: string;
}

/** Every record set at `names` (canonical or not) in zone `zoneId`, reading only the pages that hold them. */
export async function listRecordSetsAt(
  api: Route53Api,
  zoneId: string,
  names: readonly string[],
  options: ListRecordSetsOptions = {},
): Promise<RecordListing> {
  const pageSize = options.pageSize ?? MAX_LIST_PAGE_SIZE;
  const sendPage: PageSender = options.sendPage ?? ((send) => send());
  const wanted = new Set(names.map(canonicalName));
  const targets = [...wanted]
    .map((name) => ({ name, key: listOrderKey(name) }))
    .sort((a, b) => compareKeys(a.key, b.key));
  const sets: ResourceRecordSet[] = [];
  let requests = 0;
  let next = 0;
  let cursor: ListPosition | undefined;
  let previousStart: ListPosition | undefined;

  while (next < targets.length) {
    const target = targets[next] as { name: string; key: string };
    // Continue inside the name the last page was cut in; otherwise jump straight to the next wanted name.
    const start: ListPosition =
      cursor !== undefined && listOrderKey(decodeName(cursor.name)) === target.key
        ? cursor
        : { name: encodeName(target.name) };
    if (previousStart !== undefined && samePosition(start, previousStart)) {
      throw new ListingStalledError(
        `ListResourceRecordSets of hosted zone ${zoneId} did not advance past ${describePosition(start)}`,
      );
    }
    previousStart = start;
    const page = await sendPage(async () => {
      await options.beforeRequest?.();
      return api.listResourceRecordSets(
        {
          HostedZoneId: zoneId,
          StartRecordName: start.name,
          ...(start.type !== undefined ? { StartRecordType: start.type } : {}),
          ...(start.identifier !== undefined ? { StartRecordIdentifier: start.identifier } : {}),
          MaxItems: pageSize,
        },
        options.signal,
      );
    });
    requests += 1;
    for (const set of page.ResourceRecordSets ?? []) {
      if (wanted.has(decodeName(set.Name ?? ''))) sets.push(set);
    }
    if (page.IsTruncated !== true || page.NextRecordName === undefined) break;
    const continuation = listOrderKey(decodeName(page.NextRecordName));
    while (next < targets.length && compareKeys((targets[next] as { key: string }).key, continuation) < 0) {
      next += 1;
    }
    cursor = {
      name: page.NextRecordName,
      ...(page.NextRecordType !== undefined ? { type: page.NextRecordType } : {}),
      ...(page.NextRecordIdentifier !== undefined ? { identifier: page.NextRecordIdentifier } : {}),
    };
  }
  return { sets, requests };
}

function samePosition(a: ListPosition, b: ListPosition): boolean {
  return a.name === b.name && a.type === b.type && a.identifier === b.identifier;
}

function describePosition(position: ListPosition): string {
  return [position.name, position.type, position.identifier].filter((part) => part !== undefined).join(' ');
}
