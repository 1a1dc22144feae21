import type { Severity } from '../config/types';
import { describeServingPools, servesAnything } from './decision-shape';
import { effectivelyEligible } from './eligibility';
import type { EvaluationFacts } from './evaluation-facts';
import { formatDuration } from './format-duration';
import { heartbeatAge } from './region-liveness';
import {
  describeOverride,
  earlyFailbackPhrase,
  endpointQuorumPhrase,
  list,
  otherPoolsPhrase,
  poolHealthPhrase,
  poolQuorumPhrase,
} from './phrases';
import type { CoreEvent, EventKind, RuleName, Verdict } from './types';

interface EventDraft {
  kind: EventKind;
  severity: Severity;
  message: string;
  pool?: string;
  endpoint?: string;
  region?: string;
  rule?: RuleName;
  override?: string;
}

/**
 * The events of one evaluation: every transition, each exactly once (on entry and on exit, never
 * on every evaluation a condition lasts). Order is fixed: regions, overrides, verdicts, pools,
 * safety rules, and the decision last.
 */
export function collectEvents(facts: EvaluationFacts): CoreEvent[] {
  const drafts: EventDraft[] = [
    ...regionEvents(facts),
    ...overrideEvents(facts),
    ...verdictEvents(facts),
    ...poolEvents(facts),
    ...safetyEvents(facts),
    ...decisionEvents(facts),
  ];
  return drafts.map((draft) => {
    const event: CoreEvent = {
      kind: draft.kind,
      severity: draft.severity,
      service: facts.service.name,
      message: '',
      at: facts.now,
    };
    if (draft.pool !== undefined) event.pool = draft.pool;
    if (draft.endpoint !== undefined) event.endpoint = draft.endpoint;
    if (draft.region !== undefined) event.region = draft.region;
    if (draft.rule !== undefined) event.rule = draft.rule;
    if (draft.override !== undefined) event.override = draft.override;
    event.message = `${facts.service.name}: ${draft.message}`;
    return event;
  });
}

function regionEvents(facts: EvaluationFacts): EventDraft[] {
  const { previous, liveness, service } = facts;
  const drafts: EventDraft[] = [];
  const wasStale = new Set(previous.staleRegions);
  const wasSuspect = new Set(previous.suspectRegions);
  const isSuspect = new Set(facts.suspects.map((suspect) => suspect.region));
  for (const region of facts.regions) {
    const stale = liveness.stale.includes(region);
    if (stale && !wasStale.has(region)) {
      const age = heartbeatAge(facts.heartbeatAges, region);
      const seen = age === undefined ? 'no heartbeat' : `heartbeat ${formatDuration(age)} old`;
      drafts.push({
        kind: 'region-stale',
        severity: 'warning',
        region,
        rule: 'stale-region',
        message: `probe region ${region} is stale (${seen}, limit ${formatDuration(service.staleAfter)}): its votes are ignored, not counted as down`,
      });
    } else if (!stale && wasStale.has(region)) {
      drafts.push({
        kind: 'region-live',
        severity: 'info',
        region,
        rule: 'stale-region',
        message: `probe region ${region} is live again: its votes count again`,
      });
    }
  }
  for (const suspect of facts.suspects) {
    if (wasSuspect.has(suspect.region)) continue;
    const seen = suspect.pools
      .map((pool) => `${pool.lonelyDown}/${pool.endpoints} endpoints of pool ${pool.pool}`)
      .join(' and ');
    drafts.push({
      kind: 'suspect-region',
      severity: 'warning',
      region: suspect.region,
      rule: 'suspect-region',
      message: `probe region ${suspect.region} is suspect: it alone sees ${seen} down while the other live regions see them up; its votes are discounted`,
    });
  }
  for (const region of previous.suspectRegions) {
    if (isSuspect.has(region) || !facts.regions.includes(region)) continue;
    drafts.push({
      kind: 'suspect-region-cleared',
      severity: 'info',
      region,
      rule: 'suspect-region',
      message: `probe region ${region} is no longer suspect${liveness.stale.includes(region) ? ' (it is stale now)' : ': its votes count again'}`,
    });
  }
  return drafts;
}

