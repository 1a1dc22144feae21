/**
 * Reading the rrsets at some names of a managed zone with as few `rrsets.list` calls as the API allows.
 *
 * `rrsets.list` filters by exact name (and type), not by prefix or range, and pages with an opaque token. So
 * there are two ways to read N names:
 * - by name: one filtered listing per name (a name holds a handful of rrsets: one page each), N calls;
 * - the whole zone: every page of the unfiltered listing, keeping the wanted names; as many calls as the zone
 *   has pages, whatever N.
 * `listRrsetsAt` takes the cheaper one given what a full listing cost the last time (the adapter remembers it
 * per zone; before the first full listing it assumes `DEFAULT_FULL_LISTING_CALLS`), so a service's few
 * names cost a few calls, and reading hundreds of names in a small zone costs a few pages.
 */
import type { PageSender } from '../read-pacing';
import { ListingStalledError } from '../unusable-answer-error';
import type { CloudDnsApi } from './clouddns-api';
import { decodeName, encodeName } from './clouddns-codec';
import type { WireRrset } from './clouddns-wire';

/** Assumed cost of listing a zone never listed before: up to this many names are read one by one. */
export const DEFAULT_FULL_LISTING_CALLS = 10;

export interface RrsetListing {
  /** The wire rrsets at the requested names, in the order the API listed them. */
  rrsets: WireRrset[];
  /** `rrsets.list` calls made. */
  requests: number;
  /** Set when the whole zone was listed: how many pages that took (the cost to expect next time). */
  fullListingPages?: number;
}

export interface ListRrsetsOptions {
  /** What listing the whole zone is expected to cost. @default DEFAULT_FULL_LISTING_CALLS */
  fullListingCalls?: number;
  /** `maxResults` of each page. @default the server's choice */
  pageSize?: number;
  signal?: AbortSignal;
  /** Awaited before each request (the caller's pacing). */
  beforeRequest?: () => Promise<void>;
  /** Sends each page request (the adapter's error mapping and per-page retry). @default sends it as it is */
  sendPage?: PageSender;
}

/** Every rrset at `names` (canonical or not) in managed zone `zone`. */
export async function listRrsetsAt(
  api: CloudDnsApi,
  zone: string,
  names: readonly string[],
  options: ListRrsetsOptions = {},
): Promise<RrsetListing> {
  const wanted = new Set(names.map(decodeName));
  const sendPage: PageSender = options.sendPage ?? ((send) => send());
  let requests = 0;
  const pages = async (filter: { name?: string }): Promise<WireRrset[]> => {
    const found: WireRrset[] = [];
    const seenTokens = new Set<string>();
    let pageToken: string | undefined;
    do {
      const token = pageToken;
      const page = await sendPage(async () => {
        await options.beforeRequest?.();
        return api.listRrsets(
          zone,
          {
            ...filter,
            ...(options.pageSize !== undefined ? { maxResults: options.pageSize } : {}),
            ...(token !== undefined ? { pageToken: token } : {}),
          },
          options.signal,
        );
      });
      requests += 1;
      found.push(...page.rrsets.filter((rrset) => wanted.has(decodeName(rrset.name))));
      pageToken = page.nextPageToken;
      if (pageToken !== undefined) {
        if (seenTokens.has(pageToken)) {
          throw new ListingStalledError(
            `rrsets.list of managed zone ${zone}${filter.name !== undefined ? ` at ${filter.name}` : ''} ` +
              `handed out the same page token twice`,
          );
        }
        seenTokens.add(pageToken);
      }
    } while (pageToken !== undefined);
    return found;
  };

  if (wanted.size === 0) return { rrsets: [], requests: 0 };
  const fullListingCalls = options.fullListingCalls ?? DEFAULT_FULL_LISTING_CALLS;
  if (wanted.size > fullListingCalls) {
    const rrsets = await pages({});
    return { rrsets, requests, fullListingPages: requests };
  }
  const rrsets: WireRrset[] = [];
  for (const name of [...wanted].sort()) rrsets.push(...(await pages({ name: encodeName(name) })));
  return { rrsets, requests };
}
