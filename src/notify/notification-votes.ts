/**
 * "Which probe regions voted what" for a notification, from the structured explanation the evaluator stores
 * with the service record: one entry per configured region, over the endpoints of the pools the message is
 * about (all pools when it is about none in particular).
 */
import { formatDuration } from '../quorum/format-duration';
import type { Explanation, VoteStatus } from '../quorum/types';
import type { NotificationVote } from './notification';

/** Endpoint names listed per vote before the rest is counted (a pool of 200 endpoints is one line, not 200). */
const MAX_NAMED_ENDPOINTS = 8;

const ORDER: VoteStatus[] = ['down', 'up', 'unknown', 'suspect', 'stale'];

function names(endpoints: readonly string[]): string {
  if (endpoints.length <= MAX_NAMED_ENDPOINTS) return endpoints.join(', ');
  const more = endpoints.length - MAX_NAMED_ENDPOINTS;
  return `${endpoints.slice(0, MAX_NAMED_ENDPOINTS).join(', ')} and ${more} more`;
}

/**
 * `down: use1-a, use1-b` / `up` / `stale (last heartbeat 42s ago): not counted` / `suspect: votes discounted`
 * per region, in config order. `pools` limits the endpoints looked at; empty = every pool.
 */
export function votesFromExplanation(
  explanation: Explanation,
  pools: readonly string[] = [],
): NotificationVote[] {
  const wanted = new Set(pools);
  const endpoints = explanation.endpoints.filter((e) => wanted.size === 0 || wanted.has(e.pool));
  return explanation.regions.map(({ region, status, heartbeatAge }) => {
    if (status === 'stale') {
      const seen =
        heartbeatAge === undefined ? 'no heartbeat' : `last heartbeat ${formatDuration(heartbeatAge)} ago`;
      return { region, says: `stale (${seen}): not counted` };
    }
    if (status === 'suspect') return { region, says: 'suspect: votes discounted' };
    const byVote = new Map<VoteStatus, string[]>();
    for (const endpoint of endpoints) {
      const vote = endpoint.votes[region] ?? 'unknown';
      byVote.set(vote, [...(byVote.get(vote) ?? []), endpoint.endpoint]);
    }
    const only = byVote.size === 1 ? [...byVote.keys()][0] : undefined;
    if (only === 'up') return { region, says: 'up' };
    if (only === 'unknown' || byVote.size === 0) return { region, says: 'no opinion' };
    const says = ORDER.filter((vote) => byVote.has(vote))
      .map((vote) => `${vote}: ${names(byVote.get(vote) ?? [])}`)
      .join('; ');
    return { region, says };
  });
}