function overrideEvents(facts: EvaluationFacts): EventDraft[] {
  const drafts: EventDraft[] = [];
  const before = new Set(facts.previous.activeOverrides);
  const now = new Set(facts.overrides.active.map((override) => override.id));
  for (const id of [...before].sort()) {
    if (now.has(id)) continue;
    const given = facts.givenOverrides.find((override) => override.id === id);
    const pool = given?.kind === 'force-pool' ? given.pool : undefined;
    drafts.push({
      kind: 'override-expired',
      severity: 'info',
      override: id,
      ...(pool !== undefined ? { pool } : {}),
      rule: given?.kind === 'freeze' ? 'freeze' : 'override',
      message:
        given === undefined
          ? `override ${id} is no longer in force (removed)`
          : `override ${id} expired: ${describeOverride(given)}`,
    });
  }
  for (const override of facts.overrides.active) {
    if (before.has(override.id)) continue;
    const ignored = facts.overrides.ignored.find((entry) => entry.override.id === override.id);
    drafts.push({
      kind: 'override-active',
      severity: 'warning',
      override: override.id,
      ...(override.kind === 'force-pool' ? { pool: override.pool } : {}),
      rule: override.kind === 'freeze' ? 'freeze' : 'override',
      message: `override ${override.id} in force: ${describeOverride(override)}${ignored ? `; ignored: ${ignored.why}` : ''}`,
    });
  }
  return drafts;
}

function verdictEvents(facts: EvaluationFacts): EventDraft[] {
  const drafts: EventDraft[] = [];
  for (const endpoint of facts.endpoints) {
    const before: Verdict = facts.previous.endpoints[endpoint.endpoint] ?? 'unknown';
    if (before === endpoint.verdict) continue;
    drafts.push({
      kind: 'endpoint-verdict',
      severity: endpoint.verdict === 'down' ? 'warning' : 'info',
      pool: endpoint.pool,
      endpoint: endpoint.endpoint,
      rule: 'quorum',
      message: `endpoint ${endpoint.endpoint} (pool ${endpoint.pool}) is ${endpoint.verdict}, was ${before}: ${endpointQuorumPhrase(facts, endpoint.endpoint)}`,
    });
  }
  for (const pool of facts.poolVerdicts) {
    const before: Verdict = facts.previous.pools[pool.pool]?.verdict ?? 'unknown';
    if (before === pool.verdict) continue;
    drafts.push({
      kind: 'pool-verdict',
      severity: pool.verdict === 'down' ? 'warning' : 'info',
      pool: pool.pool,
      rule: 'quorum',
      message: `pool ${pool.pool} is ${pool.verdict}, was ${before}: ${poolHealthPhrase(pool)}; ${poolQuorumPhrase(facts, pool.pool)}`,
    });
  }
  return drafts;
}

function poolEvents(facts: EvaluationFacts): EventDraft[] {
  const drafts: EventDraft[] = [];
  const { service, eligibility } = facts;
  for (const damped of eligibility.damped) {
    const capped = damped.to <= damped.from;
    drafts.push({
      kind: 'flap-damped',
      severity: 'warning',
      pool: damped.pool,
      rule: 'flap-damping',
      message:
        `pool ${damped.pool} drained again ${formatDuration(damped.restoredAgo)} after its last restore ` +
        `(flapWindow ${formatDuration(service.safety.flapWindow)}): ` +
        (capped
          ? `its failbackAfter stays at the ${formatDuration(damped.to)} maximum`
          : `its next failbackAfter doubles from ${formatDuration(damped.from)} to ${formatDuration(damped.to)}`),
    });
  }
  const frozenNote = facts.freeze.withheld !== undefined ? ' (the freeze holds the published answer)' : '';
  for (const verdict of facts.poolVerdicts) {
    const pool = verdict.pool;
    const before = effectivelyEligible(facts.previous.pools[pool]);
    const state = facts.state.pools[pool];
    const after = effectivelyEligible(state);
    if (before && !after) {
      const byOverride = state?.forced === 'out';
      const override = facts.overrides.forced[pool];
      drafts.push({
        kind: 'pool-drained',
        severity: 'warning',
        pool,
        rule: byOverride ? 'override' : 'quorum',
        ...(byOverride && override ? { override: override.id } : {}),
        message: byOverride
          ? `pool ${pool} drained by override ${override?.id ?? ''}: ${override ? describeOverride(override) : 'forced out'}${frozenNote}`
          : `pool ${pool} drained: ${poolQuorumPhrase(facts, pool)}; ${poolHealthPhrase(verdict)}${frozenNote}`,
      });
    } else if (!before && after) {
      const restore = eligibility.restored.find((entry) => entry.pool === pool);
      const override = facts.overrides.forced[pool];
      let message: string;
      let rule: RuleName;
      let severity: Severity = 'info';
      if (state?.forced === 'in') {
        rule = 'override';
        message = `pool ${pool} restored by override ${override?.id ?? ''}: ${override ? describeOverride(override) : 'forced in'}`;
      } else if (restore?.by === 'early-failback') {
        // Warning, not info: the pool skipped restore slow and may still flap, and every other pool is out.
        rule = 'early-failback';
        severity = 'warning';
        message =
          `pool ${pool} restored early: every other pool is down (${otherPoolsPhrase(facts)}); ` +
          `${earlyFailbackPhrase(facts, pool)}; ${poolQuorumPhrase(facts, pool)}`;
      } else if (restore?.by === 'failback-delay' && state?.upSince !== undefined) {
        rule = 'failback-delay';
        message =
          `pool ${pool} restored: up for ${formatDuration(facts.now - state.upSince)} ` +
          `(failbackAfter ${formatDuration(state.failbackAfter)}); ${poolQuorumPhrase(facts, pool)}`;
      } else {
        rule = 'override';
        message = `pool ${pool} restored: its force-out override ended and the quorum has it ${verdict.verdict}`;
      }
      drafts.push({ kind: 'pool-restored', severity, pool, rule, message: message + frozenNote });
    }
  }
  return drafts;
}

