import { configuredRegions } from './configured-regions';
import { copyDecision, sameDecision, servesAnything } from './decision-shape';
import { applyEarlyFailback } from './early-failback';
import { updateEligibility } from './eligibility';
import { endpointVerdicts } from './endpoint-verdicts';
import type { EvaluationFacts } from './evaluation-facts';
import { collectEvents } from './events';
import { buildExplanation } from './explanation';
import { applyFailOpen } from './fail-open';
import { applyFreeze } from './freeze';
import { initialState } from './initial-state';
import { activeOverrides } from './overrides';
import { applyPolicy } from './policy';
import { poolVerdicts } from './pool-verdicts';
import { quorumSize } from './quorum-size';
import { regionLiveness } from './region-liveness';
import { completeStoredState } from './stored-state';
import { findSuspectRegions } from './suspect-regions';
import type {
  CoreInput,
  CoreOutput,
  Explanation,
  RegionStatus,
  RuleName,
  ServiceState,
  Verdict,
} from './types';

export { initialState };

/**
 * The decision core: one evaluation of one service.
 *
 * Pure and synchronous: no I/O, no clock (`now` is an input), no randomness, and the input is
 * never mutated, so the same input always gives the same output, including after a JSON round
 * trip of the state. The steps, each in its own module:
 *
 *   region liveness -> suspect regions -> endpoint verdicts (quorum) -> pool verdicts (minHealthy)
 *   -> overrides -> eligibility (drain fast, restore slow, flap damping, maxDrainedPools)
 *   -> routing policy (with early failback when it would serve nothing) -> fail-open -> freeze
 *   -> events and explanation.
 */
export function decide(input: CoreInput): CoreOutput {
  const { service, now } = input;
  const firstEvaluation = input.previous === undefined;
  const previous: ServiceState =
    input.previous === undefined
      ? initialState(service, now)
      : completeStoredState(service, input.previous, now);

  const regions = configuredRegions(service);
  const needed = quorumSize(service.quorum, regions.length);
  const liveness = regionLiveness(service, input.heartbeatAges);
  const suspects = findSuspectRegions(service, input.opinions, liveness.live);
  const regionStatus: Record<string, RegionStatus> = {};
  for (const region of liveness.stale) regionStatus[region] = 'stale';
  for (const region of liveness.live) regionStatus[region] = 'live';
  for (const suspect of suspects) regionStatus[suspect.region] = 'suspect';

  const endpoints = endpointVerdicts(service, input.opinions, regionStatus, needed, previous.endpoints);
  const endpointVerdict: Record<string, Verdict> = {};
  for (const endpoint of endpoints) endpointVerdict[endpoint.endpoint] = endpoint.verdict;
  const pools = poolVerdicts(service, endpointVerdict, previous.pools);

  const overrides = activeOverrides(service, input.overrides, now);
  const forced: Record<string, 'in' | 'out'> = {};
  for (const [pool, override] of Object.entries(overrides.forced)) forced[pool] = override.direction;

  const poolVerdict: Record<string, Verdict> = {};
  for (const pool of pools) poolVerdict[pool.pool] = pool.verdict;
  const policyOver = (eligible: (pool: string) => boolean) =>
    applyPolicy({
      service,
      eligible,
      poolVerdict: (pool) => poolVerdict[pool] ?? 'unknown',
      endpointVerdict: (endpoint) => endpointVerdict[endpoint] ?? 'unknown',
    });

  // Restore slow, unless the policy would serve nothing while a drained pool is up again.
  const { eligibility, decision: policyDecision } = applyEarlyFailback(
    service,
    updateEligibility(service, pools, previous.pools, forced, now),
    policyOver,
    now,
  );
  const failOpen = applyFailOpen(service, policyDecision, previous.lastGoodDecision);
  const freeze = applyFreeze(
    service,
    failOpen.decision,
    previous.decision,
    overrides.freezes.length > 0,
    previous.withheldDecision,
  );
  const published = freeze.decision;

  const held: Partial<Record<RuleName, string[]>> = {};
  if (eligibility.clamped.length > 0) held['max-drained-pools'] = [...eligibility.clamped];
  if (failOpen.failOpen) {
    const keptDown = published.pools
      .filter((answer) => answer.weight > 0 && poolVerdict[answer.pool] === 'down')
      .map((answer) => answer.pool);
    if (keptDown.length > 0) held['fail-open'] = keptDown;
  }

  const state: ServiceState = {
    endpoints: endpointVerdict,
    pools: eligibility.pools,
    decision: copyDecision(published),
    lastGoodDecision: copyDecision(servesAnything(published) ? published : previous.lastGoodDecision),
    failOpen: failOpen.failOpen,
    suspectRegions: suspects.map((suspect) => suspect.region),
    staleRegions: [...liveness.stale],
    held,
    activeOverrides: overrides.active.map((override) => override.id),
    evaluatedAt: now,
  };
  if (freeze.withheld !== undefined) state.withheldDecision = copyDecision(freeze.withheld);
  const changed = firstEvaluation || !sameDecision(published, previous.decision);

  const facts: EvaluationFacts = {
    service,
    now,
    previous,
    firstEvaluation,
    regions,
    needed,
    heartbeatAges: input.heartbeatAges,
    liveness,
    suspects,
    regionStatus,
    endpoints,
    poolVerdicts: pools,
    overrides,
    givenOverrides: input.overrides,
    eligibility,
    failOpen: failOpen.failOpen,
    computed: failOpen.decision,
    freeze,
    state,
    changed,
  };
  // The explanation is only stored when an evaluation commits (a change or events), and most evaluations
  // change nothing: it is built on first read, once, from the same facts (the output is still a plain value).
  let explanation: Explanation | undefined;
  return {
    state,
    changed,
    events: collectEvents(facts),
    get explanation(): Explanation {
      return (explanation ??= buildExplanation(facts));
    },
  };
}
