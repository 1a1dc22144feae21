import type { EndpointExplanation, VoteStatus } from './types';

/** How one region voted across several endpoints: one status, or `mixed`. */
export type RegionVote = VoteStatus | 'mixed';

const order: RegionVote[] = ['down', 'up', 'mixed', 'unknown', 'suspect', 'stale'];

const phrases: Record<RegionVote, [singular: string, plural: string]> = {
  down: ['says down', 'say down'],
  up: ['says up', 'say up'],
  mixed: ['is split', 'are split'],
  unknown: ['has no opinion', 'have no opinion'],
  suspect: ['suspect', 'suspect'],
  stale: ['stale', 'stale'],
};

/**
 * `us-east-1, europe-west1 say down; onprem-fra stale`: the regions grouped by how they voted,
 * in a fixed order (down first: it is what people look for), regions in config order.
 */
export function summariseVotes(votes: ReadonlyArray<readonly [region: string, vote: RegionVote]>): string {
  const groups: string[] = [];
  for (const vote of order) {
    const regions = votes.filter(([, v]) => v === vote).map(([region]) => region);
    if (regions.length === 0) continue;
    const [singular, plural] = phrases[vote];
    groups.push(`${regions.join(', ')} ${regions.length === 1 ? singular : plural}`);
  }
  return groups.length > 0 ? groups.join('; ') : 'no regions configured';
}

/** The votes of one endpoint, in config order of the regions. */
export function endpointVotes(endpoint: EndpointExplanation): Array<[string, RegionVote]> {
  return Object.entries(endpoint.votes);
}

/** How each region voted across the endpoints of one pool: the shared status, or `mixed`. */
export function poolVotes(endpoints: readonly EndpointExplanation[]): Array<[string, RegionVote]> {
  const first = endpoints[0];
  if (first === undefined) return [];
  return Object.keys(first.votes).map((region) => {
    const statuses = new Set(endpoints.map((endpoint) => endpoint.votes[region] ?? 'unknown'));
    const [only] = statuses;
    return [region, statuses.size === 1 && only !== undefined ? only : 'mixed'];
  });
}