function safetyEvents(facts: EvaluationFacts): EventDraft[] {
  const drafts: EventDraft[] = [];
  const { previous, state, service } = facts;
  const wasClamped = new Set(previous.held['max-drained-pools'] ?? []);
  const drainedNow = facts.poolVerdicts
    .filter((pool) => state.pools[pool.pool]?.eligible === false && state.pools[pool.pool]?.forced !== 'in')
    .map((pool) => pool.pool);
  for (const pool of facts.eligibility.clamped) {
    if (wasClamped.has(pool)) continue;
    drafts.push({
      kind: 'drain-clamped',
      severity: 'critical',
      pool,
      rule: 'max-drained-pools',
      message:
        `pool ${pool} keeps serving although the quorum says down: maxDrainedPools ${service.safety.maxDrainedPools ?? 'unlimited'} ` +
        `already reached (drained: ${list(drainedNow)}); ${poolQuorumPhrase(facts, pool)}`,
    });
  }
  if (state.failOpen && !previous.failOpen) {
    const unavailable = facts.poolVerdicts.map((pool) => {
      const poolState = state.pools[pool.pool];
      const why =
        poolState?.forced === 'out' ? 'forced out' : poolState?.eligible === false ? 'drained' : pool.verdict;
      return `${pool.pool} ${why}`;
    });
    drafts.push({
      kind: 'fail-open',
      severity: 'critical',
      rule: 'fail-open',
      message: `fail-open: no pool can serve (${list(unavailable)}); keeping the last good answer: ${describeServingPools(facts.computed)}`,
    });
  } else if (!state.failOpen && previous.failOpen) {
    drafts.push({
      kind: 'fail-open-cleared',
      severity: 'info',
      rule: 'fail-open',
      message: `fail-open cleared: the quorum's answer serves again: ${describeServingPools(facts.computed)}`,
    });
  }
  if (facts.freeze.newlyWithheld && facts.freeze.withheld !== undefined) {
    const freezes = facts.overrides.freezes.map((freeze) => `${freeze.id} (${describeOverride(freeze)})`);
    drafts.push({
      kind: 'freeze-held',
      severity: 'warning',
      rule: 'freeze',
      ...(facts.overrides.freezes[0] ? { override: facts.overrides.freezes[0].id } : {}),
      message:
        `freeze ${list(freezes)} holds the answer at ${describeServingPools(facts.freeze.decision)}; ` +
        `without it the answer would be ${describeServingPools(facts.freeze.withheld)}`,
    });
  }
  return drafts;
}

function decisionEvents(facts: EvaluationFacts): EventDraft[] {
  if (!facts.changed) return [];
  const { state, previous } = facts;
  const drainedSomething = facts.poolVerdicts.some(
    (pool) => effectivelyEligible(previous.pools[pool.pool]) && !effectivelyEligible(state.pools[pool.pool]),
  );
  const why = decisionReason(facts);
  const was = facts.firstEvaluation ? 'first decision' : `was ${describeServingPools(previous.decision)}`;
  return [
    {
      kind: 'decision-changed',
      severity: drainedSomething ? 'warning' : 'info',
      rule: why,
      message: `answer changed to ${describeServingPools(state.decision)} (${was}; rule ${why})`,
    },
  ];
}

/** The rule that most directly caused a decision change, for the decision-changed event. */
function decisionReason(facts: EvaluationFacts): RuleName {
  if (facts.previous.withheldDecision !== undefined && facts.freeze.withheld === undefined) return 'freeze';
  if (facts.eligibility.restored.some((restore) => restore.by === 'early-failback')) return 'early-failback';
  if (facts.state.failOpen !== facts.previous.failOpen) return 'fail-open';
  const forcedChange = facts.poolVerdicts.some((pool) => {
    const before = facts.previous.pools[pool.pool]?.forced;
    return before !== facts.state.pools[pool.pool]?.forced;
  });
  if (forcedChange) return 'override';
  if (facts.eligibility.restored.some((restore) => restore.by === 'failback-delay')) return 'failback-delay';
  if (facts.eligibility.drained.length > 0) return 'quorum';
  return servesAnything(facts.state.decision) ? 'policy' : 'fail-open';
}
