import type { Opinion, OpinionMatrix } from './types';

/**
 * What `region` believes of `endpoint`. Anything that is not exactly `up` or `down` (missing,
 * or a value some future probe version writes) is `unknown`: the core never guesses.
 */
export function opinionOf(opinions: OpinionMatrix, endpoint: string, region: string): Opinion {
  if (!Object.prototype.hasOwnProperty.call(opinions, endpoint)) return 'unknown';
  const byRegion = opinions[endpoint];
  if (byRegion === undefined || byRegion === null || typeof byRegion !== 'object') return 'unknown';
  if (!Object.prototype.hasOwnProperty.call(byRegion, region)) return 'unknown';
  const opinion = byRegion[region];
  return opinion === 'up' || opinion === 'down' ? opinion : 'unknown';
}
