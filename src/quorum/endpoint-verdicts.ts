import type { Service } from '../config/types';
import { configuredRegions } from './configured-regions';
import { opinionOf } from './opinion-of';
import type { EndpointExplanation, OpinionMatrix, RegionStatus, Verdict, VoteStatus } from './types';

/**
 * The quorum's verdict on every endpoint of the service, in config order.
 *
 * Only live, non-suspect regions' votes count. down when at least `needed` regions say down, up
 * when at least `needed` say up; when both reach it (only possible with a small quorum such as
 * `any`) down wins, because a small quorum is chosen to be failure-sensitive. Otherwise the votes
 * decide nothing and the previous verdict holds (`held`); a new endpoint starts `unknown`.
 */
export function endpointVerdicts(
  service: Service,
  opinions: OpinionMatrix,
  regionStatus: Readonly<Record<string, RegionStatus>>,
  needed: number,
  previous: Readonly<Record<string, Verdict>>,
): EndpointExplanation[] {
  const regions = configuredRegions(service);
  const result: EndpointExplanation[] = [];
  for (const pool of service.pools) {
    for (const endpoint of pool.endpoints) {
      const votes: Record<string, VoteStatus> = {};
      let upVotes = 0;
      let downVotes = 0;
      for (const region of regions) {
        const status = regionStatus[region] ?? 'stale';
        if (status !== 'live') {
          votes[region] = status;
          continue;
        }
        const opinion = opinionOf(opinions, endpoint.id, region);
        votes[region] = opinion;
        if (opinion === 'up') upVotes++;
        else if (opinion === 'down') downVotes++;
      }
      const reached: Verdict | undefined =
        downVotes >= needed ? 'down' : upVotes >= needed ? 'up' : undefined;
      const before = previousVerdict(previous, endpoint.id);
      result.push({
        endpoint: endpoint.id,
        pool: pool.name,
        votes,
        upVotes,
        downVotes,
        needed,
        verdict: reached ?? before,
        held: reached === undefined,
      });
    }
  }
  return result;
}

function previousVerdict(previous: Readonly<Record<string, Verdict>>, endpoint: string): Verdict {
  if (!Object.prototype.hasOwnProperty.call(previous, endpoint)) return 'unknown';
  const verdict = previous[endpoint];
  return verdict === 'up' || verdict === 'down' ? verdict : 'unknown';
}
