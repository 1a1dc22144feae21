import { describeServingPools } from './decision-shape';
import type { EvaluationFacts } from './evaluation-facts';
import { failbackAfterInForce } from './flap-damping';
import { formatDuration, formatTime } from './format-duration';
import { heartbeatAge } from './region-liveness';
import {
  describeOverride,
  earlyFailbackPhrase,
  flapDampedNote,
  otherPoolsPhrase,
  poolHealthPhrase,
  poolQuorumPhrase,
  restoredEarly,
} from './phrases';
import { describeQuorum } from './quorum-size';
import { inRuleOrder } from './rule-order';
import type { PoolVerdict } from './pool-verdicts';
import type { Explanation, PoolExplanation, PoolStatus, RegionExplanation, RuleName } from './types';

/** Why the decision is what it is: votes per region, the rules that fired, a line per pool. */
export function buildExplanation(facts: EvaluationFacts): Explanation {
  const regions = regionExplanations(facts);
  const pools = facts.poolVerdicts.map((verdict) => poolExplanation(facts, verdict));
  const rules = firedRules(facts, pools);
  const lines: string[] = [];
  const { service } = facts;
  lines.push(
    `${service.name}: policy ${service.policy}, quorum ${describeQuorum(service.quorum)} = ${facts.needed} of ` +
      `${facts.regions.length} configured regions, evaluated ${formatTime(facts.now)}`,
  );
  lines.push(
    `regions: ${regions.length === 0 ? 'none configured' : regions.map(describeRegion(facts)).join(', ')}`,
  );
  for (const suspect of facts.suspects) {
    const seen = suspect.pools
      .map((pool) => `${pool.lonelyDown}/${pool.endpoints} in ${pool.pool}`)
      .join(', ');
    lines.push(
      `suspect region ${suspect.region}: alone in seeing endpoints down (${seen}) while the other live regions see them up; its votes are discounted`,
    );
  }
  for (const pool of pools) lines.push(pool.line);
  lines.push(...overrideLines(facts));
  if (facts.failOpen) {
    lines.push(
      `fail-open: the quorum's answer would serve nothing; the last good answer is kept: ${describeServingPools(facts.computed)}`,
    );
  }
  if (facts.freeze.withheld !== undefined) {
    lines.push(
      `freeze: the published answer is held; without the freeze it would be ${describeServingPools(facts.freeze.withheld)}`,
    );
  } else if (facts.overrides.freezes.length > 0) {
    lines.push('freeze: in force; the quorum agrees with the held answer');
  }
  lines.push(
    `answer: ${describeServingPools(facts.state.decision)}${facts.changed ? ' (changed)' : ' (unchanged)'}`,
  );
  return {
    service: service.name,
    evaluatedAt: facts.now,
    regions,
    endpoints: facts.endpoints,
    pools,
    lines,
    rules,
  };
}

function regionExplanations(facts: EvaluationFacts): RegionExplanation[] {
  return facts.regions.map((region) => {
    const explained: RegionExplanation = { region, status: facts.regionStatus[region] ?? 'stale' };
    const age = heartbeatAge(facts.heartbeatAges, region);
    if (age !== undefined) explained.heartbeatAge = age;
    return explained;
  });
}

function describeRegion(facts: EvaluationFacts): (region: RegionExplanation) => string {
  return (region) => {
    const age =
      region.heartbeatAge === undefined ? 'no heartbeat' : `heartbeat ${formatDuration(region.heartbeatAge)}`;
    const limit = region.status === 'stale' ? ` > ${formatDuration(facts.service.staleAfter)}` : '';
    return `${region.region} ${region.status} (${age}${limit})`;
  };
}

