import type { Quorum } from '../config/types';

/**
 * How many probe regions must agree for an endpoint verdict, counted over the service's
 * CONFIGURED regions (not the live ones): a partition that leaves one region alone can then
 * never reach a majority by itself.
 *
 * The config validator rejects a quorum above the region count; the core still clamps to
 * 1..regionCount so a bad config degrades to "needs every region" instead of "never decides".
 */
export function quorumSize(quorum: Quorum, configuredRegionCount: number): number {
  const n = configuredRegionCount;
  let size: number;
  if (quorum === 'majority') size = Math.floor(n / 2) + 1;
  else if (quorum === 'all') size = n;
  else if (quorum === 'any') size = 1;
  else size = Math.floor(quorum.atLeast);
  return Math.min(Math.max(1, size), Math.max(1, n));
}

/** `majority`, `all`, `any`, `at least 2`: how the quorum is written in explanations. */
export function describeQuorum(quorum: Quorum): string {
  return typeof quorum === 'string' ? quorum : `at least ${quorum.atLeast}`;
}
