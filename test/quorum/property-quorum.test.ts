/**
 * Property tests of the quorum itself (issue 2, invariants 1 and 2): a minority of regions and a
 * stale region can never move the decision. Set QUORUM_PROPERTY_RUNS to run more cases.
 */
import fc from 'fast-check';
import type { Service } from '../../src/config/types';
import type { Opinion, OpinionMatrix } from '../../src/quorum/types';
import {
  Coverage,
  arbOverrideSpans,
  arbRawSteps,
  arbScenario,
  arbService,
  concreteSteps,
  propertyParams as params,
  runSequence,
  type ConcreteStep,
} from './arbitraries';

/**
 * Per evaluation, what the minority says of each endpoint: random, or everything down (a sick
 * region, which the suspect rule should catch), or everything up.
 */
const arbMinorityStory: fc.Arbitrary<Opinion[][]> = fc.array(
  fc.oneof(
    {
      arbitrary: fc.array(fc.constantFrom<Opinion>('up', 'down', 'unknown'), {
        minLength: 60,
        maxLength: 60,
      }),
      weight: 3,
    },
    { arbitrary: fc.constant<Opinion[]>(Array.from({ length: 60 }, () => 'down')), weight: 2 },
    { arbitrary: fc.constant<Opinion[]>(Array.from({ length: 60 }, () => 'up')), weight: 1 },
  ),
  { minLength: 40, maxLength: 40 },
);

describe('invariant 1: a minority of regions can never change a majority-quorum decision', () => {
  it('gives the same decisions whatever a minority says or whether it is live', () => {
    const coverage = new Coverage();
    const arb = arbService({ quorum: fc.constant('majority') }).chain((service) => {
      const n = service.probeRegions.length;
      return fc.record({
        service: fc.constant(service),
        minority: fc.subarray(service.probeRegions, { maxLength: Math.floor((n - 1) / 2) }),
        raw: arbRawSteps(service),
        spans: arbOverrideSpans(service),
        // Two independent stories for the minority: opinions and heartbeats.
        storyA: arbMinorityStory,
        storyB: arbMinorityStory,
        staleA: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        staleB: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      });
    });
    fc.assert(
      fc.property(arb, ({ service, minority, raw, spans, storyA, storyB, staleA, staleB }) => {
        // The majority agrees per endpoint: its opinion is the first majority region's.
        const base = concreteSteps(service, raw, spans).map((step) =>
          withMajorityConsensus(service, step, minority),
        );
        const outputsA = runSequence(
          service,
          base.map((step, i) => withMinority(service, step, minority, storyA[i], staleA[i])),
        );
        const outputsB = runSequence(
          service,
          base.map((step, i) => withMinority(service, step, minority, storyB[i], staleB[i])),
        );
        outputsA.forEach((output, i) => {
          expect(output.state.decision).toEqual(outputsB[i]?.state.decision);
          expect(output.state.endpoints).toEqual(outputsB[i]?.state.endpoints);
          if (i > 0 && output.changed) coverage.hit('a decision change');
          if (output.state.suspectRegions.length > 0) coverage.hit('a suspect minority region');
        });
        if (minority.length > 0) coverage.hit('a non-empty minority');
      }),
      params,
    );
    coverage.expectSeen('a decision change', 'a suspect minority region', 'a non-empty minority');
  });
});

/** Every non-minority region live and holding the opinion of the first non-minority region. */
function withMajorityConsensus(
  service: Service,
  step: ConcreteStep,
  minority: readonly string[],
): ConcreteStep {
  const majority = service.probeRegions.filter((region) => !minority.includes(region));
  const leader = majority[0] ?? '';
  const opinions: OpinionMatrix = {};
  for (const [endpoint, row] of Object.entries(step.opinions)) {
    const consensus = row[leader];
    opinions[endpoint] =
      consensus === undefined ? {} : Object.fromEntries(majority.map((region) => [region, consensus]));
  }
  const heartbeats = Object.fromEntries(majority.map((region) => [region, 1_000]));
  return { ...step, opinions, heartbeats };
}

function withMinority(
  service: Service,
  step: ConcreteStep,
  minority: readonly string[],
  story: readonly Opinion[] | undefined,
  stale: boolean | undefined,
): ConcreteStep {
  const opinions: OpinionMatrix = JSON.parse(JSON.stringify(step.opinions)) as OpinionMatrix;
  let cell = 0;
  for (const pool of service.pools) {
    for (const endpoint of pool.endpoints) {
      const row = (opinions[endpoint.id] ??= {});
      for (const region of minority) row[region] = story?.[cell++ % 60] ?? 'unknown';
    }
  }
  const heartbeats = { ...step.heartbeats };
  for (const region of minority) heartbeats[region] = stale ? 90_000 : 500;
  return { ...step, opinions, heartbeats };
}

describe('invariant 2: stale regions never count as down', () => {
  it('decides exactly as if the stale region were live with no opinion', () => {
    const coverage = new Coverage();
    const arb = arbScenario().chain((scenario) =>
      fc.record({
        scenario: fc.constant(scenario),
        region: fc.constantFrom(...scenario.service.probeRegions),
        staleAt: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ scenario, region, staleAt }) => {
        const { service } = scenario;
        const steps = concreteSteps(service, scenario.raw, scenario.spans);
        const staleRun = steps.map((step, i) =>
          staleAt[i] ? { ...step, heartbeats: { ...step.heartbeats, [region]: 31_000 } } : step,
        );
        const unknownRun = steps.map((step, i) => {
          if (!staleAt[i]) return step;
          const opinions = Object.fromEntries(
            Object.entries(step.opinions).map(([endpoint, row]) => {
              const { [region]: _dropped, ...others } = row;
              return [endpoint, others];
            }),
          );
          return { ...step, opinions, heartbeats: { ...step.heartbeats, [region]: 0 } };
        });
        const stale = runSequence(service, staleRun);
        const unknown = runSequence(service, unknownRun);
        stale.forEach((output, i) => {
          expect(output.state.decision).toEqual(unknown[i]?.state.decision);
          expect(output.state.pools).toEqual(unknown[i]?.state.pools);
          expect(output.state.endpoints).toEqual(unknown[i]?.state.endpoints);
          if (staleAt[i]) {
            expect(output.explanation.endpoints.every((endpoint) => endpoint.votes[region] === 'stale')).toBe(
              true,
            );
            const saysDown = Object.values(steps[i]?.opinions ?? {}).some((row) => row[region] === 'down');
            if (saysDown) coverage.hit('a stale region saying down');
          }
          if (output.events.some((event) => event.kind === 'pool-drained')) coverage.hit('a drain');
        });
      }),
      params,
    );
    coverage.expectSeen('a stale region saying down', 'a drain');
  });
});
