/**
 * List paging as the API does it: `maxResults` caps a page, `nextPageToken` is opaque and handed back as
 * `pageToken`. The token names the last item returned (not an offset), so a page boundary stays correct
 * when record sets are added or deleted between two page requests — the situation an adapter listing a
 * zone while another writer changes it is in.
 */
import { badRequest, problems } from './cloud-dns-api-error';

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Parses `maxResults` from the query; absent means the server's default page size. */
export function parseMaxResults(raw: string | null, defaultPageSize: number): number {
  if (raw === null) return defaultPageSize;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < 1) {
    throw badRequest([problems.invalidValue('maxResults', raw)]);
  }
  return value;
}

function decodeToken(token: string): string {
  const decoded: unknown = (() => {
    try {
      return JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
  })();
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    typeof (decoded as { after?: unknown }).after !== 'string'
  ) {
    throw badRequest([problems.invalidValue('pageToken', token)]);
  }
  return (decoded as { after: string }).after;
}

/**
 * One page of `items`, which must already be sorted by `keyOf` in `direction` (1 ascending, -1 descending).
 * Resumes strictly after the key named by `pageToken`.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  pageSize: number,
  pageToken: string | null,
  direction: 1 | -1 = 1,
): Page<T> {
  let start = 0;
  if (pageToken !== null && pageToken !== '') {
    const after = decodeToken(pageToken);
    const index = items.findIndex((item) => {
      const key = keyOf(item);
      return direction === 1 ? key > after : key < after;
    });
    start = index === -1 ? items.length : index;
  }
  const pageItems = items.slice(start, start + pageSize);
  const last = pageItems[pageItems.length - 1];
  if (start + pageSize >= items.length || last === undefined) return { items: pageItems };
  return {
    items: pageItems,
    nextPageToken: Buffer.from(JSON.stringify({ after: keyOf(last) })).toString('base64url'),
  };
}
