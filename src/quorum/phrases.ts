import type { EvaluationFacts } from './evaluation-facts';
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
