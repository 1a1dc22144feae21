import type { EvaluationFacts } from './evaluation-facts';
import { failbackAfterInForce } from './flap-damping';
import { formatDuration, formatTime } from './format-duration';
import type { PoolVerdict } from './pool-verdicts';
import type { Override } from './types';
import { endpointVotes, poolVotes, summariseVotes } from './vote-summary';

/** `quorum 2/3 (us-east-1, europe-west1 say down; onprem-fra stale)` for one endpoint. */
export function endpointQuorumPhrase(facts: EvaluationFacts, endpoint: string): string {
  const explained = facts.endpoints.find((candidate) => candidate.endpoint === endpoint);
  const votes = explained === undefined ? '' : ` (${summariseVotes(endpointVotes(explained))})`;
  return `quorum ${facts.needed}/${facts.regions.length}${votes}`;
}

/** `quorum 2/3 (us-east-1, europe-west1 say down; onprem-fra stale)` over the endpoints of one pool. */
export function poolQuorumPhrase(facts: EvaluationFacts, pool: string): string {
  const endpoints = facts.endpoints.filter((endpoint) => endpoint.pool === pool);
  const votes = endpoints.length === 0 ? ' (no endpoints)' : ` (${summariseVotes(poolVotes(endpoints))})`;
  return `quorum ${facts.needed}/${facts.regions.length}${votes}`;
}

/** `1 of 2 endpoints up, 1 needed` */
export function poolHealthPhrase(verdict: PoolVerdict): string {
  const total = verdict.upCount + verdict.downCount + verdict.unknownCount;
  const unknown = verdict.unknownCount > 0 ? `, ${verdict.unknownCount} unknown` : '';
  return `${verdict.upCount} of ${total} endpoint${total === 1 ? '' : 's'} up${unknown}, ${verdict.minHealthy} needed`;
}

/** `freeze by alice until 2026-05-01T10:00:00.000Z ("migration")` */
export function describeOverride(override: Override): string {
  const what = override.kind === 'freeze' ? 'freeze' : `force pool ${override.pool} ${override.direction}`;
  const until = override.expiresAt === undefined ? '' : ` until ${formatTime(override.expiresAt)}`;
  const reason = override.reason ? ` (${JSON.stringify(override.reason)})` : '';
  return `${what} by ${override.by || 'unknown operator'}${until}${reason}`;
}

export function list(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

/** `, raised by flap damping from 30s` when the failbackAfter in force is above the configured one. */
export function flapDampedNote(configured: number, inForce: number): string {
  return inForce > configured ? `, raised by flap damping from ${formatDuration(configured)}` : '';
}

/** The pools restored early at this evaluation (see `early-failback.ts`). */
export function restoredEarly(facts: EvaluationFacts): string[] {
  return facts.eligibility.restored
    .filter((restore) => restore.by === 'early-failback')
    .map((restore) => restore.pool);
}

/** `a drained (down), c forced out`: why no pool but the ones restored early could serve. */
export function otherPoolsPhrase(facts: EvaluationFacts): string {
  const early = new Set(restoredEarly(facts));
  const others = facts.poolVerdicts
    .filter((verdict) => !early.has(verdict.pool))
    .map((verdict) => {
      const state = facts.state.pools[verdict.pool];
      if (state?.forced === 'out') return `${verdict.pool} forced out`;
      if (state?.forced !== 'in' && state?.eligible === false) {
        return verdict.verdict === 'up'
          ? `${verdict.pool} up, still waiting for failback (not needed)`
          : `${verdict.pool} drained (${verdict.verdict})`;
      }
      return `${verdict.pool} weight 0`;
    });
  return list(others);
}

/**
 * `up for 20s of its failbackAfter 1m`, or for `failback: manual`
 * `up for 20s; failback is manual, but a healthy pool beats a down one`.
 */
export function earlyFailbackPhrase(facts: EvaluationFacts, pool: string): string {
  const { safety } = facts.service;
  const state = facts.state.pools[pool];
  const upFor = `up for ${formatDuration(facts.now - (state?.upSince ?? facts.now))}`;
  if (safety.failback === 'manual')
    return `${upFor}; failback is manual, but a healthy pool beats a down one`;
  const inForce = failbackAfterInForce(safety, state?.failbackAfter ?? safety.failbackAfter);
  return `${upFor} of its failbackAfter ${formatDuration(inForce)}${flapDampedNote(safety.failbackAfter, inForce)}`;
}