function poolExplanation(facts: EvaluationFacts, verdict: PoolVerdict): PoolExplanation {
  const { service, now } = facts;
  const name = verdict.pool;
  const state = facts.state.pools[name];
  const weight = facts.state.decision.pools.find((pool) => pool.pool === name)?.weight ?? 0;
  const failbackAfter = failbackAfterInForce(
    service.safety,
    state?.failbackAfter ?? service.safety.failbackAfter,
  );
  let status: PoolStatus;
  if (state?.forced === 'in') status = 'forced-in';
  else if (state?.forced === 'out') status = 'forced-out';
  else if (state?.eligible !== false) status = verdict.verdict === 'down' ? 'held' : 'eligible';
  else if (verdict.verdict === 'up')
    status = service.safety.failback === 'manual' ? 'failback-manual' : 'failback-wait';
  else status = 'drained';

  const health = `${verdict.verdict}${verdict.held ? ' (held: no rule reached)' : ''}, ${poolHealthPhrase(verdict)}`;
  const drainedSince =
    state?.drainedAt === undefined
      ? ''
      : state.drainedAt === now
        ? ' now'
        : ` since ${formatTime(state.drainedAt)} (${formatDuration(now - state.drainedAt)} ago)`;
  const upFor =
    state?.upSince !== undefined
      ? `up since ${formatTime(state.upSince)} (${formatDuration(now - state.upSince)})`
      : 'up';
  const damping = flapDampedNote(service.safety.failbackAfter, failbackAfter);
  const override = facts.overrides.forced[name];
  let reason: string;
  let failbackIn: number | undefined;
  switch (status) {
    case 'forced-in':
    case 'forced-out':
      reason =
        `forced ${status === 'forced-in' ? 'in' : 'out'} by override ${override?.id ?? ''} ` +
        `(${override ? describeOverride(override) : 'operator'}) whatever the quorum says; ` +
        `without it the pool would be ${state?.eligible && verdict.verdict !== 'down' ? 'eligible' : 'drained'}`;
      break;
    case 'held':
      reason = `held in service although the quorum says down: maxDrainedPools ${service.safety.maxDrainedPools ?? 'unlimited'} already reached`;
      break;
    case 'failback-manual':
      reason = `drained${drainedSince}; ${upFor}; failback is manual: it waits for an operator's force-pool in`;
      break;
    case 'failback-wait':
      failbackIn = Math.max(0, (state?.upSince ?? now) + failbackAfter - now);
      reason =
        `drained${drainedSince}; ${upFor}; restored in ${formatDuration(failbackIn)} if it stays up ` +
        `(failbackAfter ${formatDuration(failbackAfter)}${damping})`;
      break;
    case 'drained':
      reason =
        `drained${drainedSince} by rule quorum, ${poolQuorumPhrase(facts, name)}; ` +
        `once up it needs ${formatDuration(failbackAfter)} of continuous health${damping}` +
        (service.safety.failback === 'manual' ? ' and an operator (failback: manual)' : '');
      break;
    default:
      reason = restoredEarly(facts).includes(name)
        ? `${weight > 0 ? 'serving, ' : ''}restored early: every other pool is down (${otherPoolsPhrase(facts)}); ` +
          earlyFailbackPhrase(facts, name)
        : eligibleReason(facts, name, weight);
  }
  const serving = weight > 0;
  const effectivelyOut = status === 'forced-out' || (state?.eligible === false && status !== 'forced-in');
  if (serving && effectivelyOut) {
    reason += facts.failOpen
      ? '; still in the answer because of fail-open'
      : '; still in the answer because of the freeze';
  } else if (!serving && !effectivelyOut && facts.freeze.withheld !== undefined) {
    reason += '; kept out of the answer by the freeze';
  }
  const explained: PoolExplanation = {
    pool: name,
    verdict: verdict.verdict,
    held: verdict.held,
    upCount: verdict.upCount,
    downCount: verdict.downCount,
    unknownCount: verdict.unknownCount,
    minHealthy: verdict.minHealthy,
    status,
    weight,
    line: `pool ${name} (weight ${weight}): ${reason}; verdict ${health}`,
  };
  if (failbackIn !== undefined) explained.failbackIn = failbackIn;
  return explained;
}

function eligibleReason(facts: EvaluationFacts, pool: string, weight: number): string {
  const { service } = facts;
  if (weight > 0) {
    return facts.poolVerdicts.find((verdict) => verdict.pool === pool)?.verdict === 'unknown'
      ? 'serving: the quorum has not said it is down'
      : 'serving';
  }
  if (service.policy === 'failover') {
    const serving = facts.state.decision.pools.find((answer) => answer.weight > 0)?.pool;
    return `eligible standby: failover serves ${serving ?? 'another pool'} first`;
  }
  if (service.policy === 'weighted') return 'eligible, with a configured weight of 0';
  return 'eligible, but the published answer gives it no traffic';
}

function overrideLines(facts: EvaluationFacts): string[] {
  const lines = facts.overrides.active.map(
    (override) => `override ${override.id}: ${describeOverride(override)}`,
  );
  for (const ignored of facts.overrides.ignored)
    lines.push(`override ${ignored.override.id} ignored: ${ignored.why}`);
  return lines;
}

function firedRules(facts: EvaluationFacts, pools: readonly PoolExplanation[]): RuleName[] {
  const fired = new Set<RuleName>(['quorum', 'policy']);
  if (facts.liveness.stale.length > 0) fired.add('stale-region');
  if (facts.suspects.length > 0) fired.add('suspect-region');
  if (facts.overrides.active.some((override) => override.kind === 'force-pool')) fired.add('override');
  if (facts.eligibility.restored.some((restore) => restore.by === 'override')) fired.add('override');
  if (pools.some((pool) => pool.status === 'failback-wait')) fired.add('failback-delay');
  if (facts.eligibility.restored.some((restore) => restore.by === 'failback-delay'))
    fired.add('failback-delay');
  if (pools.some((pool) => pool.status === 'failback-manual')) fired.add('failback-manual');
  if (restoredEarly(facts).length > 0) fired.add('early-failback');
  const base = facts.service.safety.failbackAfter;
  const dampedWaiting = pools.some(
    (pool) =>
      (pool.status === 'failback-wait' || pool.status === 'drained') &&
      failbackAfterInForce(facts.service.safety, facts.state.pools[pool.pool]?.failbackAfter ?? base) > base,
  );
  if (facts.eligibility.damped.length > 0 || dampedWaiting) fired.add('flap-damping');
  if (facts.eligibility.clamped.length > 0) fired.add('max-drained-pools');
  if (facts.failOpen) fired.add('fail-open');
  if (facts.overrides.freezes.length > 0) fired.add('freeze');
  return inRuleOrder(fired);
}
